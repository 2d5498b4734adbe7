/**
 * Bull Board at /admin/queues, over every account's queue (from the accounts
 * file at boot: a newly configured account's queue shows after the restart
 * that loads it) and the status-webhook queue. Job data holds ids only (see
 * dispatch/queues.ts), so the board shows no phone numbers or notes.
 *
 * Access needs an admin-scoped API key, as `Authorization: Bearer <key>` or as
 * HTTP Basic with any user name and the key as password — so a browser gets
 * its native login prompt (401 + WWW-Authenticate: Basic realm="bull-board").
 * BULL_BOARD_READ_ONLY=true puts every queue in Bull Board's read-only mode
 * (no retry, promote, clean or remove buttons) for on-call viewers.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { presentedKey } from '../auth/auth.guard';
import { Unauthenticated } from '../common/errors';
import { toErrorBody } from '../common/http-exception.filter';
import type { DispatchQueues } from '../dispatch/dispatch-queues';

export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardOptions {
  /** True when the presented API key is valid and has the admin scope. */
  isAdminKey: (key: string) => Promise<boolean>;
  readOnly: boolean;
}

export async function mountBullBoard(fastify: FastifyInstance, queues: DispatchQueues, opts: BullBoardOptions): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: [...queues.all(), queues.webhooks()].map((q) => new BullMQAdapter(q as never, { readOnlyMode: opts.readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'callback-orchestrator' } },
  });

  const refuse = (req: FastifyRequest, reply: FastifyReply, message: string) => {
    const { status, body } = toErrorBody(new Unauthenticated(message), String(req.id));
    return reply.status(status).header('www-authenticate', 'Basic realm="bull-board", charset="UTF-8"').header('content-type', 'application/json; charset=utf-8').send(body);
  };

  // An encapsulated scope: the hook guards the board's routes (pages, static files and its JSON API) and nothing else.
  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      const key = presentedKey(req.headers.authorization);
      if (!key) return refuse(req, reply, 'Bull Board needs an admin API key: Basic auth with the key as password, or Authorization: Bearer <key>');
      if (!(await opts.isAdminKey(key).catch(() => false))) return refuse(req, reply, 'The API key is unknown, revoked, expired or not admin-scoped');
    });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: BULL_BOARD_PATH });
  });
}
