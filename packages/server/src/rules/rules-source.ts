import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The rules file shipped with the package (see docs/rules.md). */
export const BUNDLED_RULES = fileURLToPath(new URL('../../rules/default-rules.json', import.meta.url));

/** `bundled` names the shipped file wherever the package is installed. */
export const BUNDLED = 'bundled';

/** A rules file is small; anything far larger is not one. */
const MAX_RULES_FILE_BYTES = 10 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 20_000;

/**
 * What a rules file must prove before it is read: its SHA-256 (a pinned version), or an Ed25519
 * signature by the publisher's key, in `<source>.sig` beside it (base64 of the signature of the
 * file's exact bytes: docs/rules.md#publishing-a-rules-feed). The bundled file needs neither.
 */
export interface RulesVerification {
  /** Hex SHA-256 of the file's bytes. */
  sha256?: string;
  /** The publisher's Ed25519 public key: PEM, or base64 of its SPKI DER. */
  publicKey?: string;
}

/** An Ed25519 public key from PEM or base64 SPKI; throws with a clear message otherwise. */
export function rulesPublicKey(text: string): KeyObject {
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' });
  } catch (error) {
    throw new Error(`the rules public key cannot be read: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the rules public key must be an Ed25519 key, not ${key.asymmetricKeyType}`);
  return key;
}

/** Reads a rules file from an http(s) URL, a file path or `bundled`, bounded in size and time, and verified as asked. */
export async function readRulesSource(source: string, verification: RulesVerification = {}): Promise<unknown> {
  const bundled = source === BUNDLED;
  const read = (path: string) => (/^https?:\/\//i.test(path) ? download(path) : readLocal(path));
  const bytes = await read(bundled ? BUNDLED_RULES : source);
  if (!bundled) await verifyRules(source, bytes, verification, read);
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
}

async function verifyRules(
  source: string,
  bytes: Buffer,
  verification: RulesVerification,
  read: (path: string) => Promise<Buffer>,
): Promise<void> {
  if (verification.sha256) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== verification.sha256.trim().toLowerCase())
      throw new Error(`${source} has SHA-256 ${actual}, not the pinned ${verification.sha256}: refused`);
  }
  if (verification.publicKey) {
    const key = rulesPublicKey(verification.publicKey);
    let signature: Buffer;
    try {
      signature = Buffer.from((await read(`${source}.sig`)).toString('utf8').trim(), 'base64');
    } catch (error) {
      throw new Error(`${source} must be signed, and its signature could not be read: ${(error as Error).message}`);
    }
    if (signature.length !== 64 || !verify(null, bytes, key, signature))
      throw new Error(`${source}: the signature in ${source}.sig does not match the rules public key: refused`);
  }
}

async function readLocal(path: string): Promise<Buffer> {
  const data = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${error.message}`);
  });
  if (data.length > MAX_RULES_FILE_BYTES) throw new Error(`${path} is larger than ${MAX_RULES_FILE_BYTES} bytes`);
  return data;
}

async function download(url: string): Promise<Buffer> {
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
  if (!reader) return Buffer.alloc(0);
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
  return Buffer.concat(chunks);
}
