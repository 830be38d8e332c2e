/**
 * Checks `spec/vectors/collectives.json` (spec/11-collectives.md, COL-*) against the code on both crypto
 * backends and against the spec's model, and that the generator still makes exactly this file (it is
 * deterministic: fixed keys, RFC 6979 signatures).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex, PrivateKey, PublicKey, ready, toHex } from '@comrad/core';
import {
  applyEvent,
  decodeEvent,
  emptyCollective,
  epochKeys,
  MAX_EVENT_BYTES,
  MAX_EVENT_MESSAGE_BYTES,
  openMessage,
  stateToJson,
  type CollectiveState,
} from '@comrad/core/collective';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { buildCollectiveVectors, type InvalidCollectiveVector, type InvalidMessageVector, type ValidCollectiveVector, type ValidMessageVector } from '../scripts/collective-cases.js';
import { keyPairOfScalar } from '../scripts/_scripted-crypto.js';
import { modelFold } from '../model/collective-model.js';

const file = JSON.parse(readFileSync(fileURLToPath(new URL('../vectors/collectives.json', import.meta.url)), 'utf8')) as {
  collective: string;
  cast: Record<string, { scalar: string; publicKey: string }>;
  valid: ValidCollectiveVector[];
  invalid: InvalidCollectiveVector[];
  messages: { reader: string; readerKey: string; valid: ValidMessageVector[]; invalid: InvalidMessageVector[] };
};
const registry = new Map(Object.entries(file.cast).map(([n, k]) => [n, PublicKey.from(fromHex(k.publicKey))] as const));
const keysOf = (n: string) => registry.get(n);
const bin = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? { bin: toHex(x) } : x)));

describe.each(['node', 'wasm'] as const)('collectives.json on the %s backend (COL-*)', (backend) => {
  it('COL-1 COL-2 COL-6 COL-8 the story: each event decodes to its fields, message and id, and leaves its state', async () => {
    await ready({ backend });
    let s = emptyCollective(file.collective);
    for (const v of file.valid) {
      const d = decodeEvent(fromHex(v.signed));
      expect(bin(d.event), v.name).toEqual(v.event);
      expect(toHex(d.message), v.name).toBe(v.message);
      expect(toHex(d.id), v.name).toBe(v.id);
      const r = applyEvent(s, fromHex(v.signed), keysOf);
      if (!r.ok) throw new Error(`${v.name}: ${r.error.code}`);
      expect(stateToJson((s = r.state)), v.name).toEqual(v.state);
    }
  });

  it('COL-7 every invalid vector fails with its code at its point of the story, and changes nothing', async () => {
    await ready({ backend });
    const states: CollectiveState[] = [];
    let s = emptyCollective(file.collective);
    for (const v of file.valid) states.push((s = (applyEvent(s, fromHex(v.signed), keysOf) as { state: CollectiveState }).state));
    for (const v of file.invalid) {
      const at = v.after === null ? emptyCollective(file.collective) : states[v.after]!;
      if (v.after === null) expect(await codeOf(() => decodeEvent(fromHex(v.signed))), v.name).toBe(v.error);
      const r = applyEvent(at, fromHex(v.signed), keysOf);
      expect(r.ok ? 'ok' : r.error.code, v.name).toBe(v.error);
    }
  });
});

describe.each(['node', 'wasm'] as const)('collectives.json messages on the %s backend (COL-30, COL-32, COL-33)', (backend) => {
  it('COL-30 COL-32 COL-33 the reader opens his key copies from the log, each valid message to its post, each invalid one to its code', async () => {
    await ready({ backend });
    const m = file.messages;
    const reader = { name: m.reader, privateKey: PrivateKey.from(fromHex(m.readerKey)) };
    expect(toHex(keyPairOfScalar(fromHex(file.cast[m.reader]!.scalar)).privateKey)).toBe(m.readerKey);
    const epochs = epochKeys(file.valid.map((v) => decodeEvent(fromHex(v.signed)).event), reader, keysOf);
    for (const v of m.valid) {
      expect(toHex(epochs.get(v.epoch)!.key!.bytes()), v.name).toBe(v.key);
      const opened = openMessage(fromHex(v.message), file.collective, epochs, keysOf);
      expect(bin(opened.post), v.name).toEqual(v.post);
      expect(toHex(opened.signed), v.name).toBe(v.signed);
    }
    for (const v of m.invalid) expect(await codeOf(() => openMessage(fromHex(v.message), file.collective, epochs, keysOf)), v.name).toBe(v.error);
    // Every step of COL-33 that can fail has a vector.
    const codes = new Set(m.invalid.map((v) => v.error));
    for (const c of ['TRUNCATED', 'UNSUPPORTED_VERSION', 'NOT_FOUND', 'DECRYPT_FAILED', 'BAD_SIGNATURE', 'WRONG_COLLECTIVE', 'MALFORMED', 'NOT_MEMBER']) expect(codes.has(c), c).toBe(true);
  });
});

describe('collectives.json: the file itself', () => {
  it('COL-1 the generator makes exactly the committed file; each scalar gives its public key', async () => {
    await ready({ backend: 'node' });
    expect(JSON.parse(JSON.stringify(buildCollectiveVectors()))).toEqual(file);
    for (const k of Object.values(file.cast)) expect(toHex(keyPairOfScalar(fromHex(k.scalar)).publicKey)).toBe(k.publicKey);
    // The message-size vector sits between the two bounds it separates.
    const long = file.invalid.find((v) => v.name.startsWith('a message of 1921 bytes'))!;
    expect(fromHex(long.signed).length).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(new DataView(fromHex(long.signed).buffer).getUint32(4, true)).toBe(MAX_EVENT_MESSAGE_BYTES + 1);
    // Every fold code and every decode step has a vector.
    const codes = new Set(file.invalid.map((v) => v.error));
    for (const c of ['WRONG_COLLECTIVE', 'OUT_OF_ORDER', 'NOT_FOUND', 'BAD_SIGNATURE', 'NOT_MEMBER', 'DUPLICATE', 'QUORUM_NOT_MET', 'FORBIDDEN', 'TOO_LARGE', 'TRUNCATED', 'TRAILING_BYTES', 'MALFORMED', 'UNSUPPORTED_VERSION', 'UNSUPPORTED_KIND', 'INVALID_NAME']) {
      expect(codes.has(c), c).toBe(true);
    }
  });

  it('COL-8 the model reaches the same states and refusals from the vectors alone', async () => {
    await ready({ backend: 'node' });
    const story = file.valid.map((v) => fromHex(v.signed));
    expect(modelFold(file.collective, story, keysOf).state).toEqual(file.valid.at(-1)!.state);
    for (const v of file.invalid) {
      const prefix = v.after === null ? [] : story.slice(0, v.after + 1);
      const verdict = modelFold(file.collective, [...prefix, fromHex(v.signed)], keysOf).verdicts.at(-1);
      expect(verdict === v.error || (verdict === 'UNDECODABLE' && v.after === null), v.name).toBe(true);
    }
  });
});
