import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

// Addresses a receiver must not have unless insecure targets are allowed
// (development, tests): this network, loopback, private networks, link-local,
// CGNAT, protocol assignments, benchmarking, multicast and reserved ranges.
// (The documentation ranges stay allowed: nothing internal lives there.)
const internalAddresses = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internalAddresses.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  internalAddresses.addSubnet(network, prefix, 'ipv6');
}

export const maxWebhookUrlLength = 2048;

/** Whether an IP address is loopback, private, link-local or otherwise not a public receiver's. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // NAT64 addresses (64:ff9b::/96) are checked as the IPv4 address they carry;
  // the BlockList checks IPv4-mapped ones (::ffff:a.b.c.d) against the IPv4 rules itself.
  const nat64 = nat64Embedded(address);
  if (nat64) return internalAddresses.check(nat64, 'ipv4');
  return internalAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The IPv4 address in a 64:ff9b::/96 address (dotted or hex tail), or undefined. */
function nat64Embedded(address: string): string | undefined {
  const tail = /^64:ff9b::(?:0:0:)?(.+)$/i.exec(address)?.[1];
  if (!tail) return undefined;
  if (isIP(tail) === 4) return tail;
  const groups = /^(?:([0-9a-f]{1,4}):)?([0-9a-f]{1,4})$/i.exec(tail);
  if (!groups) return undefined;
  const value = (parseInt(groups[1] ?? '0', 16) << 16) | parseInt(groups[2], 16);
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** The host to check: without IPv6 brackets or a trailing root dot, lower case. */
const hostOf = (url: URL) =>
  url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();

/**
 * Why a receiver URL is refused, or undefined when it is acceptable. Without
 * `allowInsecure` it must be https and must not name a loopback or private
 * address literally. A name is checked by what it resolves to:
 * webhookHostProblem, at registration and again before every delivery.
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
  const host = hostOf(url);
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at this machine';
  if (isIP(host) !== 0 && isInternalAddress(host)) return 'must not point at a loopback or private-network address';
  return undefined;
}

/** Every address a host name resolves to (A and AAAA). */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address. */
export const systemHostResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Why a receiver's host is refused once resolved, or undefined: a name with
 * any loopback, private or otherwise internal address (one is enough for a
 * connection to go there), or one that does not resolve within `timeoutMs`.
 * Literal addresses are checked as they are. Call it only for a URL that
 * webhookUrlProblem accepts.
 */
export async function webhookHostProblem(
  raw: string,
  resolve: HostResolver,
  timeoutMs: number,
): Promise<string | undefined> {
  const host = hostOf(new URL(raw));
  if (isIP(host) !== 0)
    return isInternalAddress(host) ? 'must not point at a loopback or private-network address' : undefined;
  let timer: NodeJS.Timeout | undefined;
  let addresses: string[];
  try {
    addresses = await Promise.race([
      resolve(host),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
  } catch {
    return 'its host does not resolve';
  } finally {
    clearTimeout(timer);
  }
  if (addresses.length === 0) return 'its host does not resolve';
  if (addresses.some(isInternalAddress)) return 'its host must not resolve to a loopback or private-network address';
  return undefined;
}
