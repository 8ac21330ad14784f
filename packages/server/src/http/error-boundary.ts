import type { Context, Next } from 'koa';
import { RepeatLimitedLog, type Logger } from '../logger.js';
import { HttpError } from './http-error.js';

/**
 * Headers every endpoint shares, and the error path. Every endpoint is public: errors become a
 * JSON `{error}` with a 4xx for bad input, and a 503 (logged) when storage fails, never a stack
 * trace. Failures are logged once per kind every few seconds (an outage fails every request).
 */
export function errorBoundary(logger: Logger) {
  const log = new RepeatLimitedLog(logger);
  return async (ctx: Context, next: Next) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError) {
        ctx.status = error.status;
        if (error.retryAfter !== undefined) ctx.set('Retry-After', String(error.retryAfter));
        ctx.body = { error: error.message };
      } else {
        log.error(`${ctx.method} ${ctx.path} failed`, error);
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.body = { error: 'temporarily unavailable, retry later' };
      }
    }
  };
}
