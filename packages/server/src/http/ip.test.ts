import { describe, expect, it } from 'vitest';
import type { Context } from 'koa';
import { anonymizeIp, clientIp, limitKey } from './ip.js';

describe('anonymizeIp', () => {
  it.each([
    ['203.0.113.77', '203.0.0.0'],
    ['::ffff:198.51.100.9', '198.51.0.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:db8::1', '2001:db8:0::'],
    ['::1', '0:0:0::'],
    ['fe80::1%eth0', 'fe80:0:0::'],
    ['not an ip', ''],
    ['', ''],
  ])('%s -> %s', (ip, expected) => {
    expect(anonymizeIp(ip)).toBe(expected);
  });
});

describe('limitKey', () => {
  it.each([
    ['203.0.113.77', 64, '203.0.113.77'],
    ['::ffff:198.51.100.9', 64, '198.51.100.9'],
    ['2001:db8:aa:bb:1:2:3:4', 64, '2001:db8:aa:bb:0:0:0:0/64'],
    ['2001:db8:aa:bb::ffff', 64, '2001:db8:aa:bb:0:0:0:0/64'],
    ['2001:db8:aa:bb:1:2:3:4', 56, '2001:db8:aa:0:0:0:0:0/56'],
    ['2001:db8:aa:bbcc::1', 60, '2001:db8:aa:bbc0:0:0:0:0/60'],
    ['2001:db8::1', 128, '2001:db8:0:0:0:0:0:1/128'],
    ['fe80::1%eth0', 64, 'fe80:0:0:0:0:0:0:0/64'],
    ['64:ff9b::192.0.2.1', 128, '64:ff9b:0:0:0:0:c000:201/128'],
    ['unknown', 64, 'unknown'],
  ])('%s /%i -> %s', (ip, prefix, expected) => {
    expect(limitKey(ip, prefix)).toBe(expected);
  });
});

describe('clientIp', () => {
  const ctx = (forwarded: string, app: { proxy: boolean; maxIpsCount: number }) =>
    ({
      app: { ...app, proxyIpHeader: 'X-Forwarded-For' },
      req: { socket: { remoteAddress: '127.0.0.1' } },
      get: (name: string) => (name === 'X-Forwarded-For' ? forwarded : ''),
    }) as unknown as Context;

  it.each([
    ['1.1.1.1, 2.2.2.2', { proxy: false, maxIpsCount: 0 }, '127.0.0.1'],
    ['1.1.1.1, 2.2.2.2', { proxy: true, maxIpsCount: 0 }, '2.2.2.2'],
    ['1.1.1.1, 2.2.2.2, 3.3.3.3', { proxy: true, maxIpsCount: 1 }, '3.3.3.3'],
    ['1.1.1.1, 2.2.2.2, 3.3.3.3', { proxy: true, maxIpsCount: 2 }, '2.2.2.2'],
    ['3.3.3.3', { proxy: true, maxIpsCount: 2 }, '3.3.3.3'],
    ['', { proxy: true, maxIpsCount: 1 }, '127.0.0.1'],
  ])('%s with %o -> %s', (forwarded, app, expected) => {
    expect(clientIp(ctx(forwarded, app))).toBe(expected);
  });
});
