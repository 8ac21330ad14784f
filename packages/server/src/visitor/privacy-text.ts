import { DEVICE_STORAGE, type DeviceStorageUse } from '@csp-observer/core';
import type { ResolvedOptions } from '../options/options.js';
import type { VisitorLanguage } from './visitor-text.js';

type PrivacyOptions = Pick<ResolvedOptions, 'storage' | 'ingest' | 'visitor'> & { page: Pick<ResolvedOptions['page'], 'popup'> };

/** The words of the privacy page, per language; the device storage part is written from core's DEVICE_STORAGE. */
interface PrivacyWords {
  title: string;
  intro: string[];
  collectedHeading: string;
  page: (stripped: boolean) => string;
  blocked: string[];
  userAgent: string;
  ip: string[];
  identity: string;
  deviceHeading: string;
  deviceIntro: string;
  /** Where it is kept, as the browser's developer tools show it. */
  where: (use: DeviceStorageUse) => string;
  /** When it is written, what it holds and why, and for how long. */
  uses: Record<DeviceStorageUse['id'], (hours: number) => string>;
  noDevice: string;
  howLongHeading: string;
  kept: (days: number) => string;
  sharingHeading: string;
  sharingOn: string;
  sharingOff: string;
}

const code = (name: string) => `\`${name}\``;

const WORDS: Record<VisitorLanguage, PrivacyWords> = {
  en: {
    title: 'Privacy: the browser security check',
    intro: [
      'This site checks whether something in your browser (an extension, adware, malware or a',
      'tampered browser) changes its pages. For that, your browser reports to this site the content',
      'that the site’s security policy blocked.',
    ],
    collectedHeading: 'What is collected',
    page: (stripped) => `The address of the page you viewed${stripped ? ', without its query string or fragment' : ''}.`,
    blocked: [
      'For each blocked item: which rule of the policy blocked it, its address (for example a script’s',
      '  URL), the file and line that tried to load it, and up to 40 characters of blocked code.',
    ],
    userAgent: 'Your browser’s user agent string (its name and version).',
    ip: [
      'Your IP address, **anonymized** before it is stored: the last two bytes of an IPv4 address and',
      '  all but the first 48 bits of an IPv6 address are removed.',
    ],
    identity: 'Nothing is tied to who you are: each page view gets a random identifier.',
    deviceHeading: 'What is stored on your device',
    deviceIntro: 'No cookie is set. The check’s script keeps this in your browser, for this site only:',
    where: (use) =>
      use.api === 'indexedDB'
        ? `IndexedDB database ${code(use.name)}, object store ${code(use.store ?? '')}`
        : `sessionStorage key ${code(use.name)}`,
    uses: {
      outbox: (hours) =>
        `written on every page view: the reports of the page view (the data listed above) until this site has received them, so that none is lost when you close the tab or the connection fails. Each entry is deleted as soon as the site has it, and one that could not be sent is deleted at the latest after ${hours} hours. The empty database stays until you clear this site’s data in your browser.`,
      dismissed: () =>
        'written when you close the check’s box: which findings you closed, so that the box does not show them again while you browse this site in this tab. It is deleted when you close the tab.',
    },
    noDevice: 'No cookie is set and nothing is stored on your device.',
    howLongHeading: 'How long',
    kept: (days) => `Reports and page views are kept on this site’s server for **${days} day${days === 1 ? '' : 's'}**, then deleted.`,
    sharingHeading: 'Sharing',
    sharingOn:
      'Nothing is shared with anyone unless you choose to on the check’s report page, where the exact data is shown first. It then goes to the maintainers of the detection rules.',
    sharingOff: 'The data is not shared with anyone.',
  },
  de: {
    title: 'Datenschutz: die Browser-Sicherheitsprüfung',
    intro: [
      'Diese Website prüft, ob etwas in Ihrem Browser (eine Erweiterung, Werbe- oder Schadsoftware',
      'oder ein manipulierter Browser) ihre Seiten verändert. Dazu meldet Ihr Browser der Website die',
      'Inhalte, die ihre Sicherheitsrichtlinie blockiert hat.',
    ],
    collectedHeading: 'Was erfasst wird',
    page: (stripped) => `Die Adresse der aufgerufenen Seite${stripped ? ', ohne Abfrageparameter und Fragment' : ''}.`,
    blocked: [
      'Für jeden blockierten Inhalt: welche Regel der Richtlinie ihn blockiert hat, seine Adresse (etwa',
      '  die URL eines Skripts), die Datei und Zeile, die ihn laden wollte, und bis zu 40 Zeichen des blockierten Codes.',
    ],
    userAgent: 'Die User-Agent-Kennung Ihres Browsers (sein Name und seine Version).',
    ip: [
      'Ihre IP-Adresse, vor dem Speichern **anonymisiert**: Bei IPv4 werden die letzten zwei Bytes entfernt,',
      '  bei IPv6 alles außer den ersten 48 Bits.',
    ],
    identity: 'Nichts davon wird mit Ihrer Person verknüpft: Jeder Seitenaufruf erhält eine zufällige Kennung.',
    deviceHeading: 'Was auf Ihrem Gerät gespeichert wird',
    deviceIntro: 'Es wird kein Cookie gesetzt. Das Skript der Prüfung legt in Ihrem Browser, nur für diese Website, Folgendes ab:',
    where: (use) =>
      use.api === 'indexedDB'
        ? `IndexedDB-Datenbank ${code(use.name)}, Objektspeicher ${code(use.store ?? '')}`
        : `sessionStorage-Schlüssel ${code(use.name)}`,
    uses: {
      outbox: (hours) =>
        `wird bei jedem Seitenaufruf geschrieben: die Meldungen des Seitenaufrufs (die oben genannten Daten), bis die Website sie erhalten hat, damit keine verloren geht, wenn Sie den Tab schließen oder die Verbindung abbricht. Jeder Eintrag wird gelöscht, sobald die Website ihn hat; einer, der nicht gesendet werden konnte, spätestens nach ${hours} Stunden. Die leere Datenbank bleibt, bis Sie die Daten dieser Website in Ihrem Browser löschen.`,
      dismissed: () =>
        'wird geschrieben, wenn Sie das Fenster der Prüfung schließen: welche Befunde Sie geschlossen haben, damit das Fenster sie nicht erneut zeigt, solange Sie diese Website in diesem Tab besuchen. Er wird gelöscht, wenn Sie den Tab schließen.',
    },
    noDevice: 'Es wird kein Cookie gesetzt und nichts auf Ihrem Gerät gespeichert.',
    howLongHeading: 'Wie lange',
    kept: (days) =>
      `Meldungen und Seitenaufrufe werden auf dem Server dieser Website **${days} ${days === 1 ? 'Tag' : 'Tage'}** aufbewahrt und dann gelöscht.`,
    sharingHeading: 'Weitergabe',
    sharingOn:
      'Die Daten werden an niemanden weitergegeben, es sei denn, Sie entscheiden sich auf der Ergebnisseite der Prüfung dafür; dort werden Ihnen die genauen Daten vorher gezeigt. Sie gehen dann an die Betreuer der Erkennungsregeln.',
    sharingOff: 'Die Daten werden an niemanden weitergegeben.',
  },
  fr: {
    title: 'Confidentialité : le contrôle de sécurité du navigateur',
    intro: [
      'Ce site vérifie si un élément de votre navigateur (une extension, un logiciel publicitaire ou',
      'malveillant, ou un navigateur modifié) altère ses pages. Pour cela, votre navigateur signale à ce',
      'site les contenus que sa politique de sécurité a bloqués.',
    ],
    collectedHeading: 'Ce qui est collecté',
    page: (stripped) => `L’adresse de la page consultée${stripped ? ', sans ses paramètres de requête ni son fragment' : ''}.`,
    blocked: [
      'Pour chaque contenu bloqué : la règle de la politique qui l’a bloqué, son adresse (par exemple',
      '  l’URL d’un script), le fichier et la ligne qui ont tenté de le charger, et jusqu’à 40 caractères du code bloqué.',
    ],
    userAgent: 'La chaîne « user agent » de votre navigateur (son nom et sa version).',
    ip: [
      'Votre adresse IP, **anonymisée** avant d’être enregistrée : les deux derniers octets d’une adresse IPv4',
      '  et tout sauf les 48 premiers bits d’une adresse IPv6 sont supprimés.',
    ],
    identity: 'Rien n’est lié à votre identité : chaque consultation de page reçoit un identifiant aléatoire.',
    deviceHeading: 'Ce qui est enregistré sur votre appareil',
    deviceIntro: 'Aucun cookie n’est déposé. Le script du contrôle conserve ceci dans votre navigateur, pour ce site uniquement :',
    where: (use) =>
      use.api === 'indexedDB'
        ? `Base IndexedDB ${code(use.name)}, magasin d’objets ${code(use.store ?? '')}`
        : `Clé sessionStorage ${code(use.name)}`,
    uses: {
      outbox: (hours) =>
        `écrite à chaque consultation de page : les rapports de la consultation (les données ci-dessus) jusqu’à ce que ce site les ait reçus, afin qu’aucun ne se perde si vous fermez l’onglet ou si la connexion échoue. Chaque entrée est supprimée dès que le site l’a reçue ; une entrée qui n’a pas pu être envoyée est supprimée au plus tard après ${hours} heures. La base vide reste jusqu’à ce que vous effaciez les données de ce site dans votre navigateur.`,
      dismissed: () =>
        'écrite quand vous fermez la fenêtre du contrôle : les constats que vous avez fermés, pour qu’elle ne les affiche plus tant que vous naviguez sur ce site dans cet onglet. Elle est supprimée à la fermeture de l’onglet.',
    },
    noDevice: 'Aucun cookie n’est déposé et rien n’est enregistré sur votre appareil.',
    howLongHeading: 'Durée de conservation',
    kept: (days) =>
      `Les rapports et les consultations sont conservés sur le serveur de ce site pendant **${days} jour${days === 1 ? '' : 's'}**, puis supprimés.`,
    sharingHeading: 'Partage',
    sharingOn:
      'Rien n’est partagé avec qui que ce soit, sauf si vous le choisissez sur la page de résultat du contrôle, où les données exactes vous sont d’abord montrées. Elles vont alors aux responsables des règles de détection.',
    sharingOff: 'Les données ne sont partagées avec personne.',
  },
};

/**
 * What this configuration stores on the visitor's device: core's DEVICE_STORAGE, less the
 * popup's record when there is no popup (`popup: 'off'` never writes it).
 */
export function deviceStorageOf(options: { page: Pick<ResolvedOptions['page'], 'popup'> }): DeviceStorageUse[] {
  return DEVICE_STORAGE.filter((use) => use.written !== 'popup-closed' || options.page.popup !== 'off');
}

/**
 * The default text of `{prefix}/privacy`, in markdown, stating what this configuration really
 * does, in the visitor's language. A site owner replaces it with the `privacyText` option.
 */
export function defaultPrivacyText(options: PrivacyOptions, lang: VisitorLanguage = 'en'): string {
  const w = WORDS[lang];
  const days = options.storage.sessionKeepDays;
  const device = deviceStorageOf(options);
  return [
    `# ${w.title}`,
    '',
    ...w.intro,
    '',
    `## ${w.collectedHeading}`,
    '',
    `- ${w.page(options.ingest.stripQuery)}`,
    `- ${w.blocked.join('\n')}`,
    `- ${w.userAgent}`,
    `- ${w.ip.join('\n')}`,
    '',
    w.identity,
    '',
    `## ${w.deviceHeading}`,
    '',
    ...(device.length
      ? [
          w.deviceIntro,
          '',
          ...device.map((use) => {
            const hours = typeof use.lifetime === 'number' ? Math.round(use.lifetime / 3600_000) : 0;
            return `- **${w.where(use)}**: ${w.uses[use.id](hours)}`;
          }),
        ]
      : [w.noDevice]),
    '',
    `## ${w.howLongHeading}`,
    '',
    w.kept(days),
    '',
    `## ${w.sharingHeading}`,
    '',
    options.visitor.dataSharingUrl ? w.sharingOn : w.sharingOff,
  ].join('\n');
}
