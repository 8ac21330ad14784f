/**
 * Everything the SDK keeps on the visitor's device, declared once: the SDK takes its storage
 * names from here, and the privacy page (`{prefix}/privacy`) is written from `DEVICE_STORAGE`,
 * so the two cannot drift apart. `packages/sdk/test/device-storage.test.ts` fails when the SDK
 * uses a storage API or a name that is not declared here. The ePrivacy rules treat such storage
 * like cookies: a site owner must be able to say exactly what is stored, for how long and why.
 */

/** The IndexedDB database of the SDK's outbox (reports waiting for the server's acknowledgement). */
export const OUTBOX_DATABASE = 'csp-observer';
/** Its one object store. */
export const OUTBOX_STORE = 'outbox';
/** Batches older than this are dropped unsent: stale evidence helps no one. */
export const OUTBOX_MAX_AGE_MS = 24 * 3600_000;
/** The most batches the outbox keeps for the whole site; the oldest go first. */
export const OUTBOX_MAX_BATCHES = 100;
/** The sessionStorage key of what the visitor closed in the popup, in this tab. */
export const DISMISSED_KEY = 'csp-observer:dismissed';

/** Where a browser keeps a stored item. */
export type DeviceStorageApi = 'indexedDB' | 'sessionStorage';

/** One thing the SDK stores on the device. */
export interface DeviceStorageUse {
  /** A stable name, for the texts that describe it (the privacy page's, per language). */
  id: 'outbox' | 'dismissed';
  api: DeviceStorageApi;
  /** The database (IndexedDB) or key (sessionStorage) name, as the browser's developer tools show it. */
  name: string;
  /** The object store (IndexedDB only). */
  store?: string;
  /** When it is written. */
  written: 'every-page-view' | 'popup-closed';
  /** How long one entry may live at most (ms), or `tab` for the life of the browser tab. */
  lifetime: number | 'tab';
}

export const DEVICE_STORAGE: readonly DeviceStorageUse[] = [
  {
    id: 'outbox',
    api: 'indexedDB',
    name: OUTBOX_DATABASE,
    store: OUTBOX_STORE,
    written: 'every-page-view',
    lifetime: OUTBOX_MAX_AGE_MS,
  },
  { id: 'dismissed', api: 'sessionStorage', name: DISMISSED_KEY, written: 'popup-closed', lifetime: 'tab' },
];
