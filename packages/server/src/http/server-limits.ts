import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { OptionsError, positive } from '../options/option-checks.js';

/** Bounds on what the HTTP server holds for its clients (the standalone server and `csp-observer serve`). */
export interface ServerLimitsOptions {
  /** Open connections served at once; those beyond get a 503 with `Retry-After` and are closed (default 2,000). */
  maxConnections?: number;
  /** A client must finish sending its request headers within this many seconds, else 408 (default 10). */
  headersTimeoutSeconds?: number;
  /** A client must finish sending its whole request within this many seconds, else 408 (default 30). */
  requestTimeoutSeconds?: number;
  /** An idle keep-alive connection is closed after this many seconds (default 5). */
  keepAliveTimeoutSeconds?: number;
}

export const SERVER_LIMIT_DEFAULTS = {
  maxConnections: 2000,
  headersTimeoutSeconds: 10,
  requestTimeoutSeconds: 30,
  keepAliveTimeoutSeconds: 5,
} as const satisfies ServerLimitsOptions;

export type ResolvedServerLimits = Required<ServerLimitsOptions>;

/**
 * Connections past the cap are still accepted by the kernel: they are answered 503 if they send
 * a request within this time, and closed either way. Past the cap plus this many more, Node
 * drops new connections outright (`server.maxConnections`), so a flood cannot take every file
 * descriptor.
 */
const OVER_CAP_GRACE_MS = 1000;
const OVER_CAP_EXTRA = 256;
/** How often Node checks the headers and request timeouts (its default, 30 s, lets a slow client keep its socket long past them). */
const TIMEOUT_CHECK_MS = 1000;

export function resolveServerLimits(value: ServerLimitsOptions = {}): ResolvedServerLimits {
  if (!value || typeof value !== 'object') throw new OptionsError('server limits must be an object like { maxConnections }');
  const d = SERVER_LIMIT_DEFAULTS;
  const maxConnections = positive('server.maxConnections', value.maxConnections, d.maxConnections);
  if (!Number.isInteger(maxConnections)) throw new OptionsError(`server.maxConnections must be a whole number, got ${maxConnections}`);
  const limits = {
    maxConnections,
    headersTimeoutSeconds: positive('server.headersTimeoutSeconds', value.headersTimeoutSeconds, d.headersTimeoutSeconds),
    requestTimeoutSeconds: positive('server.requestTimeoutSeconds', value.requestTimeoutSeconds, d.requestTimeoutSeconds),
    keepAliveTimeoutSeconds: positive('server.keepAliveTimeoutSeconds', value.keepAliveTimeoutSeconds, d.keepAliveTimeoutSeconds),
  };
  if (limits.headersTimeoutSeconds > limits.requestTimeoutSeconds) {
    throw new OptionsError('server.headersTimeoutSeconds must not be longer than server.requestTimeoutSeconds');
  }
  return limits;
}

const OVER_CAP_BODY = JSON.stringify({ error: 'too many connections; retry later' });

/**
 * An HTTP server that bounds its clients: slow headers and slow bodies are answered 408 and
 * closed, idle keep-alive connections are closed, and connections past the cap are answered 503
 * with `Retry-After` (or dropped when far past it) instead of holding a file descriptor each.
 */
export function createLimitedServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  limits: ResolvedServerLimits = resolveServerLimits(),
): Server {
  const open = new Set<Socket>();
  const overCap = new WeakSet<Socket>();
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutSeconds * 1000,
      requestTimeout: limits.requestTimeoutSeconds * 1000,
      keepAliveTimeout: limits.keepAliveTimeoutSeconds * 1000,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    },
    (req, res) => {
      if (!overCap.has(req.socket)) {
        handler(req, res);
        return;
      }
      res.writeHead(503, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(OVER_CAP_BODY),
        'Retry-After': '5',
        Connection: 'close',
      });
      res.end(OVER_CAP_BODY);
    },
  );
  server.maxConnections = limits.maxConnections + OVER_CAP_EXTRA;
  server.on('connection', (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      overCap.add(socket);
      socket.setTimeout(OVER_CAP_GRACE_MS, () => socket.destroy());
      return;
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return server;
}
