import { parseAccounts } from '../config/accounts';
import { ConfigError, loadConfig } from '../config/config';
import { SimulatorAdapter } from '../vendors/simulator/simulator.adapter';
import { VendorAdapter, VendorKind } from '../vendors/vendor-adapter';

const adapters = new Map<VendorKind, VendorAdapter>([['simulator', new SimulatorAdapter() as unknown as VendorAdapter]]);
const parse = (extra: Record<string, unknown>, defaultCallingWindow?: null) =>
  parseAccounts({ accounts: [{ id: 'acme', vendor: 'simulator', ...extra }] }, { file: null, adapters, env: {}, allowInsecureUrls: false, defaultCallingWindow }).find((a) => a.id === 'acme')!;

describe('callingWindow and businessHours in the accounts file', () => {
  it('defaults to 08:00–21:00, and the built-in sim account has none', () => {
    const accounts = parseAccounts({ accounts: [{ id: 'acme', vendor: 'simulator' }] }, { file: null, adapters, env: {}, allowInsecureUrls: false });
    expect(accounts.find((a) => a.id === 'acme')!.callingWindow).toEqual({ start: 480, end: 1260, regions: [] });
    expect(accounts.find((a) => a.id === 'sim')!.callingWindow ?? null).toBeNull();
  });

  it('CALLING_WINDOW_DEFAULT=off leaves undeclared windows off; off disables one; a block overrides', () => {
    expect(parse({}, null).callingWindow).toBeNull();
    expect(parse({ callingWindow: 'off' }).callingWindow).toBeNull();
    expect(parse({ callingWindow: { start: '09:00', end: '20:00' } }).callingWindow).toEqual({ start: 540, end: 1200, regions: [] });
  });

  it('parses regions, weekly hours, holidays and the zone (defaulting to defaultTimezone)', () => {
    const a = parse({
      defaultTimezone: 'America/New_York',
      callingWindow: { regions: [{ name: 'us-tx', countries: ['US'], prefixes: ['+1512'], end: '20:00', maxAttemptsPer24h: 3, timezone: 'America/Chicago' }] },
      businessHours: { weekly: { mon: [['13:00', '17:00'], ['09:00', '12:00']], sat: [['10:00', '14:00']] }, holidays: ['2026-12-25'] },
    });
    expect(a.callingWindow!.regions[0]).toEqual({ name: 'us-tx', countries: ['US'], prefixes: ['+1512'], start: 480, end: 1200, maxAttemptsPer24h: 3, timezone: 'America/Chicago' });
    expect(a.businessHours).toMatchObject({ zone: 'America/New_York', vendorQueuesWhenClosed: false });
    expect(a.businessHours!.weekly[1]).toEqual([[540, 720], [780, 1020]]);
    expect(a.businessHours!.weekly[7]).toEqual([]);
    expect([...a.businessHours!.holidays]).toEqual(['2026-12-25']);
  });

  it.each([
    [{ callingWindow: { start: '8am' } }, 'account acme.callingWindow.start must be a time "HH:mm"'],
    [{ callingWindow: { start: '21:00', end: '08:00' } }, 'account acme.callingWindow.start must be before callingWindow.end'],
    [{ callingWindow: { days: 5 } }, 'account acme.callingWindow: unknown key "days"'],
    [{ callingWindow: { regions: [{ name: 'x' }] } }, 'account acme.callingWindow.regions[0] needs countries or prefixes'],
    [{ callingWindow: { regions: [{ name: 'x', prefixes: ['1512'] }] } }, 'account acme.callingWindow.regions[0].prefixes[0] must be an E.164 prefix'],
    [{ callingWindow: { regions: [{ name: 'x', countries: ['USA'] }] } }, 'account acme.callingWindow.regions[0].countries[0] must be an ISO 3166 country code'],
    [{ callingWindow: { regions: [{ name: 'x', countries: ['US'], maxAttemptsPer24h: 0 }] } }, 'account acme.callingWindow.regions[0].maxAttemptsPer24h must be an integer ≥ 1'],
    [{ callingWindow: { regions: [{ name: 'x', countries: ['US'], timezone: 'Texas' }] } }, 'account acme.callingWindow.regions[0].timezone is not an IANA time zone'],
    [{ businessHours: { weekly: { mon: [['09:00', '17:00']] } } }, "account acme.businessHours.zone is required (or set the account's defaultTimezone)"],
    [{ businessHours: { zone: 'Mars/Base', weekly: { mon: [['09:00', '17:00']] } } }, 'account acme.businessHours.zone is not an IANA time zone'],
    [{ businessHours: { zone: 'UTC', weekly: { monday: [['09:00', '17:00']] } } }, 'account acme.businessHours.weekly: unknown key "monday"'],
    [{ businessHours: { zone: 'UTC', weekly: { mon: [['09:00', '12:00'], ['11:00', '17:00']] } } }, 'account acme.businessHours.weekly.mon has overlapping intervals'],
    [{ businessHours: { zone: 'UTC', weekly: { mon: [['09:00']] } } }, 'account acme.businessHours.weekly.mon[0] must be ["HH:mm","HH:mm"]'],
    [{ businessHours: { zone: 'UTC', weekly: {} } }, 'account acme.businessHours.weekly must open on at least one day'],
    [{ businessHours: { zone: 'UTC', weekly: { mon: [['09:00', '17:00']] }, holidays: ['2026-02-30'] } }, 'account acme.businessHours.holidays[0] must be a date YYYY-MM-DD'],
    [{ businessHours: { zone: 'UTC', weekly: { mon: [['09:00', '17:00']] }, vendorQueuesWhenClosed: 'yes' } }, 'account acme.businessHours.vendorQueuesWhenClosed must be true or false'],
  ])('refuses %j at boot, naming the field', (extra, message) => {
    expect(() => parse(extra)).toThrow(message);
  });

  it('CALLING_WINDOW_DEFAULT is validated at boot', () => {
    const base = { DATABASE_URL: 'postgres://x/y', REDIS_URL: 'redis://x' };
    expect(loadConfig(base).callingWindowDefault).toEqual({ start: 480, end: 1260, regions: [] });
    expect(loadConfig({ ...base, CALLING_WINDOW_DEFAULT: '09:00-20:00' }).callingWindowDefault).toEqual({ start: 540, end: 1200, regions: [] });
    expect(loadConfig({ ...base, CALLING_WINDOW_DEFAULT: 'off' }).callingWindowDefault).toBeNull();
    expect(() => loadConfig({ ...base, CALLING_WINDOW_DEFAULT: '21:00-08:00' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, CALLING_WINDOW_DEFAULT: 'always' })).toThrow('CALLING_WINDOW_DEFAULT');
  });
});
