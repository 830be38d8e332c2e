/**
 * What the conformance suite needs from a backend, and the small helpers its sections share.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { MailQuota, NewMail, NewPost, PutMailResult, PutPostResult, Store } from '@comrad/operator';

/** One backend, freshly opened and empty, as `setup()` hands it to the suite. */
export interface StoreUnderTest {
  /** The store, empty. */
  readonly store: Store;
  /**
   * Simulates an Operator crash and restart: drops `store` as it is (nothing acknowledged, nothing cleaned
   * up; closing it if the backend must, e.g. to reopen an LMDB directory) and opens a new instance on the
   * same data. Absent for backends without persistence (memory).
   */
  readonly reopen?: () => Promise<Store>;
  /** Opens another live instance on the same data, as a second Operator process would (Redis). */
  readonly twin?: () => Promise<Store>;
  /** Closes every instance `setup`, `reopen` and `twin` opened. */
  teardown(): Promise<void>;
}

/** A fixed clock: 2023-11-14, so tests never depend on the machine's time. */
export const T0 = 1_700_000_000_000;
/** One day in ms. */
export const DAY = 86_400_000;
/** A quota no test reaches. */
export const ROOMY: MailQuota = { maxItems: 1_000_000, maxBytes: 2 ** 40 };

/** A random name of 12 lowercase letters (letters only, so the privacy scan can tell names from numbers). */
export function randomName(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += String.fromCharCode(97 + randomInt(26));
  return s;
}

/**
 * A dedupe key for `parts` as a policy would choose one: the store treats it as an opaque string, so any
 * injective function of the content does (SHA-256, hex).
 */
export function keyOf(...parts: Array<Uint8Array | string>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(typeof part === 'string' ? `${part.length}:${part}` : part);
  return hash.digest('hex');
}

/** A fresh random part of an id (12 hex digits), as the policy draws one per append. */
export function nonce(): string {
  return randomBytes(6).toString('hex');
}

/** A letter to append: its key is its content (the same bytes are the same letter), a fresh nonce. */
export function mail(sealed: Uint8Array, receivedAt: number, expiresAt: number): NewMail {
  return { sealed, receivedAt, expiresAt, key: keyOf(sealed), nonce: nonce() };
}

/** A post to append: its key is author and content (the same post by the same author), a fresh nonce. */
export function post(fields: Omit<NewPost, 'key' | 'nonce'>): NewPost {
  return { ...fields, key: keyOf(fields.author, fields.sealed), nonce: nonce() };
}

/** `n` random bytes. */
export function bytes(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

/** The second instance for concurrency tests: a twin when the backend has one, else the store itself. */
export async function secondInstance(sut: StoreUnderTest): Promise<Store> {
  return sut.twin ? sut.twin() : sut.store;
}

/** A dump entry's value as bytes. */
export function valueBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value;
}

/** True when `needle` occurs in `haystack`. */
export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** True when any key or value of the store's dump contains `needle` (bytes, or the UTF-8 of a string). */
export async function dumpHolds(store: Store, needle: Uint8Array | string): Promise<boolean> {
  const wanted = valueBytes(needle);
  for (const [key, value] of await store.dump()) {
    if (contains(valueBytes(key), wanted) || contains(valueBytes(value), wanted)) return true;
  }
  return false;
}

/** The id a put answered; any refusal fails the test. */
export function idOf(result: PutMailResult | PutPostResult): string {
  if (typeof result === 'string') throw new Error(`unexpected refusal: ${result}`);
  return result.id;
}
