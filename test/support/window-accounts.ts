/**
 * Accounts for the calling-window e2e tests (issue 11):
 *   win     simulator; the default window (set CALLING_WINDOW_DEFAULT=08:00-21:00) plus
 *           region us-tx (+1512: until 20:00, America/Chicago, 3 calls per 24 h)
 *   hours   simulator; business hours Mon–Fri 09:00–17:00 New York, holidays 2026-11-26 and 2026-12-25
 *   queues  as hours, but vendorQueuesWhenClosed: true
 *   nowin   simulator; callingWindow: off
 */
import YAML from 'yaml';

const WEEKDAYS = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]]));
const HOURS = { zone: 'America/New_York', weekly: WEEKDAYS, holidays: ['2026-11-26', '2026-12-25'] };
export const WINDOW_ACCOUNTS = YAML.stringify({
  accounts: [
    {
      id: 'win',
      vendor: 'simulator',
      retry: { attempts: 3, backoffMs: 3000, maxBackoffMs: 3000, maxAgeMs: 86_400_000 },
      callingWindow: { regions: [{ name: 'us-tx', prefixes: ['+1512'], end: '20:00', maxAttemptsPer24h: 3, timezone: 'America/Chicago' }] },
    },
    { id: 'hours', vendor: 'simulator', callingWindow: 'off', businessHours: HOURS },
    { id: 'queues', vendor: 'simulator', callingWindow: 'off', businessHours: { ...HOURS, vendorQueuesWhenClosed: true } },
    { id: 'nowin', vendor: 'simulator', callingWindow: 'off' },
  ],
});

