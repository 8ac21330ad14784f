import { DEFAULT_MATCH_BUDGET } from '../rules/match-budget.js';
import { rulesPublicKey } from '../rules/rules-source.js';
import { knownKeys, OptionsError, positive } from './option-checks.js';

export interface RulesOptions {
  /** A rules file URL or path, or `bundled` (default): the file shipped with the package. Read on first start and by updates. */
  source?: string;
  /** Seconds that must pass between two updates unless forced (default 21600, django-csp-observer's RULE_UPDATE_INTERVAL). */
  updateInterval?: number;
  /** Update from `source` every `updateInterval` seconds while running (default false: run `csp-observer update-rules` on a schedule). */
  autoUpdate?: boolean;
  /** The rules feed publisher's Ed25519 public key (PEM or base64 SPKI): `source` must come with a valid `<source>.sig`. */
  publicKey?: string;
  /** A pinned version of `source`: the hex SHA-256 of its bytes. */
  sha256?: string;
  /**
   * Work the patterns of custom and downloaded rules may do for one report, in RE2 instructions
   * times characters (default 100000; docs/security.md). The shipped rules' patterns cost none of it.
   */
  matchBudget?: number;
}

export const RULES_DEFAULTS = {
  source: 'bundled',
  updateInterval: 21600,
  autoUpdate: false,
  publicKey: '',
  sha256: '',
  matchBudget: DEFAULT_MATCH_BUDGET,
} as const satisfies RulesOptions;

export function resolveRulesOptions(value: RulesOptions): Required<RulesOptions> {
  if (!value || typeof value !== 'object') throw new OptionsError('rules must be an object like { source, autoUpdate }');
  knownKeys('rules', value, Object.keys(RULES_DEFAULTS));
  const source = value.source ?? RULES_DEFAULTS.source;
  if (typeof source !== 'string' || !source) throw new OptionsError('rules.source must be a URL, a file path or "bundled"');
  const publicKey = value.publicKey ?? RULES_DEFAULTS.publicKey;
  if (publicKey) {
    try {
      rulesPublicKey(publicKey);
    } catch (error) {
      throw new OptionsError(`rules.publicKey: ${(error as Error).message}`);
    }
  }
  const sha256 = value.sha256 ?? RULES_DEFAULTS.sha256;
  if (sha256 && !/^[0-9a-f]{64}$/i.test(sha256))
    throw new OptionsError('rules.sha256 must be 64 hexadecimal digits (the SHA-256 of the rules file)');
  return {
    source,
    updateInterval: positive('rules.updateInterval', value.updateInterval, RULES_DEFAULTS.updateInterval),
    autoUpdate: value.autoUpdate ?? RULES_DEFAULTS.autoUpdate,
    publicKey,
    sha256,
    matchBudget: positive('rules.matchBudget', value.matchBudget, RULES_DEFAULTS.matchBudget),
  };
}
