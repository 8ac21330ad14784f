import type { Context } from 'koa';
import { VISITOR_LANGUAGES, type VisitorLanguage } from './visitor-text.js';

const isVisitorLanguage = (tag: string): tag is VisitorLanguage => (VISITOR_LANGUAGES as readonly string[]).includes(tag);
/** A language tag's primary subtag (`de-AT` -> `de`), as the popup picks its strings (core's popupStringsFor). */
const primary = (tag: string) => tag.trim().toLowerCase().split('-')[0] ?? '';

/** The most Accept-Language entries looked at: the header is the visitor's, but hostile input is normal. */
const MAX_RANGES = 20;

/**
 * The language of a visitor page, picked as the popup picks its own and falling back the same way
 * (to English): an explicit `?lang=` first (the pages link each other with it), then the site's
 * `popupLanguage` override, then the browser's Accept-Language by preference. Sets
 * `Vary: Accept-Language` (the answer depends on it).
 */
export function visitorLanguage(ctx: Context, popupLanguage: string | null): VisitorLanguage {
  ctx.vary('Accept-Language');
  const asked = typeof ctx.query.lang === 'string' ? primary(ctx.query.lang) : '';
  if (isVisitorLanguage(asked)) return asked;
  const forced = popupLanguage ? primary(popupLanguage) : '';
  if (forced) return isVisitorLanguage(forced) ? forced : 'en';
  const ranges = ctx
    .get('Accept-Language')
    .slice(0, 1000)
    .split(',', MAX_RANGES)
    .map((range, i) => {
      const [tag = '', ...params] = range.split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/i.exec(p)?.[1]).find(Boolean);
      return { tag: primary(tag), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((range) => range.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranges.map((range) => range.tag).find(isVisitorLanguage) ?? 'en';
}
