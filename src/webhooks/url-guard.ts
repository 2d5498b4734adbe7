/**
 * Webhook targets must be public: a URL that resolves to loopback, private,
 * link-local (cloud metadata), CGNAT, multicast or reserved space is refused,
 * at registration and again on every connection (the resolved address is
 * checked in the socket's DNS lookup, so a name that later re-resolves to a
 * private address — DNS rebinding — is refused too).
 * WEBHOOK_ALLOW_PRIVATE_URLS=true lifts this (and allows plain http) for
 * development and tests.
 */
import dns from 'node:dns';
import net from 'node:net';

const blocked = new net.BlockList();
for (const [addr, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(addr, prefix, 'ipv4');
for (const [addr, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(addr, prefix, 'ipv6');

/** True for addresses a webhook may not reach (IPv4-mapped IPv6 is judged as IPv4). */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1], 'ipv4');
  const family = net.isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class WebhookUrlRefused extends Error {}

/** Checks the URL's form and that every address its host resolves to is public. Throws WebhookUrlRefused. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRefused('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) throw new WebhookUrlRefused('must use https');
  if (url.username || url.password) throw new WebhookUrlRefused('must not carry credentials');
  if (url.hash) throw new WebhookUrlRefused('must not have a #fragment');
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new WebhookUrlRefused(`host ${host} does not resolve`);
  }
  const bad = addresses.find(isNonPublicAddress);
  if (bad) throw new WebhookUrlRefused(`resolves to a loopback, private or link-local address (${bad})`);
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** A socket `lookup` that refuses non-public addresses (used by the delivery HTTP agent). */
export function publicOnlyLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isNonPublicAddress(a.address));
    if (bad) {
      const e: NodeJS.ErrnoException = new Error(`webhook host ${hostname} resolves to a non-public address (${bad.address})`);
      e.code = 'EWEBHOOKPRIVATE';
      return callback(e, '');
    }
    if (options.all) return callback(null, list);
    callback(null, list[0].address, list[0].family);
  });
}
