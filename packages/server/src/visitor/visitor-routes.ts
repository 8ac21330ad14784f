import type Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import { clientIp, limitKey } from '../http/ip.js';
import { ownOrigin } from '../http/own-origin.js';
import { WindowCounter } from '../http/window-counter.js';
import type { SessionToken } from '../session/session-token.js';
import { escapeHtml, sendHtmlPage } from '../http/html-page.js';
import { renderMarkdown } from './markdown.js';
import { defaultPrivacyText } from './privacy-text.js';
import { SCAN_TEXT, scanPageBody, type ShareMessage } from './scan-page.js';
import { visitorLanguage } from './visitor-language.js';
import { SCAN_TEXTS, VISITOR_LANGUAGES, type VisitorLanguage } from './visitor-text.js';
import { digestOf, serializeSharedData, sharedDataOf } from './shared-data.js';
import { parseReportJson, readReportBody } from '../http/body.js';
import type { Logger } from '../logger.js';
import type { ResolvedOptions } from '../options/options.js';
import type { RuleBook } from '../rules/rule-book.js';
import { sessionParam, type SessionAccess } from '../session/session-param.js';
import type { ReportStore } from '../storage/report-store.js';
import type { VerdictService } from '../verdict/verdict-service.js';

/** How long the sharing service may take to accept the data. */
const SHARE_TIMEOUT_MS = 10_000;
/** While the verdict is not final, the scan page reloads itself this often. */
const REFRESH_SECONDS = 3;
/**
 * Shares forwarded per client address, and in all, per hour: a share is a visitor's click, rare;
 * a script minting page views must not turn the server into a relay that floods the service.
 */
const SHARES_PER_ADDRESS = 5;
const SHARES_PER_HOUR = 100;
const SHARE_WINDOW_MS = 3600_000;

const SHARE_MESSAGES: readonly ShareMessage[] = ['ok', 'failed', 'already', 'changed', 'nothing'];

/** What the visitor pages need: the session tokens, the verdicts and rules they explain, and the store for a share. */
export interface VisitorRouteDeps extends SessionAccess {
  options: Pick<ResolvedOptions, 'prefix' | 'visitor' | 'storage' | 'ingest' | 'page'>;
  verdicts: Pick<VerdictService, 'current'>;
  rules: Pick<RuleBook, 'rule'>;
  store: Pick<ReportStore, 'markShared' | 'unmarkShared'>;
  logger: Logger;
}

/**
 * The pages a visitor sees, server-rendered with no script: `{prefix}/scan/:token` (the scan
 * report the popup's "Learn more" opens), its share action, and `{prefix}/privacy`.
 */
export function visitorRoutes(router: Router, deps: VisitorRouteDeps): void {
  const { options } = deps;
  // The site owner's own text is in one language; the default one is in each the pages speak.
  const privacyHtml = Object.fromEntries(
    VISITOR_LANGUAGES.map((lang) => [lang, renderMarkdown(options.visitor.privacyText ?? defaultPrivacyText(options, lang))]),
  ) as Record<VisitorLanguage, string>;
  const shares = new WindowCounter(SHARE_WINDOW_MS, 10_000);

  router.get('/privacy', (ctx) => {
    const lang = visitorLanguage(ctx, options.page.popupLanguage);
    sendHtmlPage(ctx, { title: SCAN_TEXTS[lang].privacy, body: privacyHtml[lang], lang: options.visitor.privacyText ? undefined : lang });
  });

  router.get('/scan/:token', async (ctx) => {
    const session = visitorSession(deps, ctx);
    if (!session) return;
    const message = SHARE_MESSAGES.find((m) => m === ctx.query.shared) ?? null;
    await sendScanPage(deps, ctx, session, message);
  });

  router.post('/scan/:token/share', async (ctx) => {
    // A form post from our own scan page only: a consent click, never a cross-site request.
    if (!sameOrigin(ctx)) throw new HttpError(403, 'sharing is only possible from the scan page itself');
    if (!options.visitor.dataSharingUrl) throw new HttpError(404, 'data sharing is not enabled on this site');
    const session = sessionParam(deps, ctx, { status: 404, message: 'no such session' });
    const address = limitKey(clientIp(ctx), options.ingest.limits.ipv6Prefix);
    if (!shares.tryAdd(`ip:${address}`, 1, SHARES_PER_ADDRESS) || !shares.tryAdd('all', 1, SHARES_PER_HOUR)) {
      const wait = Math.max(shares.retryAfter(`ip:${address}`), 1);
      throw new HttpError(429, 'too many shares; try again later', wait);
    }
    const { text, kind } = await readReportBody(ctx, 4096);
    const seen =
      kind === 'form'
        ? new URLSearchParams(text).get('digest')
        : ((parseReportJson(text, kind) as { digest?: unknown } | undefined)?.digest ?? null);
    const outcome = await share(deps, session, typeof seen === 'string' ? seen : null);
    if (ctx.accepts('html', 'json') === 'json') {
      ctx.status = outcome === 'ok' ? 200 : outcome === 'failed' ? 502 : 409;
      ctx.body = outcome === 'ok' ? { shared: true } : { shared: false, error: SCAN_TEXT.messages[outcome] };
      return;
    }
    // Post/redirect/get: reloading the page does not share again.
    ctx.status = 303;
    const lang =
      typeof ctx.query.lang === 'string' && (VISITOR_LANGUAGES as readonly string[]).includes(ctx.query.lang)
        ? `&lang=${ctx.query.lang}`
        : '';
    ctx.redirect(`${options.prefix}/scan/${encodeURIComponent(ctx.params.token!)}?shared=${outcome}${lang}#share`);
  });
}

/** The session of a visitor page's token, or an HTML 404 page (a visitor reads it, not a program). */
function visitorSession(deps: VisitorRouteDeps, ctx: Context): SessionToken | null {
  try {
    return sessionParam(deps, ctx, { status: 404, message: 'no such session' });
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    const lang = visitorLanguage(ctx, deps.options.page.popupLanguage);
    const t = SCAN_TEXTS[lang];
    sendHtmlPage(
      ctx,
      { title: t.title, lang, body: `<h1>${t.title}</h1><p>${escapeHtml(t.expired(deps.options.storage.sessionKeepDays))}</p>` },
      404,
    );
    return null;
  }
}

async function sharedNow(deps: VisitorRouteDeps, sessionId: string) {
  const { verdict, unexplained, session: stored } = await deps.verdicts.current(sessionId);
  // The site is what the token vouches for (a collector's site id) or the checked page's origin, never the Host header.
  const site = stored?.site || (stored ? (/^https?:\/\/[^/?#]+/i.exec(stored.documentUri)?.[0] ?? '') : '');
  const data = sharedDataOf(site, stored, verdict, unexplained);
  const text = data ? serializeSharedData(data) : null;
  return { verdict, unexplained, stored, text };
}

async function sendScanPage(deps: VisitorRouteDeps, ctx: Context, session: SessionToken, message: ShareMessage | null): Promise<void> {
  const { options } = deps;
  const { verdict, unexplained, stored, text } = await sharedNow(deps, session.id);
  const lang = visitorLanguage(ctx, options.page.popupLanguage);
  const body = scanPageBody({
    prefix: options.prefix,
    lang,
    token: ctx.params.token!,
    verdict,
    unexplained,
    session: stored,
    rule: (id) => deps.rules.rule(id),
    sharing: options.visitor.dataSharingUrl
      ? { text, digest: text === null ? null : digestOf(text), sharedAt: stored?.sharedAt ?? null, message }
      : null,
  });
  sendHtmlPage(ctx, { title: SCAN_TEXTS[lang].title, lang, body, ...(verdict.final ? {} : { refreshSeconds: REFRESH_SECONDS }) });
}

/** Forwards the data the visitor saw (same digest) once; the first successful share wins. */
async function share(deps: VisitorRouteDeps, session: SessionToken, seen: string | null): Promise<ShareMessage> {
  const { text, stored } = await sharedNow(deps, session.id);
  if (text === null) return 'nothing';
  if (stored?.sharedAt != null) return 'already';
  if (seen !== digestOf(text)) return 'changed';
  const at = Date.now();
  if (!(await deps.store.markShared(session.id, at))) return 'already';
  try {
    const response = await fetch(deps.options.visitor.dataSharingUrl!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'csp-deps' },
      body: text,
      redirect: 'error',
      signal: AbortSignal.timeout(SHARE_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the sharing service answered ${response.status}`);
    return 'ok';
  } catch (error) {
    deps.logger.warn(`data sharing to ${deps.options.visitor.dataSharingUrl} failed: ${(error as Error).message}`);
    await deps.store.unmarkShared(session.id, at);
    return 'failed';
  }
}

/** Whether a request comes from a page of this server (Fetch Metadata, else the Origin header). */
function sameOrigin(ctx: Context): boolean {
  const site = ctx.get('Sec-Fetch-Site');
  if (site) return site === 'same-origin';
  const origin = ctx.get('Origin');
  return origin !== '' && origin === ownOrigin(ctx);
}
