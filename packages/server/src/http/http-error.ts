/** An error that becomes a 4xx/5xx JSON answer `{ "error": message }`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
