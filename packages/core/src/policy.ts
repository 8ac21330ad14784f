import { KNOWN_DIRECTIVES } from './directives.js';

/** A policy as directive name -> source expressions, in the order they are written. */
export type Policy = Record<string, readonly string[]>;

/** Raised for a policy that cannot be sent as a header. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

// RFC 9110 token characters minus what CSP uses as separators; a source expression may not
// contain whitespace, `;` or `,` (a comma would start a second policy).
const SOURCE_EXPRESSION = /^[^\s;,]+$/;
const DIRECTIVE_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Checks a policy object and returns a normalized copy (lower-case names, no duplicate
 * sources). Throws a PolicyError naming the directive at fault.
 */
export function validatePolicy(policy: Policy, { allowUnknown = false } = {}): Policy {
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new PolicyError('Content-Security-Policy must be an object of directive -> sources');
  }
  const out: Record<string, string[]> = {};
  for (const [rawName, sources] of Object.entries(policy)) {
    const name = rawName.toLowerCase();
    if (!DIRECTIVE_NAME.test(name)) {
      throw new PolicyError(`Content-Security-Policy has an invalid directive name "${rawName}"`);
    }
    if (!allowUnknown && !KNOWN_DIRECTIVES.has(name)) {
      throw new PolicyError(`Content-Security-Policy has an unknown directive "${rawName}"`);
    }
    if (name in out) {
      throw new PolicyError(`Content-Security-Policy received a duplicate directive "${rawName}"`);
    }
    if (!Array.isArray(sources)) {
      throw new PolicyError(`Content-Security-Policy directive "${rawName}" must be an array of sources`);
    }
    const unique: string[] = [];
    for (const source of sources) {
      if (typeof source !== 'string' || !SOURCE_EXPRESSION.test(source)) {
        throw new PolicyError(`Content-Security-Policy directive "${rawName}" has an invalid source ${JSON.stringify(source)}`);
      }
      if (!unique.includes(source)) unique.push(source);
    }
    out[name] = unique;
  }
  return out;
}

/** Serializes a policy to a header value: `name source source; name ...`. */
export function serializePolicy(policy: Policy): string {
  return Object.entries(policy)
    .map(([name, sources]) => (sources.length ? `${name} ${sources.join(' ')}` : name))
    .join('; ');
}

/**
 * Parses a serialized policy (one policy: the part before any comma). Later duplicates of a
 * directive are ignored, as browsers do.
 */
export function parsePolicy(header: string): Policy {
  const out: Record<string, string[]> = {};
  const first = header.split(',')[0] ?? '';
  for (const part of first.split(';')) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    const [rawName, ...sources] = tokens;
    if (!rawName) continue;
    const name = rawName.toLowerCase();
    if (!(name in out)) out[name] = sources;
  }
  return out;
}

/** Returns a copy of the policy with `sources` appended to `directive` (created if absent). */
export function withSources(policy: Policy, directive: string, sources: readonly string[]): Policy {
  const current = policy[directive] ?? [];
  const merged = [...current];
  for (const source of sources) if (!merged.includes(source)) merged.push(source);
  return { ...policy, [directive]: merged };
}
