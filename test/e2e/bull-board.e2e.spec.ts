/**
 * Bull Board in a real headless Chromium (Debian `chromium` driven by
 * playwright-core): refused without an admin API key (with a Basic challenge,
 * so browsers prompt), shown with one — every account's queue, including a
 * newly configured account, and a delayed job created through the API.
 */
import { Browser, chromium } from 'playwright-core';
import { chromiumPath } from '../support/chromium';
import { startTestApp, TestApp } from '../support/app';

jest.setTimeout(180_000);

describe('Bull Board at /admin/queues', () => {
  let t: TestApp;
  let browser: Browser;
  let adminKey: string;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    t = await startTestApp({ accountsYaml: 'accounts:\n  - id: sim-added\n    vendor: simulator\n' });
    adminKey = t.authHeaders.authorization.replace(/^Bearer /, '');
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('refuses a browser without credentials, or with a key that is wrong or not admin-scoped', async () => {
    const nonAdmin = (await t.clientHeaders('ops-viewer', ['callbacks:read'])).authorization.replace(/^Bearer /, '');
    for (const httpCredentials of [undefined, { username: 'ops', password: 'cbo_wrong_key' }, { username: 'ops', password: nonAdmin }]) {
      const context = await browser.newContext({ httpCredentials });
      const page = await context.newPage();
      // Chromium answers a 401 Basic challenge it cannot satisfy (no prompt in headless, or refused credentials)
      // with net::ERR_INVALID_AUTH_CREDENTIALS; it raises auth only for a 401 carrying WWW-Authenticate.
      const statuses: number[] = [];
      page.on('response', (r) => statuses.push(r.status()));
      const res = await page.goto(`${t.baseUrl}/admin/queues`).catch((e: Error) => e);
      if (res instanceof Error) expect(res.message).toContain('ERR_INVALID_AUTH_CREDENTIALS');
      else expect(res!.status()).toBe(401);
      // Nothing of the board reached the browser.
      expect(statuses.every((st) => st === 401)).toBe(true);
      await context.close();
    }
    // The same keys over plain HTTP: 401 with the Basic challenge each time.
    for (const authorization of [undefined, 'Basic ' + Buffer.from('ops:cbo_wrong_key').toString('base64'), `Bearer ${nonAdmin}`]) {
      const r = await fetch(`${t.baseUrl}/admin/queues`, { headers: authorization ? { authorization } : {} });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="bull-board"/);
    }
    // The board's JSON API is guarded too, not only its pages.
    const api = await fetch(`${t.baseUrl}/admin/queues/api/queues`);
    expect(api.status).toBe(401);
    expect(((await api.json()) as any).error.code).toBe('unauthenticated');
  });

  it('shows every account queue and a delayed job created through the API to an admin key', async () => {
    const due = new Date(Date.now() + 3_600_000).toISOString();
    const created = await t.call('POST', '/v1/callbacks', { account: 'sim-added', phoneNumber: '+14155550961', scheduledAt: due });
    expect(created.status).toBe(201);

    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: adminKey } });
    const page = await context.newPage();
    const res = await page.goto(`${t.baseUrl}/admin/queues`);
    expect(res!.status()).toBe(200);
    for (const queue of ['dispatch-sim', 'dispatch-sim-added', 'webhooks']) await page.getByText(queue, { exact: true }).first().waitFor({ timeout: 30_000 });

    await page.goto(`${t.baseUrl}/admin/queues/queue/dispatch-sim-added?status=delayed`);
    await page.getByText(`intent-${created.body.id}`).first().waitFor({ timeout: 30_000 });
    // Ids only: the phone number is not on the board.
    expect(await page.content()).not.toContain('+14155550961');
    await context.close();

    // Bearer works for scripts; not read-only unless BULL_BOARD_READ_ONLY is set.
    const api = await fetch(`${t.baseUrl}/admin/queues/api/queues`, { headers: t.authHeaders });
    expect(api.status).toBe(200);
    const body = (await api.json()) as any;
    expect(body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['dispatch-sim', 'dispatch-sim-added', 'webhooks']);
    expect(body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode === false)).toBe(true);
  });

  it('BULL_BOARD_READ_ONLY=true puts every queue in read-only mode', async () => {
    const ro = await startTestApp({ env: { BULL_BOARD_READ_ONLY: 'true' } });
    try {
      const res = await fetch(`${ro.baseUrl}/admin/queues/api/queues`, { headers: ro.authHeaders });
      expect(res.status).toBe(200);
      const { queues } = (await res.json()) as any;
      expect(queues.length).toBeGreaterThan(0);
      expect(queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode === true)).toBe(true);
    } finally {
      await ro.close();
    }
  });
});
