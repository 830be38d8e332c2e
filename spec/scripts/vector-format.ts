/**
 * The JSON shapes of the test vectors (spec/README.md, "Vectors"), shared by the generator and the
 * test that checks them, so both read and write one format.
 * @module
 */
import { concatBytes, encode, fromHex, toHex } from '@comrad/core';
import type { Image, Letter } from '@comrad/core/envelope';

/** Bytes in a vector: lowercase hex, or for large inputs `hex` followed by zero bytes up to `zeroFillTo`. */
export type VectorBytes = string | { hex: string; zeroFillTo: number };

/** A letter in a vector: the letter's fields, with `id` and `body.image.data` as hex. */
export interface LetterJson {
  v: number;
  kind: string;
  from: string;
  to: string;
  at: number;
  id: string;
  body: { text: string; image?: { mime: string; data: string } };
}

/** One vector file. */
export interface VectorFile<V, I> {
  /** Which rules of the spec (spec/NN-*.md) the vectors check. */
  spec: string;
  description: string;
  /** How the file was made. */
  generator: string;
  valid: V[];
  invalid: I[];
}

/** What every invalid vector carries: a name, the rules it breaks, and the exact error code. */
export interface InvalidCase {
  name: string;
  rules: string[];
  error: string;
}

/** Reads {@link VectorBytes}. */
export function bytesOf(b: VectorBytes): Uint8Array {
  if (typeof b === 'string') return fromHex(b);
  const head = fromHex(b.hex);
  const out = new Uint8Array(b.zeroFillTo);
  out.set(head);
  return out;
}

/** A letter as JSON. */
export function letterToJson(l: Letter): LetterJson {
  const body: LetterJson['body'] = { text: l.body.text };
  if (l.body.image) body.image = { mime: l.body.image.mime, data: toHex(l.body.image.data) };
  return { v: l.v, kind: l.kind, from: l.from, to: l.to, at: l.at, id: toHex(l.id), body };
}

/** A letter from JSON. */
export function letterFromJson(j: LetterJson): Letter {
  const body = j.body.image
    ? { text: j.body.text, image: { mime: j.body.image.mime as Image['mime'], data: fromHex(j.body.image.data) } }
    : { text: j.body.text };
  return { v: j.v as 1, kind: j.kind as Letter['kind'], from: j.from, to: j.to, at: j.at, id: fromHex(j.id), body };
}

/**
 * A msgpack value as JSON ("tagged JSON"): strings, integers, booleans, null, arrays and maps (keys in
 * their order on the wire) as themselves, and a byte string as `{"bin": "<lowercase hex>"}`.
 */
export type Tagged = string | number | boolean | null | { bin: string } | Tagged[] | { [key: string]: Tagged };

/** A decoded msgpack value as {@link Tagged} JSON. */
export function toTagged(v: unknown): Tagged {
  if (v instanceof Uint8Array) return { bin: toHex(v) };
  if (Array.isArray(v)) return v.map(toTagged);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toTagged(x)]));
  return v as Tagged;
}

/** The value {@link toTagged} wrote, ready for `encode`. */
export function fromTagged(j: Tagged): unknown {
  if (Array.isArray(j)) return j.map(fromTagged);
  if (j !== null && typeof j === 'object') {
    const keys = Object.keys(j);
    if (keys.length === 1 && keys[0] === 'bin' && typeof (j as { bin: unknown }).bin === 'string') return fromHex((j as { bin: string }).bin);
    return Object.fromEntries(Object.entries(j).map(([k, x]) => [k, fromTagged(x)]));
  }
  return j;
}

/** A msgpack map from encoded parts, in order, repeats allowed: for non-canonical and hostile vectors. */
export function rawMap(entries: [string, Uint8Array][]): Uint8Array {
  return concatBytes(Uint8Array.of(0x80 | entries.length), ...entries.flatMap(([k, v]) => [encode(k), v]));
}
