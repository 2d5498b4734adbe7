/**
 * The phone numbers half of the Zendesk fake (seeds/004): an in-memory store of
 * Talk numbers and numbers available to buy, with list (pages via next_page
 * absolute links, minimal_mode), search, show (?include=settings), create from a
 * search token (address_sid when the number needs one), update (settings only
 * with ?include=settings, as the seed says) and delete (200, body null).
 */
export interface FakePhoneNumber {
  id: number;
  number: string;
  display_number?: string;
  country_code?: string;
  nickname?: string | null;
  capabilities: { sms: boolean; mms: boolean; voice: boolean; emergency_address?: boolean };
  settings?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FakeAvailableNumber {
  number: string;
  token: string;
  country_code: string;
  toll_free: boolean;
  address_requirements: 'none' | 'local' | 'any' | 'foreign';
  display_number?: string;
  location?: string;
  price?: string;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
}

const MINIMAL_KEYS = ['id', 'country_code', 'external', 'nickname', 'display_number', 'capabilities', 'sms_enabled', 'priority', 'outbound_enabled'];
const READ_ONLY = ['id', 'number', 'display_number', 'country_code', 'created_at', 'external', 'location', 'name', 'toll_free', 'token', 'capabilities'];
const DEFAULT_SETTINGS = { voicemail: true, callback_from_queue: true, maximum_queue_size: 5, wrap_up_enabled: false, priority: 0 };

export function voiceNumber(id: number, number = `+1251871${String(id).padStart(4, '0').slice(-4)}`): FakePhoneNumber {
  return {
    id, number, display_number: number, country_code: 'US', nickname: `Line ${id}`, external: false, priority: 0,
    capabilities: { sms: true, mms: false, voice: true, emergency_address: false }, sms_enabled: false, outbound_enabled: true,
    created_at: '2013-04-13T16:02:33Z', settings: { ...DEFAULT_SETTINGS },
  };
}

export function smsOnlyNumber(id: number): FakePhoneNumber {
  return { ...voiceNumber(id), capabilities: { sms: true, mms: false, voice: false, emergency_address: false } };
}

/** The available number of the seed's search example. */
export const SEED_AVAILABLE: FakeAvailableNumber = {
  number: '+12403123885', display_number: '+1 (240) 3123885', token: '24a407cef67213be6d26b4c02d7d86c0', country_code: 'US',
  toll_free: false, location: 'MD', price: '$1.00', address_requirements: 'none',
};

export const notFound = (): FakeAnswer => ({ status: 404, body: { error: 'RecordNotFound', description: 'Not found' } });
export const invalid = (details: Record<string, string>): FakeAnswer => ({
  status: 422,
  body: {
    error: 'RecordInvalid',
    description: 'Record validation errors',
    details: Object.fromEntries(Object.entries(details).map(([f, d]) => [f, [{ description: d, error: 'InvalidValue' }]])),
  },
});

export class FakePhoneNumberStore {
  readonly numbers = new Map<number, FakePhoneNumber>();
  readonly available: FakeAvailableNumber[];
  private nextId = 9000;

  constructor(numbers: FakePhoneNumber[], available: FakeAvailableNumber[], private readonly pageSize: number) {
    for (const n of numbers) this.numbers.set(n.id, structuredClone(n));
    this.available = available.map((a) => ({ ...a }));
  }

  private view(n: FakePhoneNumber, withSettings: boolean): Record<string, unknown> {
    const { settings, ...rest } = n;
    return withSettings ? { ...rest, settings: settings ?? {} } : rest;
  }

  list(baseUrl: string, query: URLSearchParams): FakeAnswer {
    const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
    const minimal = query.get('minimal_mode') === 'true';
    const all = [...this.numbers.values()].sort((a, b) => a.id - b.id);
    const slice = all.slice((page - 1) * this.pageSize, page * this.pageSize).map((n) => {
      const v = this.view(n, false);
      return minimal ? Object.fromEntries(MINIMAL_KEYS.filter((k) => k in v).map((k) => [k, v[k]])) : v;
    });
    // Zendesk's links are absolute and carry the query (the .json suffix included).
    const link = (p: number) => `${baseUrl}/api/v2/channels/voice/phone_numbers.json?page=${p}${minimal ? '&minimal_mode=true' : ''}`;
    const next = page * this.pageSize < all.length ? link(page + 1) : null;
    return { status: 200, body: { phone_numbers: slice, next_page: next, previous_page: page > 1 ? link(page - 1) : null, count: all.length } };
  }

  search(query: URLSearchParams): FakeAnswer {
    const country = query.get('country');
    if (!country) return invalid({ country: 'is required' });
    const tollFree = query.get('toll_free');
    const areaCode = query.get('area_code');
    const contains = query.get('contains');
    const hits = this.available.filter(
      (a) =>
        a.country_code === country &&
        (tollFree === null || String(a.toll_free) === tollFree) &&
        (!areaCode || a.number.startsWith(`+1${areaCode}`)) &&
        (!contains || new RegExp(contains.replace(/\*/g, '\\d')).test(a.number)),
    );
    return { status: 200, body: { phone_numbers: hits.map((a) => ({ ...a, capabilities: { mms: false, sms: true, voice: true } })), next_page: null, previous_page: null, count: hits.length } };
  }

  show(id: number, include: string[]): FakeAnswer {
    const n = this.numbers.get(id);
    return n ? { status: 200, body: { phone_number: this.view(n, include.includes('settings')) } } : notFound();
  }

  create(body: unknown): FakeAnswer {
    const b = body as { phone_number?: { token?: unknown }; address_sid?: unknown } | null;
    const extra = b && typeof b === 'object' ? Object.keys(b).filter((k) => k !== 'phone_number' && k !== 'address_sid') : [];
    const pnKeys = b?.phone_number && typeof b.phone_number === 'object' ? Object.keys(b.phone_number) : [];
    if (!b?.phone_number || extra.length || pnKeys.some((k) => k !== 'token') || typeof b.phone_number.token !== 'string') {
      return invalid({ phone_number: 'must be {"phone_number":{"token":…}} with an optional address_sid' });
    }
    const idx = this.available.findIndex((a) => a.token === b.phone_number!.token);
    if (idx < 0) return invalid({ token: 'is not a valid token' });
    const found = this.available[idx];
    if (found.address_requirements !== 'none' && typeof b.address_sid !== 'string') return invalid({ address_sid: 'is required for this number' });
    this.available.splice(idx, 1);
    const created = { ...voiceNumber(this.nextId++, found.number), country_code: found.country_code, toll_free: found.toll_free };
    this.numbers.set(created.id, created);
    return { status: 200, body: { phone_number: this.view(created, false) } };
  }

  update(id: number, body: unknown, include: string[]): FakeAnswer {
    const n = this.numbers.get(id);
    if (!n) return notFound();
    const fields = (body as { phone_number?: Record<string, unknown> } | null)?.phone_number;
    if (!fields || typeof fields !== 'object' || Object.keys(body as object).length !== 1) return invalid({ phone_number: 'is required' });
    const bad = Object.keys(fields).filter((k) => READ_ONLY.includes(k));
    if (bad.length) return invalid(Object.fromEntries(bad.map((k) => [k, 'is read-only'])));
    const { settings, ...rest } = fields;
    Object.assign(n, rest);
    // The seed: settings are updated only with ?include=settings; without it they are ignored.
    if (settings && include.includes('settings')) n.settings = { ...(n.settings ?? {}), ...(settings as Record<string, unknown>) };
    return { status: 200, body: { phone_number: this.view(n, include.includes('settings')) } };
  }

  delete(id: number): FakeAnswer {
    return this.numbers.delete(id) ? { status: 200, body: null } : notFound();
  }
}
