import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Builder, type WebDriver } from 'selenium-webdriver';
import { MINIBROWSER, WEBKIT_DRIVER, XVFB } from './engines.js';

/** A port nobody listens on right now (the driver binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts a virtual X display and returns it once the server says which display it took. */
async function startXvfb(): Promise<{ process: ChildProcess; display: string }> {
  // -displayfd: Xvfb picks a free display itself and writes its number to fd 3 when ready.
  const xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  xvfb.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code} before it was ready: ${stderr.trim()}`)));
    xvfb.once('error', (error) => reject(new Error(`Xvfb could not start (${XVFB}): ${error.message}; scripts/test.sh installs it`)));
  });
  return { process: xvfb, display };
}

async function waitForDriver(url: string, driver: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}: ${log()}`);
    try {
      const status = (await (await fetch(`${url}/status`)).json()) as { value?: { ready?: boolean } };
      if (status.value?.ready !== false) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`WebKitWebDriver did not answer on ${url} within 15 s: ${log()}`);
}

/**
 * WebKitGTK's MiniBrowser behind WebKitWebDriver, on a virtual display of its own. Classic
 * WebDriver only: no init scripts and no request interception, so tampering happens on the wire
 * (see tampering-proxy.ts). One per Playwright worker; each test gets a fresh browser session.
 */
export class WebKitDriver {
  private constructor(
    private readonly xvfb: ChildProcess,
    private readonly driver: ChildProcess,
    readonly url: string,
  ) {}

  static async start(): Promise<WebKitDriver> {
    const { process: xvfb, display } = await startXvfb();
    try {
      const port = await freePort();
      // --replace-on-new-session: a session whose browser is still going away never blocks the next.
      const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1', '--replace-on-new-session'], {
        env: { ...process.env, DISPLAY: display },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000));
      driver.stdout!.on('data', keep);
      driver.stderr!.on('data', keep);
      driver.once('error', (error) => (log += `\n${error.message} (${WEBKIT_DRIVER}; scripts/test.sh installs webkit2gtk-driver)`));
      const url = `http://127.0.0.1:${port}`;
      await waitForDriver(url, driver, () => log);
      return new WebKitDriver(xvfb, driver, url);
    } catch (error) {
      xvfb.kill();
      throw error;
    }
  }

  /**
   * A new browser session: a fresh profile, so nothing (storage, the popup's state) carries over.
   * Starting MiniBrowser takes about a second; on a loaded machine a start can hang, so each try
   * has a deadline and a second try follows.
   */
  async session(): Promise<WebDriver> {
    let last: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      const build = new Builder()
        .usingServer(this.url)
        .withCapabilities({
          browserName: 'MiniBrowser',
          acceptInsecureCerts: true,
          'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
        })
        .build();
      let timer: NodeJS.Timeout | undefined;
      try {
        const driver = await Promise.race([
          build.getSession().then((): WebDriver => build),
          new Promise<never>(
            (_, reject) => (timer = setTimeout(() => reject(new Error('WebKitWebDriver took more than 12 s to start a session')), 12_000)),
          ),
        ]);
        return driver;
      } catch (error) {
        last = error;
        void build.quit().catch(() => undefined);
      } finally {
        clearTimeout(timer);
      }
    }
    throw last;
  }

  async stop(): Promise<void> {
    for (const child of [this.driver, this.xvfb]) {
      if (child.exitCode !== null) continue;
      child.kill();
      await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 3000))]);
    }
  }
}
