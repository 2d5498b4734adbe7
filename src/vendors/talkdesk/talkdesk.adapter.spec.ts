import { Test } from '@nestjs/testing';
import { TalkdeskFake, TalkdeskFakeOptions } from '../../../test/fakes/talkdesk.fake';
import { Clock } from '../../common/clock';
import { Account, parseAccounts } from '../../config/accounts';
import type { DispatchRequest } from '../vendor-adapter';
import { VendorOutcomeUnknownError, VendorPermanentError, VendorRetryableError } from '../vendor.errors';
import { TalkdeskAdapter } from './talkdesk.adapter';
import type { TalkdeskError } from './talkdesk.mapper';
import type { TalkdeskSettings } from './talkdesk.types';

const PHONE = '+12518717081';
const ROUTING = { assignmentType: 'SPECIFIC_AGENT', assignees: ['agent-7'], callerId: '+14155550100' };

let fake: TalkdeskFake;
let adapter: TalkdeskAdapter;
let account: Account<TalkdeskSettings>;

async function setup(block: Record<string, unknown> = {}, fakeOpts: TalkdeskFakeOptions = {}, entry: Record<string, unknown> = {}) {
  fake = await TalkdeskFake.start(fakeOpts);
  adapter = new TalkdeskAdapter();
  const adapters = new Map([['talkdesk' as const, adapter]]);
  const doc = { accounts: [{ ...fake.accountEntry('td', block), ...entry }] };
  account = parseAccounts(doc, { file: null, adapters, env: fake.env(), allowInsecureUrls: true })[0] as Account<TalkdeskSettings>;
}

afterEach(async () => {
  await adapter?.onModuleDestroy();
  adapter = undefined as unknown as TalkdeskAdapter;
  await fake?.stop();
  fake = undefined as unknown as TalkdeskFake;
});

/** A due time in whole seconds, as an API client would send it. */
const inMs = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
const req = (over: Partial<DispatchRequest> = {}): DispatchRequest => ({
  intentId: 'cb_1', phoneNumber: PHONE, dueAt: inMs(600_000), timezone: 'Europe/Lisbon', notes: 'asked about invoice 42',
  routing: ROUTING, attempt: 1, previousOutcomeUnknown: false, ...over,
});
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

describe('TalkdeskAdapter.dispatch', () => {
  it('sends an intent due in 10 minutes with exactly that time and its zone, after the duplicate check', async () => {
    await setup();
    const r = req();
    const result = await adapter.dispatch(account, r);

    const [stored] = [...fake.callbacks.values()];
    expect(result).toEqual({ vendorRef: stored.id, httpStatus: 201, scheduledFor: r.dueAt, note: undefined });
    expect(fake.apiRequests.map((q) => `${q.method} ${q.url}`)).toEqual([
      'GET /schedule-callbacks?phone_number=%2B12518717081&status=UNATTEMPTED&page=1&per_page=100',
      'GET /schedule-callbacks?phone_number=%2B12518717081&status=TO_BE_RETRIED&page=1&per_page=100',
      'POST /schedule-callbacks',
    ]);
    const post = fake.apiRequests[2];
    expect(post.body).toBe(
      `{"phoneNumber":"+12518717081","timeToCall":"${iso(r.dueAt!)}","timezone":"Europe/Lisbon","assignmentType":"SPECIFIC_AGENT",` +
        '"assignees":["agent-7"],"callerId":"+14155550100","dialingMode":"PREVIEW","notes":"asked about invoice 42"}',
    );
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.headers.authorization).toMatch(/^Bearer fake-/);

    const [token] = fake.tokenRequests;
    expect(token.body).toBe('grant_type=client_credentials&scope=schedule-callbacks%3Aread+schedule-callbacks%3Awrite');
    expect(token.headers.authorization).toBe(`Basic ${Buffer.from('td-fake-client:td-fake-secret').toString('base64')}`);
    expect(token.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('uses the account zone, then UTC, when the intent has none; routing defaults fill gaps', async () => {
    await setup({ defaultCallerId: '+14155550100', defaultAssignmentType: 'ANY_ELIGIBLE_AGENT' }, {}, { defaultTimezone: 'America/Toronto' });
    await adapter.dispatch(account, req({ timezone: null, routing: { interactionId: 'int-9' }, notes: null }));
    expect(JSON.parse(fake.apiRequests[2].body)).toMatchObject({ timezone: 'America/Toronto', assignmentType: 'ANY_ELIGIBLE_AGENT', interactionId: 'int-9' });
    account = { ...account, defaultTimezone: null };
    await adapter.dispatch(account, req({ phoneNumber: '+14155550123', timezone: null, routing: {} }));
    expect(JSON.parse(fake.apiRequests[5].body).timezone).toBe('UTC');
  });

  it.each([
    ['an ASAP intent', null, 'as soon as possible: sent with the earliest time Talkdesk accepts'],
    ['an intent due in 20 s', 20_000, "is closer than Talkdesk's 1-minute lead: sent with the earliest time it accepts"],
  ])('sends %s with the earliest time Talkdesk accepts and says so', async (_name, dueIn, note) => {
    await setup();
    const before = Date.now();
    const result = await adapter.dispatch(account, req({ dueAt: dueIn === null ? null : inMs(dueIn) }));
    const sent = Date.parse(JSON.parse(fake.apiRequests[2].body).timeToCall);
    expect(sent).toBeGreaterThanOrEqual(before + 75_000);
    expect(sent).toBeLessThanOrEqual(Date.now() + 76_000);
    expect(result.scheduledFor).toEqual(new Date(sent));
    expect(result.note).toContain(note);
    expect(result.note).toContain(iso(new Date(sent)));
    expect(result.httpStatus).toBe(201);
  });

  it.each(['UNATTEMPTED', 'TO_BE_RETRIED'])('links to an open %s callback for the number instead of creating a second one', async (status) => {
    await setup();
    fake.addCallback({ phoneNumber: '+14155550123', status: 'UNATTEMPTED' });
    fake.addCallback({ phoneNumber: PHONE, status: 'SUCCESS' });
    const open = fake.addCallback({ phoneNumber: PHONE, status, timeToCall: '2026-12-01T09:30:00Z' });
    const result = await adapter.dispatch(account, req());
    expect(result).toEqual({ vendorRef: open.id, httpStatus: 200, note: `linked to existing Talkdesk callback ${open.id}`, scheduledFor: new Date('2026-12-01T09:30:00Z') });
    expect(fake.apiRequests.filter((q) => q.method === 'POST')).toHaveLength(0);
    expect(fake.callbacks.size).toBe(3);
  });

  it('creates again when the earlier callback for the number is closed', async () => {
    await setup();
    fake.addCallback({ phoneNumber: PHONE, status: 'CANCELED' });
    await adapter.dispatch(account, req());
    expect(fake.callbacks.size).toBe(2);
  });

  it('after an unknown outcome finds the callback that did land, and does not create a second one', async () => {
    await setup();
    fake.enqueue({ match: { method: 'POST' }, loseAnswer: true });
    await expect(adapter.dispatch(account, req())).rejects.toBeInstanceOf(VendorOutcomeUnknownError);
    expect(fake.callbacks.size).toBe(1);
    const [landed] = [...fake.callbacks.values()];
    const result = await adapter.dispatch(account, req({ attempt: 2, previousOutcomeUnknown: true }));
    expect(result.vendorRef).toBe(landed.id);
    expect(result.note).toBe(`linked to existing Talkdesk callback ${landed.id}`);
    expect(fake.callbacks.size).toBe(1);
  });

  it('follows list pages, by page number on our own base URL', async () => {
    await setup();
    const hal = { 'content-type': 'application/hal+json' };
    fake.enqueue(
      { match: { method: 'GET' }, status: 200, headers: hal, body: { page: 1, total_pages: 2, _embedded: { callbacks: [{ id: 'x1', phoneNumber: '+14155550123', status: 'UNATTEMPTED' }] }, _links: { next: { href: 'https://evil.example/next' } } } },
      { match: { method: 'GET' }, status: 200, headers: hal, body: { page: 2, total_pages: 2, _embedded: { callbacks: [{ id: 'x2', phoneNumber: PHONE, status: 'UNATTEMPTED' }] } } },
    );
    const result = await adapter.dispatch(account, req());
    expect(result.vendorRef).toBe('x2');
    expect(fake.apiRequests.map((q) => q.query.get('page'))).toEqual(['1', '2']);
  });

  it('posts to the configured create path', async () => {
    await setup({ createPath: '/schedule-callbacks/create' }, { createPath: '/schedule-callbacks/create' });
    await adapter.dispatch(account, req());
    expect(fake.apiRequests[2].path).toBe('/schedule-callbacks/create');
  });

  it('surfaces Talkdesk refusing the time (its clock ahead of ours) with its message and fields', async () => {
    await setup({}, { now: () => Date.now() + 30_000 });
    const err = (await adapter.dispatch(account, req({ dueAt: null })).catch((e) => e)) as TalkdeskError;
    expect(err).toBeInstanceOf(VendorPermanentError);
    expect(err.message).toBe('Talkdesk create callback answered 400 3600001: Invalid scheduled callback; timeToCall: must be at least 1 minute in the future');
    expect(err.details).toEqual([{ field: 'timeToCall', message: 'must be at least 1 minute in the future' }]);
  });

  it('treats a created answer without an id as an unknown outcome', async () => {
    await setup();
    fake.enqueue({ match: { method: 'POST' }, status: 201, body: { status: 'UNATTEMPTED' } });
    await expect(adapter.dispatch(account, req())).rejects.toBeInstanceOf(VendorOutcomeUnknownError);
  });

  it('refuses routing that lost a required field, before calling Talkdesk', async () => {
    await setup();
    await expect(adapter.dispatch(account, req({ routing: { assignmentType: 'SPECIFIC_AGENT' } }))).rejects.toThrow(
      'routing is not valid for Talkdesk: routing.assignees is required with assignmentType SPECIFIC_AGENT (the account sets no default); routing.callerId is required (the account sets no default)',
    );
    expect(fake.requests).toHaveLength(0);
  });
});

describe('TalkdeskAdapter.update and cancel', () => {
  it('carries a reschedule to Talkdesk as PATCH replace ops', async () => {
    await setup();
    const { vendorRef } = await adapter.dispatch(account, req());
    const dueAt = inMs(3_600_000);
    await adapter.update(account, { vendorRef, dueAt, timezone: 'Asia/Tokyo' });
    const patch = fake.apiRequests.at(-1)!;
    expect(`${patch.method} ${patch.path}`).toBe(`PATCH /schedule-callbacks/${vendorRef}`);
    expect(patch.body).toBe(`[{"op":"replace","path":"/timeToCall","value":"${iso(dueAt)}"},{"op":"replace","path":"/timezone","value":"Asia/Tokyo"}]`);
    expect(fake.callbacks.get(vendorRef)).toMatchObject({ timeToCall: iso(dueAt), timezone: 'Asia/Tokyo' });
  });

  it('carries a cancel to Talkdesk as DELETE (204)', async () => {
    await setup();
    const { vendorRef } = await adapter.dispatch(account, req());
    await adapter.cancel(account, vendorRef);
    const del = fake.apiRequests.at(-1)!;
    expect(`${del.method} ${del.path} ${del.body}`).toBe(`DELETE /schedule-callbacks/${vendorRef} `);
    expect(fake.callbacks.get(vendorRef)?.status).toBe('CANCELED');
  });

  it('surfaces a refused reschedule or cancel with Talkdesk message', async () => {
    await setup();
    await expect(adapter.update(account, { vendorRef: 'nope', dueAt: inMs(600_000), timezone: null })).rejects.toThrow(
      'Talkdesk reschedule callback answered 404 3600040: Scheduled callback not found',
    );
    const done = fake.addCallback({ phoneNumber: PHONE, status: 'SUCCESS' });
    const err = await adapter.cancel(account, done.id).catch((e) => e);
    expect(err).toBeInstanceOf(VendorPermanentError);
    expect(err.message).toBe('Talkdesk cancel callback answered 409 3600090: Scheduled callback is SUCCESS and cannot be changed');
  });

  it('reports a Talkdesk outage on update as retryable', async () => {
    await setup();
    const open = fake.addCallback({ phoneNumber: PHONE });
    fake.enqueue({ match: { method: 'PATCH' }, status: 503, body: { code: '5030000', message: 'Service unavailable' } });
    await expect(adapter.update(account, { vendorRef: open.id, dueAt: inMs(600_000), timezone: 'UTC' })).rejects.toBeInstanceOf(VendorRetryableError);
  });
});

describe('TalkdeskAdapter in Nest', () => {
  it('is created by DI with or without a Clock provider, and declares its capabilities', async () => {
    const fixed = new Date('2026-03-01T12:00:00Z');
    const clock = { now: () => fixed };
    const bare = await Test.createTestingModule({ providers: [TalkdeskAdapter] }).compile();
    const withClock = await Test.createTestingModule({ providers: [TalkdeskAdapter, { provide: Clock, useValue: clock }] }).compile();
    const a = bare.get(TalkdeskAdapter);
    expect(a.capabilities).toEqual({ nativeScheduling: true, minLeadMs: 60_000, handOverAheadMs: 300_000, canUpdate: true, canCancel: true, canLookup: true });
    expect(a.defaultRateLimit).toBeNull();
    expect((withClock.get(TalkdeskAdapter) as unknown as { now(): Date }).now()).toBe(fixed);
    await bare.close();
    await withClock.close();
  });

  it("tells the dispatcher the account's own hand-over time", async () => {
    await setup({ handOverAheadMs: 600_000 });
    expect(adapter.handOverAheadFor(account)).toBe(600_000);
  });
});
