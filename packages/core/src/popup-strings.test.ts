import { describe, expect, it } from 'vitest';
import { EN_POPUP_STRINGS, mergePopupStrings, POPUP_STRING_KEYS, POPUP_STRINGS, popupStringsFor } from './popup-strings.js';

describe('popup strings', () => {
  it('every shipped language has every text, with {n} in the plural', () => {
    for (const [lang, strings] of Object.entries(POPUP_STRINGS)) {
      expect(Object.keys(strings).sort(), lang).toEqual([...POPUP_STRING_KEYS].sort());
      expect(strings.problems, lang).toContain('{n}');
    }
  });

  it('picks a language by its primary subtag, English otherwise', () => {
    expect(popupStringsFor('de-AT').close).toBe('Schließen');
    expect(popupStringsFor('FR').clean).toBe('Aucun problème détecté');
    expect(popupStringsFor('xx')).toBe(EN_POPUP_STRINGS);
    expect(popupStringsFor('')).toBe(EN_POPUP_STRINGS);
  });

  it('lays only known, non-empty string texts over the base', () => {
    const merged = mergePopupStrings(EN_POPUP_STRINGS, { clean: 'All good', close: '', learnMore: 42, evil: '<b>' });
    expect(merged).toEqual({ ...EN_POPUP_STRINGS, clean: 'All good' });
    expect(mergePopupStrings(EN_POPUP_STRINGS, 'nonsense')).toEqual(EN_POPUP_STRINGS);
  });
});
