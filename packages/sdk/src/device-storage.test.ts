// @vitest-environment happy-dom
// What the SDK really stores on the visitor's device, against what core's DEVICE_STORAGE declares
// (and the privacy page says): the SDK runs a page view and a closed popup against
// fake-indexeddb and happy-dom's sessionStorage, then everything found there must be declared.
import { readdirSync, readFileSync } from 'node:fs';
import { DEVICE_STORAGE, EN_POPUP_STRINGS, type Verdict } from '@csp-observer/core';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PopupController } from './popup/popup.js';
import { BatchQueue } from './queue.js';

const SRC = `${import.meta.dirname}/`;
/** Every browser API that keeps something on the device. */
const STORAGE_APIS =
  /\b(indexedDB|sessionStorage|localStorage|document\.cookie|cookieStore|caches|openDatabase|createStore|storage\.getDirectory)\b/g;

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(`${dir}${entry.name}/`)
      : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')
        ? [`${dir}${entry.name}`]
        : [],
  );

beforeEach(() => {
  vi.stubGlobal('indexedDB', new IDBFactory());
  sessionStorage.clear();
});
afterEach(() => {
  vi.unstubAllGlobals();
  for (const element of document.querySelectorAll('csp-observer-popup')) element.remove();
});

describe('the device storage the SDK uses', () => {
  it('is all declared in DEVICE_STORAGE: databases, object stores and sessionStorage keys', async () => {
    const queue = new BatchQueue();
    await queue.add({ id: 'b1', url: '/csp/events/tok', body: '{}', at: Date.now(), lease: 0 });
    await queue.takeLeftovers(Date.now());
    const verdict: Verdict = {
      status: 'problems',
      final: true,
      problems: [{ ruleId: 'ext.a', cause: 'extension', title: 'A', shortDescription: '', count: 1 }],
      anomalies: [],
      unknown: 0,
    };
    const popup = new PopupController({ mode: 'always', strings: EN_POPUP_STRINGS, scanUrl: '/csp/scan/tok' });
    popup.update(verdict);
    document.querySelector('csp-observer-popup')!.shadowRoot!.querySelector('button')!.click();

    const databases = await indexedDB.databases();
    const declaredDatabases = DEVICE_STORAGE.filter((use) => use.api === 'indexedDB');
    expect(databases.map((db) => db.name).sort()).toEqual(declaredDatabases.map((use) => use.name).sort());
    for (const use of declaredDatabases) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(use.name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      expect([...db.objectStoreNames], use.name).toEqual([use.store]);
      db.close();
    }
    const keys = Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i));
    expect(keys.sort()).toEqual(DEVICE_STORAGE.filter((use) => use.api === 'sessionStorage').map((use) => use.name));
  });

  it('goes only through the declared APIs, with names taken from core (no storage name spelled in the SDK)', () => {
    const declaredApis = new Set<string>(DEVICE_STORAGE.map((use) => use.api));
    const found: string[] = [];
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const [api] of text.matchAll(STORAGE_APIS)) found.push(`${file.slice(SRC.length)}: ${api}`);
      // (The database's name is also the SDK's Symbol.for() mark: its store name stands for it.)
      for (const name of DEVICE_STORAGE.map((use) => use.store ?? use.name))
        expect(text, `${file} spells ${name}: import it from core`).not.toContain(`'${name}'`);
    }
    const undeclared = found.filter((line) => {
      const api = line.split(': ')[1]!;
      return !(declaredApis.has(api) || (api === 'createStore' && declaredApis.has('indexedDB')));
    });
    expect(undeclared, 'a storage API not declared in DEVICE_STORAGE').toEqual([]);
    expect(found.length).toBeGreaterThan(0);
  });
});
