/**
 * Liveness for the worker role that sees real stalls. A BullMQ worker can stay
 * "running" while its blocking connection is stuck (after a long Redis outage,
 * a half-open socket, a command ioredis re-queued and never re-sent): it takes
 * no jobs, yet the shared connection answers PING and the process looks fine.
 *
 * So each worker's own blocking client is probed, and the time of each answer
 * kept. The probe is a write-class no-op (ZPOPMIN on a key that never holds
 * anything), so it needs exactly what the worker's own fetch (BZPOPMIN, also a
 * write) needs; a PING would slip through where the fetch cannot. It queues
 * behind the worker's BZPOPMIN, so a healthy worker answers within one block
 * period (≤ ~11 s: BullMQ caps a block at 10 s and its watchdog adds 1 s). A worker whose blocking client has
 * not answered for WORKER_STALL_MS while Redis answers pings is stuck:
 * liveness fails and the orchestrator restarts the pod. While Redis itself is
 * unreachable the worker is not blamed (a restart would not help); the stall
 * clock is measured from when Redis answered again.
 */
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Worker } from 'bullmq';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DispatchProcessor } from './dispatch.processor';

export interface LivenessResult {
  ok: boolean;
  detail: string;
}

interface Probe {
  queue: string;
  /** Last time the worker's blocking client answered a probe (or the probe started). */
  lastAnswer: number;
}

@Injectable()
export class WorkerHealth implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly probes = new Map<Worker, Probe>();
  private stopped = false;
  /**
   * Its own connection for "does Redis answer?": the shared one can sit behind
   * a held write of this process (the reconciler's lock, the limiter), which
   * would make a stuck Redis look unreachable and excuse the stall.
   */
  private readonly pinger: Redis;
  /** When the shared connection last failed to answer; stalls are counted from after it. */
  private redisDownUntil = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processor: DispatchProcessor,
  ) {
    this.pinger = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000, enableOfflineQueue: false });
    this.pinger.on('error', () => undefined); // reported through check(); ioredis reconnects by itself
  }

  private get probeKey(): string {
    return `${this.config.queuePrefix}:worker-health:probe`;
  }

  /** Probes go out at most this often; an idle worker answers at the end of each block instead. */
  get probeEveryMs(): number {
    return Math.min(5_000, Math.max(200, Math.floor(this.config.workerStallMs / 6)));
  }

  // After every onModuleInit: the processor has created its workers by then.
  onApplicationBootstrap(): void {
    const now = Date.now();
    for (const w of this.processor.allWorkers()) {
      const probe: Probe = { queue: w.name, lastAnswer: now };
      this.probes.set(w, probe);
      void this.loop(w, probe);
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.pinger.disconnect();
  }

  /**
   * One probe always queued on the worker's blocking client (at most one per
   * probeEveryMs): answers then come at the end of each block, so the gap
   * between answers of a healthy worker is one block, never a block plus a wait.
   */
  private async loop(worker: Worker, probe: Probe): Promise<void> {
    while (!this.stopped && !worker.closing) {
      const sent = Date.now();
      try {
        const client = await worker.backend.blockingClient;
        // The client is BullMQ's proxy over ioredis: other commands reach the raw client.
        if (client) await (client as unknown as { zpopmin(key: string): Promise<unknown> }).zpopmin(this.probeKey);
        probe.lastAnswer = Date.now();
      } catch {
        /* a connection error: ask again after the pause below */
      }
      await new Promise((r) => setTimeout(r, Math.max(50, sent + this.probeEveryMs - Date.now())).unref());
    }
  }

  private async redisAnswers(): Promise<boolean> {
    let t: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.pinger.ping(), new Promise((_, rej) => (t = setTimeout(() => rej(new Error('timeout')), 1_000)))]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(t);
    }
  }

  /** {ok, detail} for /health/live (and, later, a terminus indicator). */
  async check(now = Date.now()): Promise<LivenessResult> {
    const problems: string[] = [];
    for (const [worker, probe] of this.probes) {
      if (!worker.isRunning() && !worker.closing) problems.push(`worker for ${probe.queue} is not running`);
    }
    if (!(await this.redisAnswers())) {
      this.redisDownUntil = now;
      return problems.length ? { ok: false, detail: problems.join('; ') } : { ok: true, detail: 'redis unreachable: workers wait for it (not a stall)' };
    }
    for (const [, probe] of this.probes) {
      const silentFor = now - Math.max(probe.lastAnswer, this.redisDownUntil);
      if (silentFor > this.config.workerStallMs) {
        problems.push(`worker for ${probe.queue} is stalled: its blocking Redis connection has not answered for ${silentFor} ms while Redis answers pings`);
      }
    }
    return problems.length ? { ok: false, detail: problems.join('; ') } : { ok: true, detail: `${this.probes.size} worker(s) taking jobs` };
  }
}
