import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The rules file shipped with the package (see docs/rules.md). */
export const BUNDLED_RULES = fileURLToPath(new URL('../../rules/default-rules.json', import.meta.url));

/** `bundled` names the shipped file wherever the package is installed. */
export const BUNDLED = 'bundled';

/** A rules file is small; anything far larger is not one. */
const MAX_RULES_FILE_BYTES = 10 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 20_000;

/** Reads a rules file from an http(s) URL, a file path or `bundled`, bounded in size and time. */
export async function readRulesSource(source: string): Promise<unknown> {
  const text = /^https?:\/\//i.test(source) ? await download(source) : await readLocal(source === BUNDLED ? BUNDLED_RULES : source);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
}

async function readLocal(path: string): Promise<string> {
  const data = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${error.message}`);
  });
  if (data.length > MAX_RULES_FILE_BYTES) throw new Error(`${path} is larger than ${MAX_RULES_FILE_BYTES} bytes`);
  return data.toString('utf8');
}

async function download(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new Error(`cannot download ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`cannot download ${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_RULES_FILE_BYTES) throw new Error(`${url} is larger than ${MAX_RULES_FILE_BYTES} bytes`);
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_RULES_FILE_BYTES) {
      await reader.cancel();
      throw new Error(`${url} is larger than ${MAX_RULES_FILE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
