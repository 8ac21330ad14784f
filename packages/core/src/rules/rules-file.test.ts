import { describe, expect, it } from 'vitest';
import { parseRulesFile, readRule, ruleToJson, RulesFileError } from './rules-file.js';

const djangoCspObserverFile = {
  last_updated: 1600000000,
  rules: [
    {
      id: 12,
      cause: 'extension',
      title: 'Some extension',
      short_description: 'Injects a toolbar',
      long_description: 'It **does** things',
      directives: [
        { url: '^chrome-extension://abc', directive: '' },
        { url: 'toolbar\\.example', directive: 'script-src' },
      ],
    },
  ],
};

describe('parseRulesFile', () => {
  it("reads django-csp-observer's central rule repository format", () => {
    const parsed = parseRulesFile(djangoCspObserverFile);
    expect(parsed.lastUpdated).toBe(1600000000);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.rules).toEqual([
      {
        id: '12',
        cause: 'extension',
        title: 'Some extension',
        shortDescription: 'Injects a toolbar',
        longDescription: 'It **does** things',
        ignore: false,
        origin: 'global',
        references: [],
        match: [
          { blockedUri: '^chrome-extension://abc', directive: '', sourceFile: '', sample: '', documentUri: '', policy: '', engine: '' },
          { blockedUri: 'toolbar\\.example', directive: 'script-src', sourceFile: '', sample: '', documentUri: '', policy: '', engine: '' },
        ],
      },
    ]);
  });

  it('reads ours, and writes it back the same', () => {
    const rule = {
      id: 'noise.translate',
      cause: 'browser',
      title: 'Translation',
      short_description: 's',
      long_description: 'l',
      ignore: true,
      match: [{ blocked_uri: 'translate\\.googleapis\\.com', directive: 'script-src-elem', source_file: '', sample: '' }],
      references: ['https://example.org/doc'],
    };
    const parsed = parseRulesFile({ format: 'csp-observer-rules/1', last_updated: 5, rules: [rule] });
    expect(parsed.rules[0]!.ignore).toBe(true);
    expect(ruleToJson(parsed.rules[0]!)).toEqual(rule);
  });

  it('refuses bad rules one by one, with the reason, and keeps the rest', () => {
    const parsed = parseRulesFile({
      last_updated: 1,
      rules: [
        { id: 'ok', cause: 'other', title: 'fine', match: [{ blocked_uri: 'x' }] },
        { id: 'bad-cause', cause: 'aliens', title: 't', match: [{ blocked_uri: 'x' }] },
        { id: 'no-match', cause: 'other', title: 't', match: [] },
        { id: 'empty-matcher', cause: 'other', title: 't', match: [{ directive: 'img-src' }] },
        { cause: 'other', title: 't', match: [{ blocked_uri: 'x' }] },
        { id: 'ok', cause: 'other', title: 'dup', match: [{ blocked_uri: 'y' }] },
        { id: 'long', cause: 'other', title: 't', match: [{ blocked_uri: 'a'.repeat(1001) }] },
        'nonsense',
      ],
    });
    expect(parsed.rules.map((r) => r.id)).toEqual(['ok']);
    expect(parsed.rejected).toEqual([
      { id: 'bad-cause', reason: 'cause must be extension, browser, malware or other' },
      { id: 'no-match', reason: 'match (or directives) must be a non-empty array' },
      { id: 'empty-matcher', reason: 'a matcher needs a blocked_uri, source_file, sample, document_uri or policy pattern' },
      { id: '#4', reason: 'id is missing' },
      { id: 'ok', reason: 'duplicate id' },
      { id: 'long', reason: 'blocked_uri is longer than 1000 characters' },
      { id: '#7', reason: 'a rule must be an object' },
    ]);
  });

  it('throws for something that is not a rules file', () => {
    expect(() => parseRulesFile([])).toThrow(RulesFileError);
    expect(() => parseRulesFile({ rules: {} })).toThrow('a rules file needs a "rules" array');
    expect(() => parseRulesFile({ rules: [], last_updated: 'yesterday' })).toThrow('last_updated');
  });

  it('reads a custom rule the same way', () => {
    expect(readRule({ id: 'custom:1', cause: 'malware', title: 'Mine', match: [{ sample: 'evil' }] }, 'custom').origin).toBe('custom');
  });
});
