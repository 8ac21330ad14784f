import { createCipheriv, hkdfSync, randomFillSync, timingSafeEqual, type Cipher } from 'node:crypto';

/**
 * The signature of a session token: one AES-256 block, the token's 16 bytes (12 of id, 4 of issue
 * time) encrypted under a key derived from the secret. AES is a pseudorandom permutation, so on a
 * message of exactly one block it is a pseudorandom function, hence a MAC (the textbook one-block
 * PRF-MAC; forging a tag means predicting AES under an unknown key). A token has one fixed length
 * per kind and its kind is inside the block and in the key, so no length or kind confusion exists.
 *
 * Why not HMAC-SHA256 (the first drafts' signature): `createHmac` costs 7 us per token alone and
 * about 19 us on a busy page path (an object, a key schedule and two SHA-256 passes per page), a
 * third of what the whole middleware added to a page. A cipher object made once encrypts the
 * blocks of 64 tokens in one call: 0.7-1 us per token (docs/performance.md, "Page path").
 */
export const TOKEN_BLOCK = 16;
/** The id's bytes: 11 random, then the kind byte (what the token is, and its policy flags). */
export const ID_BYTES = 12;
const RANDOM_BYTES = ID_BYTES - 1;
/** Kind bytes: a token of this server's own pages, or a collector site's with its policy flags (0-3). */
export const LOCAL_KIND = 0x01;
export const SITE_KIND = 0x10;
/** Tokens minted in one batch: the blocks of 64 tokens, encrypted in one call. */
const BATCH = 64;
const SALT = 'csp-observer session token';

/** The key of a secret's tokens: this server's own pages ('') or a collector site's (its id). */
function tokenKey(secret: string, site: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, SALT, site === '' ? 'v2 local' : `v2 site ${site}`, 32));
}

function blockCipher(key: Buffer): Cipher {
  const cipher = createCipheriv('aes-256-ecb', key, null);
  // Whole blocks in, whole blocks out: ECB encrypts each block on its own, as the MAC needs.
  cipher.setAutoPadding(false);
  return cipher;
}

/** One minted token's parts: the id and issue time as text, and the signature. */
export interface MintedParts {
  /** base64url of the 12 id bytes (16 characters). */
  id: string;
  issuedAt: number;
  /** base64url of the 16-byte signature (22 characters). */
  tag: string;
}

/**
 * Mints the parts of tokens under one secret and kind. The blocks of BATCH tokens are drawn and
 * encrypted together and handed out one by one, within the second they carry; a batch of an
 * earlier second is dropped (a quiet server pays a batch per page, about 3 us).
 */
export class TokenMint {
  private readonly cipher: Cipher;
  private readonly blocks = Buffer.alloc(BATCH * TOKEN_BLOCK);
  private tags = Buffer.alloc(0);
  private next = BATCH;
  private second = -1;

  constructor(
    secret: string,
    site: string,
    private readonly kind: number,
  ) {
    this.cipher = blockCipher(tokenKey(secret, site));
  }

  mint(now: number): MintedParts {
    const issuedAt = Math.floor(now / 1000);
    if (this.next === BATCH || issuedAt !== this.second) this.refill(issuedAt);
    const at = this.next++ * TOKEN_BLOCK;
    const parts = {
      id: this.blocks.toString('base64url', at, at + ID_BYTES),
      issuedAt,
      tag: this.tags.toString('base64url', at, at + TOKEN_BLOCK),
    };
    // Nothing of a handed-out token stays behind.
    this.blocks.fill(0, at, at + TOKEN_BLOCK);
    this.tags.fill(0, at, at + TOKEN_BLOCK);
    return parts;
  }

  private refill(issuedAt: number): void {
    if (issuedAt < 0 || issuedAt > 0xffffffff) throw new RangeError(`cannot mint a token issued at ${issuedAt}`);
    randomFillSync(this.blocks);
    for (let at = 0; at < this.blocks.length; at += TOKEN_BLOCK) {
      this.blocks[at + RANDOM_BYTES] = this.kind;
      this.blocks.writeUInt32BE(issuedAt, at + ID_BYTES);
    }
    this.tags = this.cipher.update(this.blocks);
    this.next = 0;
    this.second = issuedAt;
  }
}

/** Checks tokens' signatures under one secret and site (each check one block encrypted). */
export class TokenCheck {
  private readonly cipher: Cipher;
  private readonly block = Buffer.alloc(TOKEN_BLOCK);

  constructor(secret: string, site: string) {
    this.cipher = blockCipher(tokenKey(secret, site));
  }

  /** Whether `tag` signs the id bytes and issue time (constant time in the tag). */
  signs(id: Buffer, issuedAt: number, tag: Buffer): boolean {
    if (id.length !== ID_BYTES || tag.length !== TOKEN_BLOCK || issuedAt < 0 || issuedAt > 0xffffffff) return false;
    id.copy(this.block, 0);
    this.block.writeUInt32BE(issuedAt, ID_BYTES);
    return timingSafeEqual(this.cipher.update(this.block), tag);
  }
}

/**
 * Objects made per secret (and site), kept so that a secret's key is derived once: at most `max`,
 * the oldest out first (a collector with more sites than that derives a key again now and then).
 */
export class PerSecret<T> {
  private readonly made = new Map<string, T>();

  constructor(
    private readonly make: (secret: string, site: string) => T,
    private readonly max = 256,
  ) {}

  get(secret: string, site: string): T {
    const key = `${site}\u0000${secret}`;
    let value = this.made.get(key);
    if (value === undefined) {
      value = this.make(secret, site);
      if (this.made.size >= this.max) this.made.delete(this.made.keys().next().value as string);
      this.made.set(key, value);
    }
    return value;
  }
}
