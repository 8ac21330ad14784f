import { isIPv4, isIPv6 } from 'node:net';

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
    const zoneless = address.split('%')[0]!;
    const [head = '', tail = ''] = zoneless.split('::');
    const headGroups = head ? head.split(':') : [];
    const tailGroups = tail ? tail.split(':') : [];
    const missing = 8 - headGroups.length - tailGroups.length;
    const groups = zoneless.includes('::') ? [...headGroups, ...Array(missing).fill('0'), ...tailGroups] : headGroups;
    const kept = groups.slice(0, 3).map((group) => parseInt(group, 16).toString(16));
    return `${kept.join(':')}::`;
  }
  return '';
}
