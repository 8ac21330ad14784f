// scripts/demo.sh as the README runs it: PORT moves both demos, the URLs are printed only once
// the servers listen, and the basic site's /reports explains the SDK's canary rows.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CANARY_PREFIX } from '@csp-observer/core';
import { mintSessionToken } from '../src/session/session-token.js';
import { sdkEvent } from './fixtures/browser-reports.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SECRET = 'demo-test-secret-0123456789abcdef';
const dirs: string[] = [];
const children: ChildProcess[] = [];

/** Whether something accepts connections on the port now. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Runs the demo; resolves with the banner's lines once its last line is out, checking the ports at that moment. */
function demo(args: string[], port: number, ports: number[]): Promise<{ banner: string; listeningAtBanner: boolean[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'cspo-demo-'));
  dirs.push(dir);
  const child = spawn('bash', ['scripts/demo.sh', ...args], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      PORT: String(port),
      CSP_OBSERVER_DEMO_NO_SETUP: '1',
      CSP_OBSERVER_DB: join(dir, 'demo.sqlite'),
      CSP_OBSERVER_SECRET: SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`demo.sh exited (${code}): ${errors}`)));
    child.stdout!.on('data', async (chunk: Buffer) => {
      out += chunk.toString();
      if (/dashboard: \S+/i.test(out)) resolve({ banner: out, listeningAtBanner: await Promise.all(ports.map(listening)) });
    });
  });
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('scripts/demo.sh', () => {
  it('collector: honours PORT for the collector and its two sites, and prints the URLs once they listen', async () => {
    const { banner, listeningAtBanner } = await demo(['collector'], 7340, [7340, 7341, 7342]);
    expect(banner).toContain('http://127.0.0.1:7341/violations (shop)');
    expect(banner).toContain('http://127.0.0.1:7342/violations (blog)');
    expect(banner).toContain('http://127.0.0.1:7340/csp/admin/');
    expect(listeningAtBanner).toEqual([true, true, true]);
  });

  it('basic: prints the URLs once it listens; /reports labels the canary rows apart from the violations', async () => {
    const { banner, listeningAtBanner } = await demo([], 7345, [7345]);
    expect(banner).toContain('http://127.0.0.1:7345/reports');
    expect(listeningAtBanner).toEqual([true]);
    const { token } = mintSessionToken(SECRET);
    const events = [
      sdkEvent({ documentURI: 'http://127.0.0.1:7345/', sample: `${CANARY_PREFIX}abc`, seq: 0 }),
      sdkEvent({ documentURI: 'http://127.0.0.1:7345/violations', blockedURI: 'https://ads.example/inject.js', seq: 1 }),
    ];
    const sent = await fetch(`http://127.0.0.1:7345/csp/events/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ v: 1, events }),
    });
    expect(sent.status).toBe(204);
    const html = await (await fetch('http://127.0.0.1:7345/reports')).text();
    const [violations = '', canary = ''] = html.split('<h2 id="canary">');
    expect(canary).toContain("The SDK's canary");
    expect(canary).toMatch(/not a problem of the page/);
    expect(canary).toContain('http://<wbr>127.0.0.1:7345<wbr>/</td>');
    expect(violations).toContain('https://<wbr>ads.example<wbr>/inject.js');
    expect(violations).not.toContain('http://<wbr>127.0.0.1:7345<wbr>/</td>');
  });
});
