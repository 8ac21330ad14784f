import { inspect } from 'node:util';

/**
 * Structured fields of a log line, in pino's convention: an error goes under `err`, so pino's
 * standard serializer keeps its type, message and stack.
 */
export interface LogFields {
  err?: unknown;
  [key: string]: unknown;
}

/** One log method as pino's: `log('message')` or `log({ err }, 'message')`. */
export interface LogMethod {
  (message: string): void;
  (fields: LogFields, message: string): void;
}

/**
 * The logging surface csp-observer needs, in pino's calling convention: a pino logger fits as it
 * is (`cspObserver({ logger: pino() })`), errors as `logger.error({ err }, 'message')`. The
 * default, `consoleLogger`, prints the message and the error's stack.
 */
export interface Logger {
  debug?: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

type ConsoleLevel = 'debug' | 'info' | 'warn' | 'error';

/** A line for the console: the message, then each field; an Error with its stack (and its cause). */
export function consoleLine(fieldsOrMessage: LogFields | string, message?: string): string {
  if (typeof fieldsOrMessage === 'string') return `[csp-observer] ${fieldsOrMessage}`;
  const { err, ...rest } = fieldsOrMessage;
  let line = `[csp-observer] ${message ?? ''}`;
  if (Object.keys(rest).length) line += ` ${inspect(rest, { breakLength: Number.POSITIVE_INFINITY })}`;
  if (err !== undefined) line += `\n${err instanceof Error ? inspect(err) : `  ${inspect(err)}`}`;
  return line;
}

function consoleMethod(level: ConsoleLevel): LogMethod {
  return ((fieldsOrMessage: LogFields | string, message?: string) => console[level](consoleLine(fieldsOrMessage, message))) as LogMethod;
}

/** Console logging with a `[csp-observer]` tag; errors printed with their message and stack. */
export const consoleLogger: Logger = {
  debug: consoleMethod('debug'),
  info: consoleMethod('info'),
  warn: consoleMethod('warn'),
  error: consoleMethod('error'),
};

/** Logs `message` with `error` kept as an object (`{ err }`), as pino and the console default expect. */
export function logError(logger: Logger, message: string, error: unknown): void {
  logger.error({ err: error }, message);
}

/** Within this window a repeated failure is logged once, with its stack, and then counted. */
const REPEAT_WINDOW_MS = 10_000;
const MAX_REPEAT_KEYS = 1000;

/**
 * Errors logged at most once per kind and window: an outage that fails every request writes one
 * stack trace every 10 s and a count of the ones it left out, not one per request.
 */
export class RepeatLimitedLog {
  private readonly seen = new Map<string, { windowStart: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = REPEAT_WINDOW_MS,
  ) {}

  /** Logs `message` with `error`, unless the same kind of error was logged within the window. */
  error(message: string, error: unknown, now = Date.now()): void {
    const key = error instanceof Error ? `${error.name}\u0000${error.message}` : String(error);
    const entry = this.seen.get(key);
    if (entry && now - entry.windowStart < this.windowMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    if (!entry && this.seen.size >= MAX_REPEAT_KEYS) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.delete(key);
    this.seen.set(key, { windowStart: now, suppressed: 0 });
    logError(this.logger, suppressed ? `${message} (and ${suppressed} more like it not logged)` : message, error);
  }
}
