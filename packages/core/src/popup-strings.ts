/**
 * Every word the visitor's popup shows, per language. The SDK carries English only; for a page
 * in another language the server puts that language's strings on the SDK tag (`data-strings`),
 * so translations cost the SDK nothing. `{n}` stands for the number of problems.
 */
export interface PopupStrings {
  label: string;
  observing: string;
  clean: string;
  /** One problem. */
  problem: string;
  /** `{n}` problems. */
  problems: string;
  learnMore: string;
  close: string;
  /** Read by screen readers after "Learn more". */
  newTab: string;
}

export const POPUP_STRING_KEYS = [
  'label',
  'observing',
  'clean',
  'problem',
  'problems',
  'learnMore',
  'close',
  'newTab',
] as const satisfies readonly (keyof PopupStrings)[];

export const EN_POPUP_STRINGS: PopupStrings = {
  label: 'Browser security check',
  observing: 'Observing browser behaviour…',
  clean: 'No problems detected',
  problem: 'Detected 1 problem',
  problems: 'Detected {n} problems',
  learnMore: 'Learn more',
  close: 'Close',
  newTab: '(opens in a new tab)',
};

/** The languages shipped; a site adds or corrects one with the server's `popupStrings` option. */
export const POPUP_STRINGS: Readonly<Record<string, PopupStrings>> = {
  en: EN_POPUP_STRINGS,
  de: {
    label: 'Browser-Sicherheitsprüfung',
    observing: 'Browserverhalten wird beobachtet…',
    clean: 'Keine Probleme gefunden',
    problem: '1 Problem gefunden',
    problems: '{n} Probleme gefunden',
    learnMore: 'Mehr erfahren',
    close: 'Schließen',
    newTab: '(öffnet in einem neuen Tab)',
  },
  fr: {
    label: 'Contrôle de sécurité du navigateur',
    observing: 'Observation du comportement du navigateur…',
    clean: 'Aucun problème détecté',
    problem: '1 problème détecté',
    problems: '{n} problèmes détectés',
    learnMore: 'En savoir plus',
    close: 'Fermer',
    newTab: '(s’ouvre dans un nouvel onglet)',
  },
};

/** The strings of a language tag (`de-AT` -> `de`); English when there are none. */
export function popupStringsFor(lang: string): PopupStrings {
  return POPUP_STRINGS[lang.toLowerCase().split('-')[0] ?? ''] ?? EN_POPUP_STRINGS;
}

/** `base` with the string fields of an untrusted object laid over it (unknown keys ignored). */
export function mergePopupStrings(base: PopupStrings, overrides: unknown): PopupStrings {
  const merged = { ...base };
  if (overrides && typeof overrides === 'object') {
    for (const key of POPUP_STRING_KEYS) {
      const value = (overrides as Record<string, unknown>)[key];
      if (typeof value === 'string' && value) merged[key] = value;
    }
  }
  return merged;
}
