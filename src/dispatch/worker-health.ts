/**
 * Liveness for the worker role that sees real stalls. A BullMQ worker can stay
 * "running" while its blocking connection is stuck (after a long Redis outage,
 * a half-open socket, a command ioredis re-queued and never re-sent): it takes
 * no jobs, yet the shared connection answers PING and the process looks fine.
 *
 * So each worker's own blocking client is probed: a PING is sent on it and the
 * time of each answer is kept. The PING queues behind the worker's BZPOPMIN,
 * so a healthy worker answers within one block period (≤ ~11 s: BullMQ caps a
 * block at 10 s and its watchdog adds 1 s). A worker whose blocking client has
 * not answered for WORKER_STALL_MS while Redis answers pings is stuck:
 * liveness fails and the orchestrator restarts the pod. While Redis itself is
 * unreachable the worker is not blamed (a restart would not help); the stall
 * clock is measured from when Redis answered again.
 */
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DispatchProcessor } from './dispatch.processor';
import { DispatchQueues } from './dispatch-queues';

export interface LivenessResult {
  ok: boolean;
  detail: string;
}

interface Probe {
  queue: string;
  /** Last time the worker's blocking client answered a PING (or the probe started). */
  lastAnswer: number;
  inFlight: boolean;
}

@Injectable()
export class WorkerHealth implements OnModuleInit, OnModuleDestroy {
  private readonly probes = new Map<Worker, Probe>();
  private timer?: NodeJS.Timeout;
  /** When the shared connection last failed to answer; stalls are counted from after it. */
  private redisDownUntil = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processor: DispatchProcessor,
    private readonly queues: DispatchQueues,
  ) {}

  /** How often a new PING is sent (only when the previous one was answered). */
  get probeEveryMs(): number {
    return Math.max(200, Math.floor(this.config.workerStallMs / 6));
  }

  onModuleInit(): void {
    const now = Date.now();
    for (const w of this.processor.allWorkers()) this.probes.set(w, { queue: w.name, lastAnswer: now, inFlight: false });
    this.timer = setInterval(() => this.tick(), this.probeEveryMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    for (const [worker, probe] of this.probes) {
      if (probe.inFlight || worker.closing) continue;
      const client = worker.backend.blockingClient;
      if (!client) continue;
      probe.inFlight = true;
      client
        // The client is BullMQ's proxy over ioredis: PING reaches the raw client.
        .then((c) => (c as unknown as { ping(): Promise<unknown> }).ping())
        .then(
          () => (probe.lastAnswer = Date.now()),
          () => undefined, // a connection error: the next tick asks again
        )
        .finally(() => (probe.inFlight = false));
    }
  }

  private async redisAnswers(): Promise<boolean> {
    let t: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.queues.connection.ping(), new Promise((_, rej) => (t = setTimeout(() => rej(new Error('timeout')), 1_000)))]);
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
