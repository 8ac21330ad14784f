import type { APIRequestContext, Page } from '@playwright/test';
import { expect, sessionOf } from '../fixtures.js';

export interface Verdict {
  status: 'observing' | 'clean' | 'problems';
  final: boolean;
  problems: Array<{ ruleId: string; cause: string; title: string; count: number }>;
  anomalies: Array<{ kind: string; severity: 'warning' | 'notice'; title: string }>;
  unknown: number;
  version: string;
}

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
