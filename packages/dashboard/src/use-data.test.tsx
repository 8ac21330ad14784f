// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useData, type Loaded } from './use-data';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const container = document.createElement('div');
let latest: Loaded<string>;
function Probe({ id, load }: { id: string; load: () => Promise<string> }) {
  latest = useData(id, load);
  return null;
}
const show = (id: string, load: () => Promise<string>) => act(() => render(<Probe id={id} load={load} />, container));
/** Lets settled loads reach the state. */
const flush = () =>
  act(async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  });
const state = () => ({ data: latest.data, error: latest.error, loading: latest.loading });

afterEach(() => {
  render(null, container);
});

describe('useData', () => {
  it('is loading, then has the data', async () => {
    const answer = deferred<string>();
    await show('a', () => answer.promise);
    expect(state()).toEqual({ data: null, error: null, loading: true });
    await act(async () => answer.resolve('A'));
    expect(state()).toEqual({ data: 'A', error: null, loading: false });
  });

  it("has the error's message when the load fails", async () => {
    const answer = deferred<string>();
    await show('a', () => answer.promise);
    await act(async () => answer.reject(new Error('HTTP 500')));
    expect(state()).toEqual({ data: null, error: 'HTTP 500', loading: false });
  });

  it('loads again when the key changes, not when only the render does', async () => {
    const load = vi.fn(async () => 'A');
    await show('a', load);
    await show('a', load);
    expect(load).toHaveBeenCalledTimes(1);
    const loadB = vi.fn(async () => 'B');
    await show('b', loadB);
    await flush();
    expect(loadB).toHaveBeenCalledTimes(1);
    expect(state()).toEqual({ data: 'B', error: null, loading: false });
  });

  it('keeps the shown data while the next key loads', async () => {
    await show('a', async () => 'A');
    const b = deferred<string>();
    await show('b', () => b.promise);
    expect(state()).toEqual({ data: 'A', error: null, loading: true });
  });

  it('lets the newest answer win over a slower older one', async () => {
    const a = deferred<string>();
    const b = deferred<string>();
    await show('a', () => a.promise);
    await show('b', () => b.promise);
    await act(async () => b.resolve('B'));
    await act(async () => a.resolve('A (late)'));
    expect(state()).toEqual({ data: 'B', error: null, loading: false });
  });

  it('ignores the failure of an older load too', async () => {
    const a = deferred<string>();
    await show('a', () => a.promise);
    await show('b', async () => 'B');
    await flush();
    await act(async () => a.reject(new Error('late failure')));
    expect(state()).toEqual({ data: 'B', error: null, loading: false });
  });

  it('reload() loads the same key again and clears an error meanwhile', async () => {
    let calls = 0;
    const answers = [deferred<string>(), deferred<string>()];
    const load = () => answers[calls++]!.promise;
    await show('a', load);
    await act(async () => answers[0]!.reject(new Error('down')));
    expect(state()).toEqual({ data: null, error: 'down', loading: false });
    await act(() => latest.reload());
    expect(calls).toBe(2);
    expect(state()).toEqual({ data: null, error: null, loading: true });
    await act(async () => answers[1]!.resolve('A'));
    expect(state()).toEqual({ data: 'A', error: null, loading: false });
  });

  it('sets nothing after it is unmounted', async () => {
    const a = deferred<string>();
    const errors = vi.spyOn(console, 'error');
    await show('a', () => a.promise);
    render(null, container);
    await act(async () => a.resolve('A'));
    expect(latest.data).toBeNull();
    expect(errors).not.toHaveBeenCalled();
  });
});
