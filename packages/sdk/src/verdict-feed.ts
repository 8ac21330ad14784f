import type { VersionedVerdict } from '@csp-observer/core';

/** How long one long-poll is held by the server (it caps at 25 s). */
const WAIT_MS = 20_000;
/** A wake-up after a final verdict polls this long for the change the new evidence brings. */
const AWAKE_MS = 30_000;
const MAX_FAILURES = 4;
const RETRY_MS = 2000;

/**
 * Follows `{endpoint}/verdict/{token}` by long-poll: the server answers as soon as the verdict
 * changes (new evidence, or a window closing), so each change reaches the page within a round
 * trip. Stops once the verdict is final and was asked for after the page's latest evidence was
 * committed; `wake()` (the SDK's batch was stored) follows it again. A wake that comes before the
 * first answer, or while a request is out, is not lost: an answer computed before that evidence
 * was stored never ends the watch (a clean, final verdict could otherwise hide a problem the
 * next batch brings).
 */
export class VerdictFeed {
  readonly #url: string;
  readonly #onVerdict: (verdict: VersionedVerdict) => void;
  #version: string | null = null;
  #final = false;
  /** When the request behind the latest answer left. */
  #askedAt = 0;
  /** When the page's latest evidence was stored (0: never). */
  #wokeAt = 0;
  #started = false;
  #running = false;

  constructor(endpoint: string, token: string, onVerdict: (verdict: VersionedVerdict) => void) {
    this.#onVerdict = onVerdict;
    this.#url = `${endpoint}/verdict/${encodeURIComponent(token)}`;
  }

  start(): void {
    this.#started = true;
    void this.#run();
  }

  /** New evidence was stored: follow the verdict until an answer asked for since says it, or for AWAKE_MS. */
  wake(): void {
    this.#wokeAt = Date.now();
    if (this.#started) void this.#run();
  }

  /** Nothing more to wait for: a final verdict that knows the latest evidence (or a wake that brought no change in time). */
  #done(): boolean {
    return this.#final && (this.#askedAt >= this.#wokeAt || Date.now() >= this.#wokeAt + AWAKE_MS);
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    let failures = 0;
    try {
      while (!this.#done() && failures < MAX_FAILURES) {
        try {
          const askedAt = Date.now();
          const query = this.#version === null ? '' : `?after=${encodeURIComponent(this.#version)}&wait=${WAIT_MS}`;
          const response = await fetch(this.#url + query, { credentials: 'omit', cache: 'no-store' });
          if (response.status === 404) return;
          if (!response.ok) throw response;
          const verdict = (await response.json()) as VersionedVerdict;
          failures = 0;
          this.#askedAt = askedAt;
          this.#final = verdict.final;
          if (verdict.version !== this.#version) {
            this.#version = verdict.version;
            this.#onVerdict(verdict);
          }
        } catch (error) {
          // An answer with Retry-After (429 or 503: the server holds as many waits as it takes) is
          // waited out as told (at most 60 s) and counts an eighth of a failure: 32 in a row end the watch.
          const after = Number((error as Response)?.headers?.get('Retry-After')) || 0;
          failures += after > 0 ? 1 / 8 : 1;
          await new Promise((resolve) => setTimeout(resolve, after > 0 ? Math.min(after, 60) * 1000 : RETRY_MS));
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
