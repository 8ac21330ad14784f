import { isBacktrackingSafe, type PatternCompiler } from '@csp-observer/core';
import { RE2JS } from 're2js';

/**
 * Compiles rule patterns with RE2 semantics: matching takes time linear in the input whatever
 * the pattern, so a catastrophic pattern in a downloaded rules file cannot stall the server.
 * Every pattern is checked by RE2 (re2js); the simple shapes that cannot backtrack badly (see
 * isBacktrackingSafe) then run on V8's faster RegExp, the others on re2js. RE2 has no
 * backreferences or lookaround: such patterns are refused with the reason. Case-insensitive;
 * Python's `(?P<name>...)` groups of django-csp-observer's rules work as they are.
 */
export const compilePattern: PatternCompiler = (source) => {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    throw new Error(`not a valid RE2 pattern (${(error as Error).message})`);
  }
  if (isBacktrackingSafe(source)) {
    try {
      const native = new RegExp(source, 'i');
      return (input) => native.test(input);
    } catch {
      // Valid RE2 that V8 reads differently: RE2 it is.
    }
  }
  return (input) => re.test(input);
};
