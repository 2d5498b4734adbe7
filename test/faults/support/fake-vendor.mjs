// A counting fake of Zendesk Talk's callback-request endpoint, run as its own
// process by the fault suite (`node test/faults/support/fake-vendor.mjs`; it
// prints {"port":N} on its first stdout line). It accepts what VENDORS.md's
// Zendesk contract sends — POST /api/v2/channels/voice/callback_requests with
// HTTP Basic auth and {"callback_request":{phone_number_id, requester_phone_number}}
// — and answers 201 with a null body, as the seed does.
//
// Control (not part of Zendesk):
//   POST /__control {"mode":"ok"|"500"|"429"|"timeout", "delayMs":0, "retryAfterS":1}
//     ok      → 201 after delayMs (the callback is created when the request arrives)
//     500     → 500, nothing created
//     429     → 429 with Retry-After, nothing created
//     timeout → the callback IS created, but no answer is ever sent (the worst case
//               of "timeout after send": the caller cannot know it went through)
//   GET  /__requests → every request received: {at, phone, mode, created}
//   POST /__reset    → forgets the requests
import http from 'node:http';

const EXPECTED_AUTH = `Basic ${Buffer.from(`${process.env.FAKE_EMAIL ?? 'ops@acme.example'}/token:${process.env.FAKE_TOKEN ?? 'fault-token'}`).toString('base64')}`;
const CALLBACKS = '/api/v2/channels/voice/callback_requests';
const E164 = /^\+[1-9]\d{6,14}$/;

let control = { mode: 'ok', delayMs: 0, retryAfterS: 1 };
const requests = [];
const hanging = new Set();

function send(res, status, body, headers = {}) {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function onCallback(req, res, raw) {
  if (req.headers.authorization !== EXPECTED_AUTH) return send(res, 401, { error: "Couldn't authenticate you" });
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    return send(res, 400, { error: 'InvalidJSON', description: 'The request body is not valid JSON' });
  }
  const cr = body?.callback_request;
  if (!cr || !Number.isInteger(cr.phone_number_id) || typeof cr.requester_phone_number !== 'string' || !E164.test(cr.requester_phone_number)) {
    return send(res, 422, { error: 'RecordInvalid', description: 'Record validation errors', details: { requester_phone_number: [{ description: 'invalid' }] } });
  }
  const { mode, delayMs, retryAfterS } = control;
  const created = mode === 'ok' || mode === 'timeout';
  requests.push({ at: Date.now(), phone: cr.requester_phone_number, mode, created });
  if (mode === '500') return send(res, 500, { error: 'InternalServerError', description: 'fault injected' });
  if (mode === '429') return send(res, 429, { error: 'TooManyRequests', description: 'fault injected' }, { 'retry-after': String(retryAfterS) });
  if (mode === 'timeout') {
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
    return;
  }
  if (delayMs > 0) setTimeout(() => send(res, 201, null), delayMs);
  else send(res, 201, null);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://fake').pathname.replace(/\.json$/, '');
    if (path === '/__control' && req.method === 'POST') {
      control = { mode: 'ok', delayMs: 0, retryAfterS: 1, ...JSON.parse(raw || '{}') };
      if (control.mode !== 'timeout') for (const r of hanging) r.destroy();
      return send(res, 200, control);
    }
    if (path === '/__requests' && req.method === 'GET') return send(res, 200, requests);
    if (path === '/__reset' && req.method === 'POST') {
      requests.length = 0;
      return send(res, 200, { ok: true });
    }
    if (path === CALLBACKS && req.method === 'POST') return onCallback(req, res, raw);
    return send(res, 404, { error: 'InvalidEndpoint', description: 'Not found' });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => {
  for (const r of hanging) r.destroy();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
