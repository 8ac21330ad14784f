/** The logging surface csp-observer needs; `console` fits, and so do pino and winston. */
export interface Logger {
  debug?(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** Console logging with a `[csp-observer]` tag. */
export const consoleLogger: Logger = {
  debug: (message, ...details) => console.debug(`[csp-observer] ${message}`, ...details),
  info: (message, ...details) => console.info(`[csp-observer] ${message}`, ...details),
  warn: (message, ...details) => console.warn(`[csp-observer] ${message}`, ...details),
  error: (message, ...details) => console.error(`[csp-observer] ${message}`, ...details),
};

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
    this.logger.error(suppressed ? `${message} (and ${suppressed} more like it not logged)` : message, error);
  }
}
