/**
 * Checks the code against `spec/vectors/events.json` (14-events, EVT-*): every valid letter decodes to its
 * fields and encodes back to its bytes; every invalid one fails with exactly its code, in `decodeLetter`
 * and, where it is a letter the encoder can be handed, in `encodeLetter` too (LET-12: encoders apply the
 * same checks).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll } from 'vitest';
import { fromHex, ready, toHex, SymmetricKey } from '@comrad/core';
import { anonEventsKey, decodeLetter, encodeLetter, openAnonEvent } from '@comrad/core/envelope';
import { codeOf } from '@comrad/test-kit/core/garbage';
import { letterFromJson, letterToJson, type InvalidCase, type LetterJson, type VectorFile } from '../scripts/vector-format.js';

const file = JSON.parse(readFileSync(fileURLToPath(new URL('../vectors/events.json', import.meta.url)), 'utf8')) as VectorFile<
  { name: string; rules: string[]; hex: string; letter: LetterJson },
  InvalidCase & { hex: string }
>;

interface AnonJson {
  name: string;
  rules: string[];
  worldKey: string;
  post: string;
}
const anon = JSON.parse(readFileSync(fileURLToPath(new URL('../vectors/anon-events.json', import.meta.url)), 'utf8')) as VectorFile<
  AnonJson & { key: string; box: string; event: Record<string, unknown> },
  InvalidCase & AnonJson
>;

beforeAll(async () => {
  await ready();
});

describe('anon-events.json (EVT-10, EVT-11)', () => {
  for (const v of anon.valid) {
    it(`valid: ${v.name}`, () => {
      const opened = openAnonEvent(fromHex(v.post), anonEventsKey(SymmetricKey.from(fromHex(v.worldKey))));
      expect(toHex(opened.key.bytes())).toBe(v.key);
      expect(toHex(opened.box.bytes())).toBe(v.box);
      expect({ ...opened.event, eid: toHex(opened.event.eid) }).toEqual(v.event);
    });
  }
  for (const v of anon.invalid) {
    it(`invalid: ${v.name} → ${v.error}`, async () => {
      expect(await codeOf(() => openAnonEvent(fromHex(v.post), anonEventsKey(SymmetricKey.from(fromHex(v.worldKey)))))).toBe(v.error);
    });
  }
});

describe('events.json (EVT-1..EVT-7, EVT-12)', () => {
  it('has vectors for every rule it names', () => {
    const named = new Set([...file.valid, ...file.invalid].flatMap((v) => v.rules));
    for (const id of ['EVT-1', 'EVT-2', 'EVT-3', 'EVT-4', 'EVT-5', 'EVT-6', 'EVT-7', 'EVT-12']) expect(named.has(id), id).toBe(true);
  });

  for (const v of file.valid) {
    it(`valid: ${v.name}`, () => {
      const letter = decodeLetter(fromHex(v.hex));
      expect(letterToJson(letter)).toEqual(v.letter);
      expect(toHex(encodeLetter(letterFromJson(v.letter)))).toBe(v.hex);
    });
  }

  for (const v of file.invalid) {
    it(`invalid: ${v.name} → ${v.error}`, async () => {
      expect(await codeOf(() => decodeLetter(fromHex(v.hex)))).toBe(v.error);
    });
  }
});
