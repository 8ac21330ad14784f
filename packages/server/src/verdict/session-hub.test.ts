import { describe, expect, it } from 'vitest';
import { SessionHub } from './session-hub.js';

describe('SessionHub', () => {
  it('never ends a wait at once for being one too many (issue 21: the verdict then re-read the database in a loop)', async () => {
    const hub = new SessionHub();
    const controller = new AbortController();
    let ended = 0;
    const waits = Array.from({ length: 10_001 }, (_, i) => hub.wait(`s${i % 7}`, 60_000, controller.signal).then(() => ended++));
    await Promise.resolve();
    await Promise.resolve();
    expect([hub.size, ended]).toEqual([10_001, 0]);
    hub.notify('s3');
    await new Promise((resolve) => setImmediate(resolve));
    expect([hub.size, ended]).toEqual([10_001 - 1429, 1429]);
    controller.abort();
    await Promise.all(waits);
    expect([hub.size, ended]).toEqual([0, 10_001]);
  });
});
