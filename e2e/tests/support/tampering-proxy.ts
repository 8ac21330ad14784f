import {
  request as httpRequest,
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * What stands between the site and the visitor's browser: a proxy, a security product, an
 * extension or malware. Done on the wire, so that it works the same in every engine (WebKit's
 * driver has no request interception and no init scripts).
 */
export interface Tampering {
  /** Remove the CSP headers from pages (the policy never reaches the browser). */
  stripPolicy?: boolean;
  /** Swallow the browser's own reports (report-uri and Reporting API), or those this picks. */
  dropReports?: boolean | ((body: string) => boolean);
  /**
   * HTML put into each page: `head-start` runs before the SDK (what an extension does at
   * document_start), `head-end` after it. `{{nonce}}` becomes the page's nonce, as a tampering
   * proxy that reads the header would write it.
   */
  inject?: Injection | Injection[];
}

export interface Injection {
  at: 'head-start' | 'head-end';
  html: string;
}

export interface TamperingProxy {
  /** Where the visitor goes instead of the site: same paths, tampered on the way. */
  origin: string;
  /** The report POSTs that were swallowed. */
  dropped: string[];
  close(): Promise<void>;
}

const NATIVE_REPORT = /^\/csp\/reports?\//;

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function nonceOf(headers: IncomingMessage['headers']): string {
  const policy = String(headers['content-security-policy'] ?? headers['content-security-policy-report-only'] ?? '');
  return /'nonce-([^']+)'/.exec(policy)?.[1] ?? '';
}

function injected(html: string, injections: readonly Injection[], nonce: string): string {
  for (const inject of injections) {
    const code = inject.html.replaceAll('{{nonce}}', nonce);
    html = inject.at === 'head-start' ? html.replace(/<head[^>]*>/i, (tag) => tag + code) : html.replace(/<\/head>/i, (tag) => code + tag);
  }
  return html;
}

/**
 * A reverse proxy in front of `target` (http or https; TLS toward the visitor when `tls` is
 * given). The Host header is passed on, so the site writes the proxy's origin into its headers
 * and its pages, and the browser's reports come back through the proxy.
 */
export async function startTamperingProxy(
  target: string,
  tampering: Tampering,
  tls?: { key: Buffer; cert: Buffer },
): Promise<TamperingProxy> {
  const upstream = new URL(target);
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const dropped: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const path = req.url ?? '/';
    const drop = tampering.dropReports;
    if (req.method === 'POST' && NATIVE_REPORT.test(path) && drop && (drop === true || drop(body.toString()))) {
      dropped.push(body.toString());
      res.writeHead(204).end();
      return;
    }
    const headers = { ...req.headers };
    // The page body is rewritten here: it must come uncompressed.
    delete headers['accept-encoding'];
    const forwarded = send(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path, headers, rejectUnauthorized: false },
      async (answer) => {
        const html = /text\/html/i.test(String(answer.headers['content-type'] ?? ''));
        const out = { ...answer.headers };
        if (!html || (!tampering.stripPolicy && !tampering.inject)) {
          res.writeHead(answer.statusCode ?? 502, out);
          answer.pipe(res);
          return;
        }
        let page = (await readBody(answer)).toString();
        if (tampering.inject) page = injected(page, [tampering.inject].flat(), nonceOf(answer.headers));
        if (tampering.stripPolicy) {
          delete out['content-security-policy'];
          delete out['content-security-policy-report-only'];
        }
        delete out['content-length'];
        delete out.etag;
        res.writeHead(answer.statusCode ?? 502, out);
        res.end(page);
      },
    );
    forwarded.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    forwarded.end(body);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    dropped,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
