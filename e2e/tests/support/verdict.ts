import type { APIRequestContext, Page } from '@playwright/test';
import type { VersionedVerdict } from '@csp-observer/server/internals';
import { expect, sessionOf } from '../fixtures.js';

/** The body of `GET /csp/verdict/:token`: the wire type, from core (through the server's internals). */
export type Verdict = VersionedVerdict;

/**
 * The page view's verdict once it is final, following it by long-poll as the popup does.
 * `origin` is the site the page came from (default: the main test site).
 */
export async function finalVerdict(request: APIRequestContext, page: Page, origin = ''): Promise<Verdict> {
  const { token } = await sessionOf(page);
  let verdict: Verdict | null = null;
  await expect
    .poll(
      async () => {
        const query = verdict ? `?after=${verdict.version}&wait=3000` : '';
        verdict = (await (await request.get(`${origin}/csp/verdict/${token}${query}`)).json()) as Verdict;
        return verdict.final;
      },
      { timeout: 15_000, intervals: [0] },
    )
    .toBe(true);
  return verdict!;
}
