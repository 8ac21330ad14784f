import type { Verdict } from '@csp-observer/core';

/** How long one long-poll is held by the server (it caps at 25 s). */
const WAIT_MS = 20_000;
/** A wake-up after a final verdict polls this long for the change the new evidence brings. */
const AWAKE_MS = 30_000;
const MAX_FAILURES = 4;
const RETRY_MS = 2000;

export type VersionedVerdict = Verdict & { version: string };

/**
 * Follows `{endpoint}/verdict/{token}` by long-poll: the server answers as soon as the verdict
 * changes (new evidence, or a window closing), so each change reaches the page within a round
 * trip. Stops once the verdict is final; `wake()` (the SDK sent new evidence) follows it again.
 */
export class VerdictFeed {
  readonly #url: string;
  readonly #onVerdict: (verdict: VersionedVerdict) => void;
  #version: string | null = null;
  #running = false;
  #until = 0;

  constructor(
    endpoint: string,
    token: string,
    onVerdict: (verdict: VersionedVerdict) => void,
  ) {
    this.#onVerdict = onVerdict;
    this.#url = `${endpoint}/verdict/${encodeURIComponent(token)}`;
  }

  start(): void {
    this.#until = Number.POSITIVE_INFINITY;
    void this.#run();
  }

  /** New evidence left the page: follow the verdict until it changes, or for AWAKE_MS. */
  wake(): void {
    if (this.#version === null) return;
    this.#until = Math.max(this.#until, Date.now() + AWAKE_MS);
    void this.#run();
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    let failures = 0;
    try {
      while (Date.now() < this.#until && failures < MAX_FAILURES) {
        try {
          const query = this.#version === null ? '' : `?after=${encodeURIComponent(this.#version)}&wait=${WAIT_MS}`;
          const response = await fetch(this.#url + query, { credentials: 'omit', cache: 'no-store' });
          if (response.status === 404) return;
          if (!response.ok) throw response.status;
          const verdict = (await response.json()) as VersionedVerdict;
          failures = 0;
          const changed = verdict.version !== this.#version;
          if (changed) {
            this.#version = verdict.version;
            this.#onVerdict(verdict);
          }
          if (verdict.final && (changed || this.#until === Number.POSITIVE_INFINITY)) this.#until = 0;
        } catch {
          failures++;
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
