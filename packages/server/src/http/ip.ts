import { isIPv4, isIPv6 } from 'node:net';
import type { Context } from 'koa';

/**
 * Anonymizes an IP address before it is stored: IPv4 keeps its /16 (as django-csp-observer), IPv6 its
 * /48. IPv4-mapped IPv6 addresses are treated as IPv4. Anything else becomes "".
 */
export function anonymizeIp(ip: string | undefined): string {
  if (!ip) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1]! : ip;
  if (isIPv4(address)) {
    const [a, b] = address.split('.');
    return `${a}.${b}.0.0`;
  }
  if (isIPv6(address)) {
    const kept = ipv6Groups(address)
      .slice(0, 3)
      .map((group) => parseInt(group, 16).toString(16));
    return `${kept.join(':')}::`;
  }
  return '';
}

/**
 * The client's address as the nearest trusted proxy saw it. Koa's `ctx.ip` is the leftmost
 * `X-Forwarded-For` entry when `app.proxy` is set and `app.maxIpsCount` is not, which the client
 * writes itself. Proxies append, so the entries that can be trusted are the rightmost ones:
 * with `maxIpsCount` n (n trusted hops) the client is the n-th from the right, and with none set
 * it is the rightmost one (one proxy), never a value the client chose.
 */
export function clientIp(ctx: Context): string {
  const { app } = ctx;
  const socketAddress = ctx.req.socket.remoteAddress ?? '';
  if (!app.proxy) return socketAddress;
  const header = ctx.get(app.proxyIpHeader || 'X-Forwarded-For');
  const hops = header
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (hops.length === 0) return socketAddress;
  const trusted = app.maxIpsCount > 0 ? app.maxIpsCount : 1;
  return hops[Math.max(0, hops.length - trusted)]!;
}

/** IPv6 addresses are limited per this prefix by default: one subscriber usually holds a whole /64. */
export const DEFAULT_IPV6_PREFIX = 64;

/**
 * The key an address is limited under: an IPv4 address as it is (IPv4-mapped IPv6 too), an IPv6
 * address by its first `ipv6Prefix` bits, since one host can pick any of the 2^64 addresses of
 * its /64. Anything else is its own key.
 */
export function limitKey(ip: string, ipv6Prefix = DEFAULT_IPV6_PREFIX): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const groups = ipv6Groups(ip);
  const words = groups.map((group) => parseInt(group, 16) || 0);
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = Math.min(16, Math.max(0, ipv6Prefix - i * 16));
    const mask = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    out.push((words[i]! & mask).toString(16));
  }
  return `${out.join(':')}/${ipv6Prefix}`;
}

/** The eight groups of an IPv6 address (zone dropped, `::` expanded, an embedded IPv4 as two groups). */
function ipv6Groups(address: string): string[] {
  let zoneless = address.split('%')[0]!;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(zoneless);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    zoneless = `${zoneless.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail = ''] = zoneless.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  if (!zoneless.includes('::')) return headGroups;
  return [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
}
