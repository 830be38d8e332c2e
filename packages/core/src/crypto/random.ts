/** Random bytes from the platform CSPRNG (Web Crypto, present on Node ≥ 19 and in browsers). */
export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new TypeError('length must be a non-negative integer');
  if (scripted) return scripted(length);
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < length; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
}

/** A source of scripted bytes: `length` bytes, exactly. */
export type ScriptedRandom = (length: number) => Uint8Array;

let scripted: ScriptedRandom | undefined;

/**
 * Replaces the CSPRNG with `source` until the returned function is called, for the spec's recorded
 * conversation (`spec/scripts/_scripted-crypto.ts`), which must replay challenges, session keys and ids
 * byte for byte.
 *
 * Why this is safe: it is exported from no index (`@comrad/core` and its subpaths do not reach it, so no
 * package, CLI or Operator can call it, and no frame from the network can); only the spec's generator
 * and its replay test import this file by path. With no call, `randomBytes` is the CSPRNG.
 * @internal
 * @returns a function that restores the CSPRNG
 */
export function _scriptRandomForVectors(source: ScriptedRandom): () => void {
  if (scripted) throw new Error('randomness is already scripted');
  scripted = (length) => {
    const out = source(length);
    if (!(out instanceof Uint8Array) || out.length !== length) throw new Error(`the scripted source gave ${out?.length} bytes, not ${length}`);
    return out.slice();
  };
  return () => {
    scripted = undefined;
  };
}
