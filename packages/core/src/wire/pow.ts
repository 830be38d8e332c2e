/**
 * Proof of work (REG-6, MB-9, POW-*): a nonce such that SHA-256 of a context-bound msgpack map has at
 * least N leading zero bits. It makes registering names and flooding mailboxes cost CPU time, without any
 * account or identity. The Operator announces N per op in `info` (0 = not required). The map holds the
 * connection's challenge from the greeting (AUTH-1), so work cannot be done ahead of time nor used twice:
 * the Operator accepts one proof per connection, within `powMaxAgeMs` of the greeting (POW-1, POW-2).
 *
 * Cost: the expected number of hashes is 2^N; the number of tries is geometric, so the unluckiest 1 %
 * take 4.6× the mean. On Node the solver hashes with OpenSSL (`crypto.hash`, about twice @noble/hashes
 * on these inputs); elsewhere (browsers) with @noble/hashes. Measured figures: `bench/pow.bench.mjs` and
 * REG-6 in `spec/05-operator.md`. Checking costs one hash.
 * @module
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { nativeSha256 } from '#node-backend';
import { encode } from '../codec/index.js';
import type { PublicKey } from '../crypto/index.js';

/** OpenSSL's SHA-256 on Node, @noble/hashes elsewhere: the same digest either way. */
const sha256: (data: Uint8Array) => Uint8Array = nativeSha256 ?? nobleSha256;

/** OP-2: the highest difficulty an Operator may announce (2^32 hashes is hours of work already). */
export const MAX_POW_BITS = 32;

/** Length of the nonces {@link solvePow} produces (a 64-bit counter). */
export const POW_NONCE_BYTES = 8;

/**
 * The bytes hashed for a registration's proof of work (REG-6): bound to the connection's challenge
 * (POW-1), the name and the key.
 * @param challenge - the `challenge` of the greeting of the connection that will carry the request
 */
export function registerPowInput(challenge: Uint8Array, name: string, key: PublicKey, nonce: Uint8Array): Uint8Array {
  return encode({ ctx: 'comrad/pow/register/v2', challenge, name, key: key.bytes(), nonce });
}

/**
 * The bytes hashed for a letter's proof of work (MB-9): bound to the connection's challenge (POW-1), the
 * recipient and the SHA-256 of the sealed letter, so a nonce cannot be reused for another letter or
 * connection, and hashing costs the same for any size.
 * @param challenge - the `challenge` of the greeting of the connection that will carry the request
 */
export function sendPowInput(challenge: Uint8Array, to: string, letter: Uint8Array, nonce: Uint8Array): Uint8Array {
  return encode({ ctx: 'comrad/pow/send/v2', challenge, to, letter: sha256(letter), nonce });
}

/**
 * The bytes hashed for a channel post's proof of work (CHAN-7): bound to the connection's challenge
 * (POW-1), the channel's posting capability and the SHA-256 of the sealed post, as for a letter (MB-9).
 * @param challenge - the `challenge` of the greeting of the connection that will carry the request
 */
export function chanPowInput(challenge: Uint8Array, cap: Uint8Array, post: Uint8Array, nonce: Uint8Array): Uint8Array {
  return encode({ ctx: 'comrad/pow/chan/v1', challenge, cap, post: sha256(post), nonce });
}

/** The number of leading zero bits of `digest`. */
export function leadingZeroBits(digest: Uint8Array): number {
  let n = 0;
  for (const byte of digest) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

/**
 * True when `input` hashes to at least `bits` leading zero bits (always true for `bits` ≤ 0).
 * @param input - the output of {@link registerPowInput} or {@link sendPowInput}
 * @param bits - the difficulty announced by the Operator
 */
export function checkPow(input: Uint8Array, bits: number): boolean {
  if (bits <= 0) return true;
  return leadingZeroBits(sha256(input)) >= bits;
}

/** How long {@link solvePowAsync} hashes before it lets other work run (ms). */
export const POW_SLICE_MS = 20;
/** Hashes between two looks at the clock: far under a millisecond of work, so a slice ends on time. */
const HASHES_PER_LOOK = 1024;

/** A search over the nonce counter: each call to `next(count)` tries up to `count` more nonces. */
interface NonceSearch {
  next(count: number): Uint8Array | undefined;
}

function nonceSearch(makeInput: (nonce: Uint8Array) => Uint8Array, bits: number): NonceSearch {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_POW_BITS) throw new RangeError(`bits must be 0..${MAX_POW_BITS}`);
  const nonce = new Uint8Array(POW_NONCE_BYTES);
  const input = makeInput(nonce);
  const at = input.length - POW_NONCE_BYTES;
  // The template must end with the nonce, or mutating its tail would hash something else.
  if (!input.subarray(at).every((b, i) => b === nonce[i])) throw new TypeError('makeInput must end with the nonce');
  const tail = input.subarray(at);
  const view = new DataView(tail.buffer, tail.byteOffset, POW_NONCE_BYTES);
  let counter = 0n;
  return {
    next(count) {
      for (let i = 0; i < count; i++, counter++) {
        view.setBigUint64(0, counter);
        if (leadingZeroBits(sha256(input)) >= bits) return tail.slice();
      }
      return undefined;
    },
  };
}

/**
 * Finds a nonce for `makeInput` at difficulty `bits` by counting; the nonce is the last field of the
 * encoded map, so only its 8 bytes change between attempts. It holds the thread until done: a client that
 * keeps a connection open meanwhile uses {@link solvePowAsync} (POW-3).
 * @param makeInput - `(nonce) => registerPowInput(challenge, name, key, nonce)` or the send equivalent
 * @param bits - the difficulty, 0..{@link MAX_POW_BITS}
 * @returns the nonce (8 bytes)
 * @example `const pow = solvePow((n) => registerPowInput(conn.hello.challenge, 'alice', key, n), info.pow.register)`
 */
export function solvePow(makeInput: (nonce: Uint8Array) => Uint8Array, bits: number): Uint8Array {
  const search = nonceSearch(makeInput, bits);
  for (;;) {
    const found = search.next(HASHES_PER_LOOK);
    if (found) return found;
  }
}

/**
 * POW-3: {@link solvePow} in slices of about {@link POW_SLICE_MS}, letting other work run in between, so
 * the connection that will carry the proof keeps answering the Operator's heartbeat (and a page stays
 * responsive). Same nonce as {@link solvePow} for the same input.
 * @param makeInput - as for {@link solvePow}
 * @param bits - the difficulty, 0..{@link MAX_POW_BITS}
 * @param options - `signal`: stops the search, rejecting with the signal's reason
 * @returns the nonce (8 bytes)
 * @example `const pow = await solvePowAsync((n) => registerPowInput(conn.hello.challenge, 'alice', key, n), info.pow.register)`
 */
export async function solvePowAsync(makeInput: (nonce: Uint8Array) => Uint8Array, bits: number, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
  const search = nonceSearch(makeInput, bits);
  for (;;) {
    options.signal?.throwIfAborted();
    const until = performance.now() + POW_SLICE_MS;
    do {
      const found = search.next(HASHES_PER_LOOK);
      if (found) return found;
    } while (performance.now() < until);
    await nextTurn();
  }
}

/** Resolves once the event loop has served what is waiting: I/O and due timers on Node, events in a page. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
