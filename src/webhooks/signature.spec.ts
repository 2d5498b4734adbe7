import { createHmac } from 'node:crypto';
import { newWebhookSecret, sign, verify } from './signature';

describe('webhook signature', () => {
  const secret = newWebhookSecret();
  const body = '{"id":"e1","type":"dispatched"}';

  it('is t=<ts>,v1=<hex HMAC-SHA256(secret, ts.body)>', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(sign(secret, 1700000000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies its own signature and refuses a changed body, another secret or an old timestamp', () => {
    const header = sign(secret, 1700000000, body);
    expect(verify(secret, header, body, 1700000010)).toBe(true);
    expect(verify(secret, header, body.replace('e1', 'e2'), 1700000010)).toBe(false);
    expect(verify(newWebhookSecret(), header, body, 1700000010)).toBe(false);
    expect(verify(secret, header, body, 1700000000 + 301)).toBe(false);
    expect(verify(secret, 'garbage', body, 1700000000)).toBe(false);
  });
});
