/**
 * Checks `spec/vectors/profiles.json` (spec/12-profiles.md, PROF-*) against the code on both crypto
 * backends: a valid vector opens to exactly its profile (and its clear header reads as stated), an
 * invalid one gives exactly its error code.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex, PublicKey, ready, SymmetricKey, toHex } from '@comrad/core';
import { decodeProfile, encodeProfile, openProfile, profileHeader, type Profile } from '@comrad/core/envelope';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { bytesOf, type InvalidCase, type VectorBytes } from '../scripts/vector-format.js';

type Registry = Record<string, string>;
interface Reading {
  epochKeys: Registry;
  registry: Registry;
  author: string;
  now: number;
}
const file = JSON.parse(readFileSync(fileURLToPath(new URL('../vectors/profiles.json', import.meta.url)), 'utf8')) as {
  spec: string;
  valid: (Reading & { name: string; rules: string[]; sealed: string; header: unknown; encoded: string; profile: Record<string, unknown> })[];
  invalid: (Reading & InvalidCase & { sealed: VectorBytes })[];
  invalidProfiles: (InvalidCase & { profile: VectorBytes })[];
};

const keyFor = (r: Reading) => (epoch: number) => {
  const k = r.epochKeys[String(epoch)];
  if (!k) throw new Error(`no epoch key for ${epoch}`);
  return SymmetricKey.from(fromHex(k));
};
const open = (sealed: Uint8Array, r: Reading) => openProfile(sealed, keyFor(r), { name: r.author, key: PublicKey.from(fromHex(r.registry[r.author]!)) }, r.now);
const json = (p: Profile) => ({ ...p, ...(p.photo ? { photo: { mime: p.photo.mime, data: toHex(p.photo.data) } } : {}) });

describe.each(['wasm', 'node'] as const)('profiles.json on the %s backend (PROF-*)', (backend) => {
  it.for(file.valid)('PROF-8 valid: $name', async (v) => {
    await ready({ backend });
    const sealed = fromHex(v.sealed);
    expect(profileHeader(sealed)).toEqual(v.header);
    const opened = await open(sealed, v);
    expect(json(opened.profile)).toEqual(v.profile);
    expect(toHex(encodeProfile(opened.profile))).toBe(v.encoded);
    expect(json(decodeProfile(fromHex(v.encoded)))).toEqual(v.profile);
  });

  it.for(file.invalid)('PROF-8 invalid sealed profile: $name', async (v) => {
    await ready({ backend });
    expect(await codeOf(() => open(bytesOf(v.sealed), v))).toBe(v.error);
  });

  it.for(file.invalidProfiles)('PROF-8 invalid profile: $name', async (v) => {
    await ready({ backend });
    expect(await codeOf(() => decodeProfile(bytesOf(v.profile)))).toBe(v.error);
  });
});
