/** An error that becomes a 4xx/5xx JSON answer `{ "error": message }`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    /** Seconds the client should wait before trying again (sent as `Retry-After`, e.g. with a 429). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}
