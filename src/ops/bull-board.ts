/**
 * Bull Board at /admin/queues, over every account's queue. Job data holds ids
 * only (see dispatch/queues.ts), so the board shows no phone numbers or notes.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import type { DispatchQueues } from '../dispatch/dispatch-queues';

export const BULL_BOARD_PATH = '/admin/queues';

export async function mountBullBoard(fastify: FastifyInstance, queues: DispatchQueues): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.all().map((q) => new BullMQAdapter(q as never)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'callback-orchestrator' } },
  });
  await fastify.register(serverAdapter.registerPlugin() as never, { prefix: BULL_BOARD_PATH });
}
