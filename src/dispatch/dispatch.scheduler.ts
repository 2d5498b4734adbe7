/**
 * Keeps BullMQ in step with Postgres after a commit: enqueue on create, move
 * on reschedule, remove on cancel. Redis is an accelerator: every method
 * reports failure instead of throwing, and the reconciler repairs what a
 * failure left behind.
 */
import { Injectable, Logger } from '@nestjs/common';
import { AccountsRegistry } from '../config/accounts';
import { Clock } from '../common/clock';
import { VendorRegistry } from '../vendors/vendor.registry';
import type { Intent } from '../callbacks/callbacks.repository';
import { DispatchQueues } from './dispatch-queues';
import { DISPATCH_JOB, dispatchAt, dispatchJobOptions, jobId } from './queues';

@Injectable()
export class DispatchScheduler {
  private readonly logger = new Logger(DispatchScheduler.name);

  constructor(
    private readonly queues: DispatchQueues,
    private readonly accounts: AccountsRegistry,
    private readonly vendors: VendorRegistry,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds from now until the intent's job should run. */
  delayFor(intent: Pick<Intent, 'account' | 'dueAt'>): number {
    const account = this.accounts.get(intent.account)!;
    const ahead = this.vendors.forAccount(account).handOverAheadFor(account);
    return dispatchAt(intent.dueAt, ahead) - this.clock.now().getTime();
  }

  /** Adds the intent's job unless it is already there. */
  async schedule(intent: Intent): Promise<boolean> {
    const account = this.accounts.get(intent.account)!;
    try {
      await this.queues.bounded('enqueue', () =>
        this.queues.forAccount(account.id).add(DISPATCH_JOB, { intentId: intent.id, account: account.id }, dispatchJobOptions(intent.id, account, this.delayFor(intent))),
      );
      return true;
    } catch (err) {
      this.logger.warn({ intentId: intent.id, err: (err as Error).message }, 'enqueue failed; the reconciler will enqueue it');
      return false;
    }
  }

  /** Moves the intent's job to its (new) due time, re-creating it where it cannot be moved. */
  async reschedule(intent: Intent): Promise<boolean> {
    try {
      return await this.queues.bounded('reschedule', async () => {
        const queue = this.queues.forAccount(intent.account);
        const job = await queue.getJob(jobId(intent.id));
        if (job) {
          const state = await job.getState();
          if (state === 'delayed') {
            await job.changeDelay(Math.max(0, this.delayFor(intent)));
            return true;
          }
          // Active: the processor re-reads the intent and follows the new time itself.
          if (state === 'active') return true;
          await job.remove();
        }
        const account = this.accounts.get(intent.account)!;
        await queue.add(DISPATCH_JOB, { intentId: intent.id, account: account.id }, dispatchJobOptions(intent.id, account, this.delayFor(intent)));
        return true;
      });
    } catch (err) {
      this.logger.warn({ intentId: intent.id, err: (err as Error).message }, 'reschedule in redis failed; the processor and reconciler follow Postgres');
      return false;
    }
  }

  /** Removes the intent's job. A job that is running is left: its claim will fail. */
  async unschedule(intent: Pick<Intent, 'id' | 'account'>): Promise<boolean> {
    try {
      await this.queues.bounded('unschedule', async () => {
        const job = await this.queues.forAccount(intent.account).getJob(jobId(intent.id));
        if (job && (await job.getState()) !== 'active') await job.remove();
      });
      return true;
    } catch (err) {
      this.logger.warn({ intentId: intent.id, err: (err as Error).message }, 'removing the job failed; the processor will skip it');
      return false;
    }
  }
}
