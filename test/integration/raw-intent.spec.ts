/**
 * The hot paths (create, and the worker's read, claim and success) are single SQL
 * statements rather than Prisma model calls. Their rows must be exactly what
 * Prisma's model calls return, field by field and type by type, or a view, an
 * event payload or a guarded update further on would differ.
 */
import { randomUUID } from 'node:crypto';
import { CallbacksRepository, NewIntent } from '../../src/callbacks/callbacks.repository';
import type { AppConfig } from '../../src/config/config';
import { PrismaService } from '../../src/database/prisma.service';
import { createTestDatabase } from '../support/db';

describe('raw SQL intent rows match Prisma', () => {
  let db: { url: string; drop: () => Promise<void> };
  let prisma: PrismaService;
  let repo: CallbacksRepository;
  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService({ databaseUrl: db.url } as AppConfig);
    repo = new CallbacksRepository(prisma);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  const newRow = (over: Partial<NewIntent> = {}): NewIntent => ({
    id: randomUUID(),
    client: 'c1',
    account: 'sim',
    phoneNumber: '+14155550101',
    dueAt: new Date('2030-01-02T03:04:05.678Z'),
    asap: false,
    timezone: 'America/New_York',
    notes: 'ring twice; "quotes" and \\ backslash',
    routing: { queue: 'gold', nested: { list: [1, 'two', null, true] } },
    metadata: { order: 1042, unicode: 'Zoë ☎' },
    requestedAt: new Date('2030-01-02T01:00:00.000Z'),
    schedule: { reasons: [{ code: 'calling_window', message: 'moved' }], requestedLocal: '2030-01-01T20:00' },
    ...over,
  });
  const prismaRow = (id: string) => prisma.callbackIntent.findUniqueOrThrow({ where: { id } });

  it('insertUnlessLive and findById return the row Prisma reads, with every type intact', async () => {
    const created = await repo.insertUnlessLive(newRow());
    expect(created).not.toBeNull();
    const viaPrisma = await prismaRow(created!.id);
    expect(created).toEqual(viaPrisma);
    expect(await repo.findById(created!.id)).toEqual(viaPrisma);
    expect(created!.dueAt).toBeInstanceOf(Date);
    expect(created!.status).toBe('scheduled');
    expect(created!.version).toBe(1);

    // Nulls and empty JSON: no timezone, notes, requestedAt or schedule.
    const bare = await repo.insertUnlessLive(newRow({ phoneNumber: '+14155550102', timezone: null, notes: null, requestedAt: undefined, schedule: undefined, routing: {}, metadata: {}, asap: true }));
    expect(bare).toEqual(await prismaRow(bare!.id));
    expect(bare).toMatchObject({ timezone: null, notes: null, requestedAt: null, schedule: null, routing: {}, metadata: {}, asap: true });

    expect(await repo.findById(randomUUID())).toBeNull();
  });

  it('insertUnlessLive returns null, and writes nothing, while a live intent holds the number', async () => {
    const first = await repo.insertUnlessLive(newRow({ phoneNumber: '+14155550103' }));
    const second = await repo.insertUnlessLive(newRow({ phoneNumber: '+14155550103' }));
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    expect(await prisma.callbackIntent.count({ where: { phoneNumber: '+14155550103' } })).toBe(1);
  });

  it('claimAndStartAttempt claims at the read version and opens the next attempt; a stale version changes nothing', async () => {
    const intent = (await repo.insertUnlessLive(newRow({ phoneNumber: '+14155550104' })))!;
    await prisma.dispatchAttempt.create({ data: { id: randomUUID(), intentId: intent.id, number: 1, startedAt: new Date(), endedAt: new Date(), outcome: 'retryable' } });

    expect(await repo.claimAndStartAttempt(intent.id, intent.version + 1, new Date())).toBeNull();
    expect(await prisma.dispatchAttempt.count({ where: { intentId: intent.id } })).toBe(1);

    const now = new Date('2030-01-02T03:04:06.000Z');
    const claim = await repo.claimAndStartAttempt(intent.id, intent.version, now);
    expect(claim).not.toBeNull();
    expect(claim!.intent).toEqual(await prismaRow(intent.id));
    expect(claim!.intent).toMatchObject({ status: 'dispatching', claimedAt: now, attemptCount: 1, version: 2 });
    const attempt = await prisma.dispatchAttempt.findUniqueOrThrow({ where: { id: claim!.attempt.id } });
    expect(attempt).toMatchObject({ intentId: intent.id, number: 2, startedAt: now, endedAt: null, outcome: null });
    expect(claim!.attempt).toEqual({ id: attempt.id, number: 2, startedAt: now });

    // Already dispatching: a second claim at any version gets nothing.
    expect(await repo.claimAndStartAttempt(intent.id, 2, new Date())).toBeNull();
    expect(await prisma.dispatchAttempt.count({ where: { intentId: intent.id } })).toBe(2);
  });

  it('recordDispatched ends the intent and closes the attempt in one statement, once', async () => {
    const intent = (await repo.insertUnlessLive(newRow({ phoneNumber: '+14155550105' })))!;
    const claim = (await repo.claimAndStartAttempt(intent.id, intent.version, new Date()))!;
    const endedAt = new Date();
    const result = { endedAt, httpStatus: 201, errorMessage: 'accepted', durationMs: 12 };
    const done = await repo.recordDispatched(intent.id, claim.attempt.id, 'ZD-1', result);
    expect(done).toEqual(await prismaRow(intent.id));
    expect(done).toMatchObject({ status: 'dispatched', vendorRef: 'ZD-1', claimedAt: null, lastError: null, version: 3 });
    expect(await prisma.dispatchAttempt.findUniqueOrThrow({ where: { id: claim.attempt.id } })).toMatchObject({
      endedAt,
      outcome: 'succeeded',
      httpStatus: 201,
      errorCode: null,
      errorMessage: 'accepted',
      durationMs: 12,
    });
    // A second record (a retry whose first try committed) finds it no longer dispatching.
    expect(await repo.recordDispatched(intent.id, claim.attempt.id, 'ZD-1', result)).toBeNull();
    expect((await prismaRow(intent.id)).version).toBe(3);
    expect(await prisma.dispatchAttempt.findUniqueOrThrow({ where: { id: claim.attempt.id } })).toMatchObject({ outcome: 'succeeded', httpStatus: 201 });
  });
});
