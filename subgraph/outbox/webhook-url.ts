import { BlockList, isIP } from 'node:net';

// Addresses a receiver must not have unless insecure targets are allowed
// (development, tests): loopback, private networks, link-local, CGNAT.
const internalAddresses = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  internalAddresses.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  internalAddresses.addSubnet(network, prefix, 'ipv6');
}

export const maxWebhookUrlLength = 2048;

/**
 * Why a receiver URL is refused, or undefined when it is acceptable. Without
 * `allowInsecure` it must be https and must not name a loopback or private
 * address literally. (A public name that resolves to a private address is
 * not caught here: egress rules of the deployment are the real guard.)
 */
export function webhookUrlProblem(raw: string, allowInsecure: boolean): string | undefined {
  if (raw.length > maxWebhookUrlLength) return `must be at most ${maxWebhookUrlLength} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials; receivers check the signature instead';
  if (url.hash) return 'must not have a #fragment';
  if (allowInsecure) return undefined;
  if (url.protocol !== 'https:') return 'must use https';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at this machine';
  const family = isIP(host);
  if (family !== 0) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
    const blocked = mapped
      ? internalAddresses.check(mapped, 'ipv4')
      : internalAddresses.check(host, family === 4 ? 'ipv4' : 'ipv6');
    if (blocked) return 'must not point at a loopback or private-network address';
  }
  return undefined;
}
