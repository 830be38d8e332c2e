/**
 * Probes for the crypto backends' own tests (`crypto-backends-*-exact.test.ts`): what an operation did as
 * a comparable value, the error it threw, and key objects the typed constructors would refuse, handed to
 * a backend directly so it must decide on its own (CRY-11).
 * @module
 */
import { createHmac } from 'node:crypto';
import { ComradError, toHex, type PrivateKey, type PublicKey } from '@comrad/core';

/** An operation's output as hex, or its error code. */
export type Outcome = { ok: true; hex: string } | { ok: false; code: string };

/** What an operation did: its output, or its error code. Anything but a ComradError fails the test. */
export async function outcome(run: () => Uint8Array | Promise<Uint8Array>): Promise<Outcome> {
  try {
    return { ok: true, hex: toHex(await run()) };
  } catch (err) {
    if (err instanceof ComradError) return { ok: false, code: err.code };
    throw err;
  }
}

/** The error `run` throws or rejects with (a test failure when it succeeds). */
export async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/** `n` as 4 bytes, little-endian (the Themis headers' integers). */
export function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

/** A key object the typed constructors would refuse, as the backends see one: `raw` and `bytes()`. */
export function looseKey<T extends PrivateKey | PublicKey>(raw: Uint8Array): T {
  return { raw, bytes: () => raw.slice() } as unknown as T;
}

/** A key object whose bytes cannot even be read: `raw` and `bytes()` throw `value`. */
export function throwingKey<T extends PrivateKey | PublicKey>(value: unknown): T {
  const fail = (): never => {
    throw value;
  };
  return {
    get raw(): Uint8Array {
      return fail();
    },
    bytes: fail,
  } as unknown as T;
}

/** CRY-3's message key, from the format's definition: HMAC-SHA256(master, 00000001 || label || 00 || u32le(n) || context), first `length` bytes. */
export function soterKey(master: Uint8Array, n: number, context: Uint8Array, length: number): Buffer {
  return createHmac('sha256', master)
    .update(Buffer.concat([Buffer.of(0, 0, 0, 1), Buffer.from('Themis secure cell message key'), Buffer.of(0), le32(n), context]))
    .digest()
    .subarray(0, length);
}
