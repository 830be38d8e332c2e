/**
 * The JSON shapes of the test vectors (spec/README.md, "Vectors"), shared by the generator and the
 * test that checks them, so both read and write one format.
 * @module
 */
import { concatBytes, encode, fromHex, toHex } from '@comrad/core';
import type { EventBody, Image, Letter } from '@comrad/core/envelope';

/** Bytes in a vector: lowercase hex, or for large inputs `hex` followed by zero bytes up to `zeroFillTo`. */
export type VectorBytes = string | { hex: string; zeroFillTo: number };

/**
 * A letter in a vector: the letter's fields, with `id` and `body.image.data` as hex; the body of an
 * `event`, `invite` or `rsvp` (14-events) has its byte fields (`eid`, `collective`) in hex too, and a `circle-key` body (13-circles) its key.
 */
export interface LetterJson {
  v: number;
  kind: string;
  from: string;
  to: string;
  at: number;
  id: string;
  body: { text: string; image?: { mime: string; data: string } } | EventBodyJson | { event: EventBodyJson; proof?: string } | { collective: string } | { eid: string; answer: string } | { gen: number; key: string };
}

/** An event body in a vector: `eid` in hex. */
export interface EventBodyJson {
  eid: string;
  title: string;
  start: number;
  end: number;
  where: string;
  note: string;
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
  const head = { v: l.v, kind: l.kind, from: l.from, to: l.to, at: l.at, id: toHex(l.id) };
  switch (l.kind) {
    case 'event':
      return { ...head, body: eventToJson(l.body) };
    case 'invite':
      return { ...head, body: 'event' in l.body ? { event: eventToJson(l.body.event), ...(l.body.proof ? { proof: toHex(l.body.proof) } : {}) } : { collective: toHex(l.body.collective) } };
    case 'rsvp':
      return { ...head, body: { eid: toHex(l.body.eid), answer: l.body.answer } };
    case 'circle-key':
      return { ...head, body: { gen: l.body.gen, key: toHex(l.body.key) } };
    default: {
      const body: { text: string; image?: { mime: string; data: string } } = { text: l.body.text };
      if (l.body.image) body.image = { mime: l.body.image.mime, data: toHex(l.body.image.data) };
      return { ...head, body };
    }
  }
}

/** A letter from JSON. */
export function letterFromJson(j: LetterJson): Letter {
  const head = { v: j.v as 1, from: j.from, to: j.to, at: j.at, id: fromHex(j.id) };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the kind says which body it is
  const b = j.body as any;
  switch (j.kind) {
    case 'event':
      return { ...head, kind: 'event', body: eventFromJson(b) };
    case 'invite':
      return { ...head, kind: 'invite', body: 'event' in b ? { event: eventFromJson(b.event), ...(b.proof ? { proof: fromHex(b.proof) } : {}) } : { collective: fromHex(b.collective) } };
    case 'rsvp':
      return { ...head, kind: 'rsvp', body: { eid: fromHex(b.eid), answer: b.answer } };
    case 'circle-key':
      return { ...head, kind: 'circle-key', body: { gen: b.gen, key: fromHex(b.key) } };
    default: {
      const t = j.body as { text: string; image?: { mime: string; data: string } };
      const body = t.image ? { text: t.text, image: { mime: t.image.mime as Image['mime'], data: fromHex(t.image.data) } } : { text: t.text };
      return { ...head, kind: j.kind as 'dm' | 'post', body };
    }
  }
}

function eventToJson(e: EventBody): EventBodyJson {
  return { eid: toHex(e.eid), title: e.title, start: e.start, end: e.end, where: e.where, note: e.note };
}

function eventFromJson(e: EventBodyJson): EventBody {
  return { eid: fromHex(e.eid), title: e.title, start: e.start, end: e.end, where: e.where, note: e.note };
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
