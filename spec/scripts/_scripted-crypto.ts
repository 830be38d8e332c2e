/**
 * Scripted randomness for the recorded conversation (`conversation.json`): every random value the
 * client and the Operator draw — challenges, session keys, ephemeral key pairs, Secure Cell and Secure
 * Message IVs, store id parts — comes from a tape, and every signature is deterministic ECDSA (RFC 6979,
 * P-256/SHA-256, low S, DER) instead of Themis's randomised one. With the same tape, the same keys and the
 * same clock, the real client and the real Operator produce the same bytes again.
 *
 * Recording draws from a seeded generator (SHA-256 of the seed and a counter) and notes which side drew
 * each value (from the call stack: a draw with Operator code on its stack is the Operator's); replaying
 * serves each side's recorded draws in order and fails on the first draw of another kind or length.
 *
 * Only the spec's generator and tests import this file. The hooks it uses in core and the Operator are
 * exported from no package index (see `_scriptRandomForVectors` for why that is safe).
 * @module
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, fromHex, toHex, utf8, type PrivateKey, type PublicKey } from '@comrad/core';
import { loadBackend, _swapBackend } from '@comrad/core/src/crypto/backend.js';
import { _scriptRandomForVectors } from '@comrad/core/src/crypto/random.js';
import { _testing } from '@comrad/core/src/crypto/_node-backend.js';
import { makeContainer, TAG_PRIVATE, TAG_PUBLIC } from '@comrad/core/src/crypto/_container.js';
import { SM_SIGNED } from '@comrad/core/src/crypto/_framing.js';
import type { CryptoBackend } from '@comrad/core/src/crypto/_backend.js';
import { _scriptIdsForVectors } from '@comrad/operator/src/policy/ids.js';

/** Which end drew a value. */
export type Side = 'client' | 'operator';

/**
 * What a draw is: `bytes` (a challenge, a session or epoch key, a letter id, the random part of a store
 * id), `keyPair` (the 32-byte private scalar of a fresh P-256 key pair), `iv` (the 12-byte IV of a Secure
 * Cell or of the cell inside a Secure Message).
 */
export type DrawKind = 'bytes' | 'keyPair' | 'iv';

/** One recorded draw. `for` names the code that drew it (informative only; replay checks kind and length). */
export interface Draw {
  side: Side;
  kind: DrawKind;
  for: string;
  hex: string;
}

/** The P-256 group order: scalars are 1..n-1. */
const N = p256.Point.CURVE().n;
const IV_BYTES = 12;
const SCALAR_BYTES = 32;

/** The side whose code is on the stack: the Operator's sources, or else the client's. */
function sideOfStack(stack: string): Side {
  return /packages[\\/]operator[\\/]src[\\/]/.test(stack) ? 'operator' : 'client';
}

/** A short name of the first caller outside the crypto layer and this file, for the `for` label. */
function callerOf(stack: string): string {
  for (const line of stack.split('\n').slice(1)) {
    if (/crypto[\\/](random|keys|operations|_node-backend|backend)\.ts|_scripted-crypto\.ts|store[\\/]_ids\.ts|policy[\\/]ids\.ts/.test(line)) continue;
    const m = /at (?:async )?([\w.<>$ ]+?) \(.*[\\/](packages|spec)[\\/](.*?):\d+:\d+\)/.exec(line);
    if (m) return `${m[1]!.replace(/^Object\./, '')} (${m[2]}/${m[3]})`;
  }
  return 'unknown';
}

/** Where draws come from: a seeded generator (recording) or a tape per side (replay). */
export interface DrawSource {
  draw(kind: DrawKind, length: number): Uint8Array;
}

/** Records: deterministic bytes from `seed`, each draw noted with its side. */
export class Recorder implements DrawSource {
  readonly draws: Draw[] = [];
  #counter = 0;
  constructor(private readonly seed: string) {}

  draw(kind: DrawKind, length: number): Uint8Array {
    let out: Uint8Array;
    do {
      const blocks: Uint8Array[] = [];
      for (let have = 0; have < length; have += 32) blocks.push(sha256(concatBytes(utf8(this.seed), utf8(`/${this.#counter++}`))));
      out = concatBytes(...blocks).slice(0, length);
      // A scalar must be 1..n-1; redraw otherwise (the chance is below 2^-32).
    } while (kind === 'keyPair' && !validScalar(out));
    const stack = new Error().stack ?? '';
    this.draws.push({ side: sideOfStack(stack), kind, for: callerOf(stack), hex: toHex(out) });
    return out;
  }
}

/** Replays one side's draws in order. */
export class Tape implements DrawSource {
  #at = 0;
  constructor(
    private readonly draws: readonly Pick<Draw, 'kind' | 'hex'>[],
    private readonly label: string,
  ) {}

  draw(kind: DrawKind, length: number): Uint8Array {
    const d = this.draws[this.#at];
    if (!d) throw new Error(`${this.label}: draw ${this.#at} (${kind}, ${length} bytes) is past the end of the tape`);
    const bytes = fromHex(d.hex);
    if (d.kind !== kind || bytes.length !== length) throw new Error(`${this.label}: draw ${this.#at} is ${kind} of ${length} bytes, the tape has ${d.kind} of ${bytes.length}`);
    this.#at++;
    return bytes;
  }

  /** How many draws were served. */
  get used(): number {
    return this.#at;
  }
}

function validScalar(d: Uint8Array): boolean {
  const x = BigInt(`0x${toHex(d)}`);
  return x > 0n && x < N;
}

/** The 32-byte scalar inside a Themis private key container (REC2, 44 or 45 bytes). */
export function scalarOf(key: PrivateKey): Uint8Array {
  const bytes = key.bytes();
  return bytes.slice(bytes.length - SCALAR_BYTES);
}

/** The Themis key pair containers of a 32-byte scalar: REC2 of 45 bytes, UEC2 compressed (KEY-1, KEY-2). */
export function keyPairOfScalar(d: Uint8Array): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const body = new Uint8Array(1 + SCALAR_BYTES);
  body.set(d, 1);
  return { privateKey: makeContainer(TAG_PRIVATE, body), publicKey: makeContainer(TAG_PUBLIC, p256.getPublicKey(d, true)) };
}

/**
 * A Themis signed message (CRY-2) with a deterministic signature: `u32le(0x26042620) || u32le(len(m)) ||
 * u32le(len(sig)) || m || sig`, where `sig` is the DER ECDSA P-256 signature of SHA-256(m) with the nonce
 * of RFC 6979 and s in the low half.
 */
export function signDeterministic(key: PrivateKey, message: Uint8Array): Uint8Array {
  const sig = p256.sign(message, scalarOf(key), { format: 'der', lowS: true, prehash: true });
  const out = new Uint8Array(12 + message.length + sig.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, SM_SIGNED, true);
  view.setUint32(4, message.length, true);
  view.setUint32(8, sig.length, true);
  out.set(message, 12);
  out.set(sig, 12 + message.length);
  return out;
}

/** A node backend whose key pairs and IVs come from `source` and whose signatures are RFC 6979. */
async function scriptedBackend(source: DrawSource): Promise<CryptoBackend> {
  const node = await loadBackend('node');
  return {
    name: 'node',
    generateKeyPair: () => keyPairOfScalar(source.draw('keyPair', SCALAR_BYTES)),
    sign: (key, message) => signDeterministic(key, message),
    verify: (key, signed) => node.verify(key, signed),
    encrypt: (own: PrivateKey, peer: PublicKey, message) => _testing.encryptWithIv(own, peer, message, source.draw('iv', IV_BYTES)),
    decrypt: (own, peer, wrapped) => node.decrypt(own, peer, wrapped),
    cellSeal: (key, message, context) => _testing.cellSealWithIv(key, message, context, source.draw('iv', IV_BYTES)),
    cellOpen: (key, sealed, context) => node.cellOpen(key, sealed, context),
    ...(node.checkPublicKey ? { checkPublicKey: node.checkPublicKey } : {}),
  };
}

/**
 * Runs `fn` with every random value drawn from `source` and deterministic signatures: core's
 * `randomBytes`, the backend's key pairs and IVs, and the Operator store's id parts. Restores the CSPRNG
 * and the previous backend afterwards, whatever happens.
 */
export async function withScriptedCrypto<T>(source: DrawSource, fn: () => Promise<T>): Promise<T> {
  const restoreBackend = _swapBackend(await scriptedBackend(source));
  const restoreRandom = _scriptRandomForVectors((n) => source.draw('bytes', n));
  const restoreIds = _scriptIdsForVectors((n) => source.draw('bytes', n));
  try {
    return await fn();
  } finally {
    restoreIds();
    restoreRandom();
    restoreBackend();
  }
}
