/** Fetch directives whose `-elem` / `-attr` variants fall back to them. */
const SPLIT_DIRECTIVES = new Set(['script-src', 'style-src']);

/**
 * The directive a violation belongs to for matching and display: `script-src-elem` and
 * `script-src-attr` count as `script-src`, as django-csp-observer's rule matching does.
 */
export function baseDirective(directive: string): string {
  const name = directive.trim().toLowerCase();
  for (const suffix of ['-elem', '-attr']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (SPLIT_DIRECTIVES.has(base)) return base;
    }
  }
  return name;
}

/**
 * The first token of a violated-directive value: old browsers (and Firefox) send the whole
 * directive with its source list (`script-src 'self' https://a`).
 */
export function directiveName(value: string): string {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  return (space === -1 ? trimmed : trimmed.slice(0, space)).toLowerCase();
}

/** Directive names defined by CSP Level 3 and its extensions, for validating policies. */
export const KNOWN_DIRECTIVES: ReadonlySet<string> = new Set([
  'default-src',
  'script-src',
  'script-src-elem',
  'script-src-attr',
  'style-src',
  'style-src-elem',
  'style-src-attr',
  'img-src',
  'font-src',
  'connect-src',
  'media-src',
  'object-src',
  'frame-src',
  'child-src',
  'worker-src',
  'manifest-src',
  'prefetch-src',
  'fenced-frame-src',
  'base-uri',
  'form-action',
  'frame-ancestors',
  'navigate-to',
  'sandbox',
  'plugin-types',
  'report-uri',
  'report-to',
  'require-trusted-types-for',
  'trusted-types',
  'upgrade-insecure-requests',
  'block-all-mixed-content',
  'require-sri-for',
  'webrtc',
]);
