import type { Cause } from '@csp-observer/core';

/** The languages of the visitor pages: those the popup speaks (core's POPUP_STRINGS). */
export type VisitorLanguage = 'en' | 'de' | 'fr';
export const VISITOR_LANGUAGES: readonly VisitorLanguage[] = ['en', 'de', 'fr'];

export type ShareMessage = 'ok' | 'failed' | 'already' | 'changed' | 'nothing';

/** Every word of the scan page (and its 404), per language. */
export interface ScanText {
  title: string;
  observing: string;
  clean: string;
  problems: (n: number) => string;
  page: string;
  checked: string;
  problemsHeading: string;
  anomaliesHeading: string;
  noticesHeading: string;
  unexplainedHeading: string;
  unexplainedIntro: string;
  times: (n: number) => string;
  references: string;
  directive: string;
  blocked: string;
  source: string;
  sample: string;
  count: string;
  sharingHeading: string;
  sharingIntro: string;
  sharedDataLabel: string;
  shareButton: string;
  shared: (at: string) => string;
  nothingToShare: string;
  messages: Record<ShareMessage, string>;
  privacy: string;
  expired: (days: number) => string;
  causes: Record<Cause, string>;
}

const EN: ScanText = {
  title: 'Browser security check',
  observing: 'This page view is still being observed. This page refreshes by itself until the check is complete.',
  clean: 'No problems were detected while you viewed this page.',
  problems: (n) => `Detected ${n} problem${n === 1 ? '' : 's'} in your browser while you viewed this page.`,
  page: 'Page',
  checked: 'Checked',
  problemsHeading: 'Problems',
  anomaliesHeading: 'Signs of tampering',
  noticesHeading: 'Good to know',
  unexplainedHeading: 'Other blocked content',
  unexplainedIntro:
    'The site’s security policy blocked these, and no known rule explains them. Most are harmless (often the site’s own content); an unusual one may be a new extension or malware.',
  times: (n) => (n === 1 ? 'once' : `${n} times`),
  references: 'References',
  directive: 'Rule of the policy',
  blocked: 'Blocked',
  source: 'From',
  sample: 'Sample',
  count: 'Seen',
  sharingHeading: 'Help improve the detection',
  sharingIntro:
    'You can send the data below to the maintainers of the detection rules, so that they can recognize what no rule explains yet. Nothing is sent unless you click the button; exactly this text is sent, nothing else.',
  sharedDataLabel: 'The data that would be shared',
  shareButton: 'Share this data',
  shared: (at) => `You shared this data on ${at}. Thank you.`,
  nothingToShare: 'There is nothing to share for this page view.',
  messages: {
    ok: 'Thank you: the data was shared.',
    failed:
      'Sharing failed: the receiving service could not be reached or refused the data. Nothing was recorded; you may try again later.',
    already: 'This data was already shared.',
    changed: 'The data changed while you were reading it (more reports arrived). Please review it again before sharing.',
    nothing: 'There is nothing to share for this page view.',
  },
  privacy: 'Privacy',
  expired: (days) => `This check does not exist or has expired (checks are kept ${days} day${days === 1 ? '' : 's'}).`,
  causes: { extension: 'Browser extension', browser: 'Browser', malware: 'Malware or adware', other: 'Other' },
};

const DE: ScanText = {
  title: 'Browser-Sicherheitsprüfung',
  observing: 'Dieser Seitenaufruf wird noch beobachtet. Die Seite lädt sich selbst neu, bis die Prüfung abgeschlossen ist.',
  clean: 'Während Sie diese Seite angesehen haben, wurden keine Probleme gefunden.',
  problems: (n) =>
    `Während Sie diese Seite angesehen haben, ${n === 1 ? 'wurde 1 Problem' : `wurden ${n} Probleme`} in Ihrem Browser gefunden.`,
  page: 'Seite',
  checked: 'Geprüft',
  problemsHeading: 'Probleme',
  anomaliesHeading: 'Anzeichen einer Manipulation',
  noticesHeading: 'Gut zu wissen',
  unexplainedHeading: 'Weitere blockierte Inhalte',
  unexplainedIntro:
    'Die Sicherheitsrichtlinie der Website hat diese Inhalte blockiert, und keine bekannte Regel erklärt sie. Meist sind sie harmlos (oft Inhalte der Website selbst); ein ungewöhnlicher Eintrag kann auf eine neue Erweiterung oder Schadsoftware hinweisen.',
  times: (n) => (n === 1 ? 'einmal' : `${n}-mal`),
  references: 'Quellen',
  directive: 'Regel der Richtlinie',
  blocked: 'Blockiert',
  source: 'Von',
  sample: 'Auszug',
  count: 'Gesehen:',
  sharingHeading: 'Helfen Sie, die Erkennung zu verbessern',
  sharingIntro:
    'Sie können die folgenden Daten an die Betreuer der Erkennungsregeln senden, damit diese erkennen können, was noch keine Regel erklärt. Es wird nur etwas gesendet, wenn Sie auf die Schaltfläche klicken, und zwar genau dieser Text, sonst nichts.',
  sharedDataLabel: 'Die Daten, die geteilt würden',
  shareButton: 'Diese Daten teilen',
  shared: (at) => `Sie haben diese Daten am ${at} geteilt. Vielen Dank.`,
  nothingToShare: 'Für diesen Seitenaufruf gibt es nichts zu teilen.',
  messages: {
    ok: 'Vielen Dank: Die Daten wurden geteilt.',
    failed:
      'Das Teilen ist fehlgeschlagen: Der empfangende Dienst war nicht erreichbar oder hat die Daten abgelehnt. Es wurde nichts gespeichert; Sie können es später erneut versuchen.',
    already: 'Diese Daten wurden bereits geteilt.',
    changed:
      'Die Daten haben sich geändert, während Sie sie gelesen haben (weitere Meldungen sind eingegangen). Bitte prüfen Sie sie vor dem Teilen noch einmal.',
    nothing: 'Für diesen Seitenaufruf gibt es nichts zu teilen.',
  },
  privacy: 'Datenschutz',
  expired: (days) =>
    `Diese Prüfung gibt es nicht oder sie ist abgelaufen (Prüfungen werden ${days} ${days === 1 ? 'Tag' : 'Tage'} aufbewahrt).`,
  causes: { extension: 'Browsererweiterung', browser: 'Browser', malware: 'Schad- oder Werbesoftware', other: 'Sonstiges' },
};

const FR: ScanText = {
  title: 'Contrôle de sécurité du navigateur',
  observing: 'Cette consultation de page est encore en cours d’observation. La page se recharge d’elle-même jusqu’à la fin du contrôle.',
  clean: 'Aucun problème n’a été détecté pendant que vous consultiez cette page.',
  problems: (n) =>
    `${n === 1 ? '1 problème a été détecté' : `${n} problèmes ont été détectés`} dans votre navigateur pendant que vous consultiez cette page.`,
  page: 'Page',
  checked: 'Contrôlée le',
  problemsHeading: 'Problèmes',
  anomaliesHeading: 'Signes de manipulation',
  noticesHeading: 'Bon à savoir',
  unexplainedHeading: 'Autres contenus bloqués',
  unexplainedIntro:
    'La politique de sécurité du site a bloqué ces contenus, et aucune règle connue ne les explique. La plupart sont sans danger (souvent le propre contenu du site) ; un contenu inhabituel peut signaler une nouvelle extension ou un logiciel malveillant.',
  times: (n) => (n === 1 ? 'une fois' : `${n} fois`),
  references: 'Références',
  directive: 'Règle de la politique',
  blocked: 'Bloqué',
  source: 'Depuis',
  sample: 'Extrait',
  count: 'Vu',
  sharingHeading: 'Aidez à améliorer la détection',
  sharingIntro:
    'Vous pouvez envoyer les données ci-dessous aux responsables des règles de détection, afin qu’ils reconnaissent ce qu’aucune règle n’explique encore. Rien n’est envoyé tant que vous ne cliquez pas sur le bouton ; seul ce texte est envoyé, rien d’autre.',
  sharedDataLabel: 'Les données qui seraient partagées',
  shareButton: 'Partager ces données',
  shared: (at) => `Vous avez partagé ces données le ${at}. Merci.`,
  nothingToShare: 'Il n’y a rien à partager pour cette consultation.',
  messages: {
    ok: 'Merci : les données ont été partagées.',
    failed:
      'Le partage a échoué : le service destinataire était injoignable ou a refusé les données. Rien n’a été enregistré ; vous pouvez réessayer plus tard.',
    already: 'Ces données ont déjà été partagées.',
    changed: 'Les données ont changé pendant votre lecture (d’autres rapports sont arrivés). Veuillez les relire avant de les partager.',
    nothing: 'Il n’y a rien à partager pour cette consultation.',
  },
  privacy: 'Confidentialité',
  expired: (days) => `Ce contrôle n’existe pas ou a expiré (les contrôles sont conservés ${days} jour${days === 1 ? '' : 's'}).`,
  causes: { extension: 'Extension du navigateur', browser: 'Navigateur', malware: 'Logiciel malveillant ou publicitaire', other: 'Autre' },
};

export const SCAN_TEXTS: Readonly<Record<VisitorLanguage, ScanText>> = { en: EN, de: DE, fr: FR };
