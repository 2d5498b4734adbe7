import { checkWebhookUrl, isNonPublicAddress } from './url-guard';

describe('webhook URL guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip'])(
    'treats %s as non-public',
    (ip) => expect(isNonPublicAddress(ip)).toBe(true),
  );

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('treats %s as public', (ip) => expect(isNonPublicAddress(ip)).toBe(false));

  it.each([
    ['http://93.184.216.34/hook', 'must use https'],
    ['https://127.0.0.1/hook', 'loopback, private or link-local'],
    ['https://[::1]/hook', 'loopback, private or link-local'],
    ['https://169.254.169.254/latest/meta-data', 'loopback, private or link-local'],
    ['https://localhost:8443/hook', 'loopback, private or link-local'],
    ['https://user:pw@93.184.216.34/hook', 'credentials'],
    ['not a url', 'absolute URL'],
  ])('refuses %s', async (url, message) => {
    await expect(checkWebhookUrl(url, false)).rejects.toThrow(message);
  });

  it('accepts a public https address, and private or http ones only when allowed', async () => {
    await expect(checkWebhookUrl('https://93.184.216.34/hook', false)).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('http://127.0.0.1:9999/hook', true)).resolves.toBeInstanceOf(URL);
  });
});
