import { FAKE_EMAIL, FAKE_TOKEN, SEED_AVAILABLE, voiceNumber, ZendeskFake } from '../../../test/fakes/zendesk.fake';
import { ValidationFailed } from '../../common/errors';
import { VendorMisconfiguredError, VendorPermanentError, VendorRateLimitedError } from '../vendor.errors';
import { ZendeskAdapter } from './zendesk.adapter';
import { ZendeskPhoneNumbersClient } from './zendesk-phone-numbers.client';
import { ZendeskParamsError } from './zendesk-phone-numbers.params';

const NUMBERS = '/api/v2/channels/voice/phone_numbers';
const AUTH = `Basic ${Buffer.from(`${FAKE_EMAIL}/token:${FAKE_TOKEN}`).toString('base64')}`;

async function paramsError(p: Promise<unknown> | (() => unknown)): Promise<ZendeskParamsError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof ZendeskParamsError) return e;
    throw e;
  }
  throw new Error('expected a ZendeskParamsError');
}

describe('ZendeskPhoneNumbersClient against the fake Zendesk', () => {
  let fake: ZendeskFake;
  let adapter: ZendeskAdapter;
  let numbers: ZendeskPhoneNumbersClient;

  beforeEach(async () => {
    fake = await ZendeskFake.start({ pageSize: 2, phoneNumbers: [1001, 1002, 1003, 1004, 1005].map((id) => voiceNumber(id)) });
    adapter = new ZendeskAdapter();
    numbers = adapter.phoneNumbers(fake.account());
  });
  afterEach(async () => {
    await adapter.onModuleDestroy();
    await fake.stop();
  });

  it('lists every number by following next_page, keeping minimal_mode', async () => {
    const all = await numbers.list({ minimalMode: true });
    expect(all.map((n) => n.id)).toEqual([1001, 1002, 1003, 1004, 1005]);
    expect(fake.requests.map((r) => r.url)).toEqual([
      `${NUMBERS}?minimal_mode=true`,
      `${NUMBERS}.json?page=2&minimal_mode=true`,
      `${NUMBERS}.json?page=3&minimal_mode=true`,
    ]);
    expect(fake.requests.every((r) => r.method === 'GET' && r.headers.authorization === AUTH)).toBe(true);
    // minimal mode leaves out e.g. number and settings
    expect(Object.keys(all[0]).sort()).toEqual(['capabilities', 'country_code', 'display_number', 'external', 'id', 'nickname', 'outbound_enabled', 'priority', 'sms_enabled']);
  });

  it('lists full numbers without minimal_mode', async () => {
    const first = await numbers.pages().next();
    expect(fake.requests[0].url).toBe(NUMBERS);
    expect(first.value?.[0]).toMatchObject({ id: 1001, number: expect.stringMatching(/^\+1/), capabilities: { voice: true } });
  });

  it('refuses a next_page on another host (it would receive our credentials)', async () => {
    fake.enqueue({ match: { method: 'GET', path: NUMBERS }, status: 200, body: { phone_numbers: [], next_page: 'https://evil.example/api/v2/channels/voice/phone_numbers?page=2' } });
    await expect(numbers.list()).rejects.toBeInstanceOf(VendorMisconfiguredError);
    expect(fake.requests).toHaveLength(1);
  });

  it('stops when next_page loops back', async () => {
    fake.enqueue(
      { match: { path: NUMBERS }, status: 200, body: { phone_numbers: [], next_page: `${fake.baseUrl}${NUMBERS}?page=2` } },
      { match: { path: NUMBERS }, status: 200, body: { phone_numbers: [], next_page: `${fake.baseUrl}${NUMBERS}?page=2` } },
    );
    await expect(numbers.list()).rejects.toThrow('next_page points back');
  });

  it('searches available numbers with country, area_code, contains and toll_free', async () => {
    const found = await numbers.search({ country: 'us', areaCode: '240', contains: '3*2', tollFree: false });
    expect(found).toEqual([expect.objectContaining({ number: '+12403123885', token: SEED_AVAILABLE.token })]);
    expect(fake.requests[0].url).toBe(`${NUMBERS}/search?country=US&area_code=240&contains=3*2&toll_free=false`);
    expect(await numbers.search({ country: 'US', tollFree: true })).toEqual([]);
  });

  it('shows a number, with settings when asked', async () => {
    expect(await numbers.show(1003)).toMatchObject({ id: 1003, capabilities: { voice: true } });
    const withSettings = await numbers.show(1003, { include: ['settings', 'ivrs'] });
    expect(withSettings.settings).toMatchObject({ voicemail: true });
    expect(fake.requests.map((r) => r.url)).toEqual([`${NUMBERS}/1003`, `${NUMBERS}/1003?include=settings%2Civrs`]);
  });

  it('show of an unknown number is a permanent RecordNotFound', async () => {
    const e = await numbers.show(77).catch((err: Error) => err);
    expect(e).toBeInstanceOf(VendorPermanentError);
    expect((e as VendorPermanentError).info).toEqual({ httpStatus: 404, vendorCode: 'RecordNotFound' });
  });

  it('creates a number from a search token with the exact seed body', async () => {
    const created = await numbers.create({ token: SEED_AVAILABLE.token });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', url: NUMBERS, body: `{"phone_number":{"token":"${SEED_AVAILABLE.token}"}}` });
    expect(fake.requests[0].headers['content-type']).toBe('application/json');
    expect(created).toMatchObject({ number: '+12403123885' });
    expect(fake.store.numbers.has(created.id)).toBe(true);
  });

  it('creates a number that needs an address with a top-level address_sid', async () => {
    const needy = await ZendeskFake.start({ availableNumbers: [{ ...SEED_AVAILABLE, token: 'tok2', address_requirements: 'local' }] });
    try {
      const client = adapter.phoneNumbers(fake.account({ id: 'zd-needy', baseUrl: needy.baseUrl }));
      await expect(client.create({ token: 'tok2' })).rejects.toThrow('address_sid: is required for this number');
      await client.create({ token: 'tok2', addressSid: 'AD0123456789abcdef' });
      expect(needy.requests[1].body).toBe('{"phone_number":{"token":"tok2"},"address_sid":"AD0123456789abcdef"}');
    } finally {
      await needy.stop();
    }
  });

  it('updates fields, and settings through ?include=settings', async () => {
    const updated = await numbers.update(1002, { nickname: 'Callbacks', settings: { callback_from_queue: false, wrap_up_time_limit: 30 } });
    const put = fake.requests[0];
    expect(put).toMatchObject({ method: 'PUT', url: `${NUMBERS}/1002?include=settings` });
    expect(put.body).toBe('{"phone_number":{"nickname":"Callbacks","settings":{"callback_from_queue":false,"wrap_up_time_limit":30}}}');
    expect(updated).toMatchObject({ nickname: 'Callbacks', settings: { callback_from_queue: false, wrap_up_time_limit: 30, voicemail: true } });
    expect(fake.store.numbers.get(1002)?.settings).toMatchObject({ callback_from_queue: false });
  });

  it('updates plain fields without include', async () => {
    await numbers.update(1002, { recorded: false, group_ids: [3, 4] });
    expect(fake.requests[0].url).toBe(`${NUMBERS}/1002`);
    expect(fake.store.numbers.get(1002)).toMatchObject({ recorded: false, group_ids: [3, 4] });
  });

  it('deletes a number (200, null body)', async () => {
    await numbers.delete(1005);
    expect(fake.requests[0]).toMatchObject({ method: 'DELETE', url: `${NUMBERS}/1005`, body: '' });
    expect(fake.store.numbers.has(1005)).toBe(false);
    await expect(numbers.delete(1005)).rejects.toBeInstanceOf(VendorPermanentError);
  });

  it('passes Zendesk limits through as rate limited', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '7' }, body: { error: 'TooManyRequests' } });
    const e = await numbers.show(1001).catch((err: Error) => err);
    expect(e).toBeInstanceOf(VendorRateLimitedError);
    expect((e as VendorRateLimitedError).retryAfterMs).toBe(7_000);
  });

  describe('refuses bad parameters with no request sent', () => {
    afterEach(() => expect(fake.requests).toHaveLength(0));

    it('ids', async () => {
      for (const bad of [0, -3, 1.5, Number.NaN, '1001' as unknown as number]) {
        expect((await paramsError(numbers.show(bad))).problems.map((p) => p.field)).toEqual(['phone_number_id']);
        await paramsError(numbers.delete(bad));
      }
    });

    it('include values', async () => {
      const e = await paramsError(numbers.show(1001, { include: ['settings', 'everything' as never] }));
      expect(e.problems).toEqual([{ field: 'include', message: expect.stringContaining('everything') }]);
    });

    it('search: country, area_code, contains, toll_free', async () => {
      expect((await paramsError(numbers.search({ country: 'USA' }))).problems.map((p) => p.field)).toEqual(['country']);
      expect((await paramsError(numbers.search({ country: 'GB', areaCode: '510' }))).problems[0]).toEqual({ field: 'area_code', message: 'is only supported for US and CA' });
      const e = await paramsError(numbers.search({ country: '1', areaCode: '51', contains: 'pi zza', tollFree: 'yes' as never }));
      expect(e.problems.map((p) => p.field)).toEqual(['country', 'area_code', 'contains', 'toll_free']);
      expect(e).toBeInstanceOf(ValidationFailed);
      expect(e.message).toBe('Invalid Zendesk phone number parameters: country, area_code, contains, toll_free');
    });

    it('create: empty token, bad address_sid', async () => {
      expect((await paramsError(numbers.create({ token: '' }))).problems.map((p) => p.field)).toEqual(['token']);
      expect((await paramsError(numbers.create({ token: 'ok', addressSid: 'AD 12' }))).problems.map((p) => p.field)).toEqual(['address_sid']);
    });

    it('update: unknown, read-only and mistyped fields and settings, all listed at once', async () => {
      const e = await paramsError(
        numbers.update(0, {
          nickname: 5,
          number: '+15550000000',
          colour: 'blue',
          settings: { voicemail: 'yes', callback_locale: 'english', overflow_number: { enabled: true, number: '555' }, nope: 1 },
        }),
      );
      expect(e.problems.map((p) => p.field)).toEqual([
        'phone_number_id', 'nickname', 'number', 'colour', 'settings.voicemail', 'settings.callback_locale', 'settings.overflow_number', 'settings.nope',
      ]);
      expect(e.problems.find((p) => p.field === 'number')?.message).toBe('is read-only');
      expect((await paramsError(numbers.update(1001, {}))).problems.map((p) => p.field)).toEqual(['phone_number']);
      expect((await paramsError(numbers.update(1001, { token: 'x' }))).problems).toEqual([{ field: 'token', message: 'is read-only' }]);
    });

    it('list: minimal_mode must be a boolean', async () => {
      expect((await paramsError(numbers.list({ minimalMode: 'true' as never }))).problems.map((p) => p.field)).toEqual(['minimal_mode']);
    });
  });
});
