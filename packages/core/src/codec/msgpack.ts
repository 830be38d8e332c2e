/**
 * msgpack for Comrad (ENC-1..ENC-4, ENC-9..ENC-11): plain maps with string keys, arrays, strings, binary,
 * integers, booleans and nil — nothing else. The encoder always writes the shortest form of every value
 * (so any two implementations write the same bytes); the decoder is Comrad's own, strict and linear in
 * its input: it refuses every extension type, floats, non-string keys, duplicate keys and invalid UTF-8,
 * bounds nesting depth and the total number of values, never allocates for a declared length that the
 * remaining bytes cannot hold, and reports bytes after the value without ever stringifying it.
 *
 * Why not a general msgpack library: msgpackr's decoder honours its structured-clone extension (shared
 * references that double at each level: a 430-byte frame decoded for seconds) and serialises the whole
 * decoded value into its trailing-bytes error; a decoder that cannot do those things is smaller than the
 * configuration that would switch them off, and is easy to read in full.
 * @module
 */
import { ProtocolError } from '../errors.js';

/** Default ceiling for one decoded structure when the caller names none (ENC-4). */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** ENC-10: the deepest nesting of maps and arrays any Comrad structure needs (frames reach 5). */
export const MAX_DEPTH = 16;

/**
 * ENC-10: the most values (maps, arrays and scalars, keys included) one decode reads by default. The
 * largest legitimate frame (an `ack` of 1000 ids, a page of 100 posts of 7 fields) holds a few thousand.
 */
export const DEFAULT_MAX_ELEMENTS = 16_384;

/**
 * ENC-10: the most keys one map may hold. Every Comrad map has a fixed schema of at most a dozen fields;
 * a map of thousands of distinct keys only costs the reader (objects that large fall back to slow
 * dictionary storage), so it is refused at its header.
 */
export const MAX_MAP_KEYS = 256;

/** Options of {@link decode}. */
export interface DecodeLimits {
  /** Most values in the input (ENC-10); default {@link DEFAULT_MAX_ELEMENTS}. */
  readonly maxElements?: number;
}

// ---------------------------------------------------------------------------------------------------
// Encoder

const textEncoder = new TextEncoder();
/** A UTF-16 surrogate without its other half: it has no UTF-8 form, and TextEncoder would silently replace it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class Writer {
  buf = new Uint8Array(256);
  view = new DataView(this.buf.buffer);
  pos = 0;

  /** Starts over on `buf` (the old one is dropped; the caller has zeroed what it needed to). */
  reset(buf: Uint8Array<ArrayBuffer>): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer);
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A type byte followed by an unsigned length or value of 1, 2 or 4 bytes. */
  head(type: number, n: number, width: 1 | 2 | 4): void {
    this.ensure(1 + width);
    this.buf[this.pos++] = type;
    if (width === 1) this.buf[this.pos] = n;
    else if (width === 2) this.view.setUint16(this.pos, n);
    else this.view.setUint32(this.pos, n);
    this.pos += width;
  }

  /** A length-prefixed container: `fix` when n < fixLimit, else the 16- or 32-bit form. */
  length(n: number, fix: number, fixLimit: number, t16: number, t32: number): void {
    if (n < fixLimit) this.byte(fix | n);
    else if (n <= 0xffff) this.head(t16, n, 2);
    else this.head(t32, n, 4);
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
}

/** The largest buffer the shared writer keeps between calls (a fetch page of small letters fits). */
const SHARED_WRITER_BYTES = 1 << 20;
const shared = new Writer();
let sharedBusy = false;

function writeInt(w: Writer, n: number): void {
  if (n >= 0) {
    if (n < 0x80) w.byte(n);
    else if (n <= 0xff) w.head(0xcc, n, 1);
    else if (n <= 0xffff) w.head(0xcd, n, 2);
    else if (n <= 0xffff_ffff) w.head(0xce, n, 4);
    else {
      w.ensure(9);
      w.buf[w.pos] = 0xcf;
      w.view.setBigUint64(w.pos + 1, BigInt(n));
      w.pos += 9;
    }
    return;
  }
  if (n >= -32) w.byte(n & 0xff);
  else if (n >= -0x80) {
    w.ensure(2);
    w.buf[w.pos] = 0xd0;
    w.view.setInt8(w.pos + 1, n);
    w.pos += 2;
  } else if (n >= -0x8000) {
    w.ensure(3);
    w.buf[w.pos] = 0xd1;
    w.view.setInt16(w.pos + 1, n);
    w.pos += 3;
  } else if (n >= -0x8000_0000) {
    w.ensure(5);
    w.buf[w.pos] = 0xd2;
    w.view.setInt32(w.pos + 1, n);
    w.pos += 5;
  } else {
    w.ensure(9);
    w.buf[w.pos] = 0xd3;
    w.view.setBigInt64(w.pos + 1, BigInt(n));
    w.pos += 9;
  }
}

function writeStr(w: Writer, s: string): void {
  // Short ASCII strings (keys, names, ops) are written in place; anything else goes through TextEncoder.
  if (s.length < 32) {
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      w.ensure(1 + s.length);
      w.buf[w.pos++] = 0xa0 | s.length;
      for (let i = 0; i < s.length; i++) w.buf[w.pos++] = s.charCodeAt(i);
      return;
    }
  }
  if (LONE_SURROGATE.test(s)) throw new TypeError('cannot encode a string with a lone surrogate (not valid UTF-8)');
  const bytes = textEncoder.encode(s);
  const n = bytes.length;
  if (n < 32) w.byte(0xa0 | n);
  else if (n <= 0xff) w.head(0xd9, n, 1);
  else if (n <= 0xffff) w.head(0xda, n, 2);
  else w.head(0xdb, n, 4);
  w.raw(bytes);
}

function writeValue(w: Writer, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError(`cannot encode a structure nested deeper than ${MAX_DEPTH}`);
  switch (typeof value) {
    case 'string':
      return writeStr(w, value);
    case 'number':
      // ENC-9: integers only, never floats, so every library writes and reads the same bytes.
      if (!Number.isSafeInteger(value)) throw new TypeError(`cannot encode ${value}: only safe integers are allowed (ENC-9)`);
      return writeInt(w, value);
    case 'boolean':
      return w.byte(value ? 0xc3 : 0xc2);
    case 'object':
      break;
    default:
      throw new TypeError(`cannot encode a ${typeof value} (ENC-1)`);
  }
  if (value === null) return w.byte(0xc0);
  if (value instanceof Uint8Array) {
    const n = value.length;
    if (n <= 0xff) w.head(0xc4, n, 1);
    else if (n <= 0xffff) w.head(0xc5, n, 2);
    else w.head(0xc6, n, 4);
    return w.raw(value);
  }
  if (Array.isArray(value)) {
    w.length(value.length, 0x90, 16, 0xdc, 0xdd);
    for (const item of value) writeValue(w, item, depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new TypeError('cannot encode a non-plain object (ENC-1)');
  // An undefined field is absent (ENC-2: never nil for an absent field).
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  w.length(entries.length, 0x80, 16, 0xde, 0xdf);
  for (const [k, v] of entries) {
    writeStr(w, k);
    writeValue(w, v, depth + 1);
  }
}

/**
 * Encodes a value (plain objects with string keys, arrays, strings, safe integers, booleans, null,
 * Uint8Array) as msgpack, every value in its shortest form (ENC-2, ENC-9). Fields whose value is
 * `undefined` are left out.
 * @throws TypeError for anything else (floats, bigints, Dates, Maps, class instances, undefined items)
 * @example `const bytes = encode({ v: 1, name: 'alice' })`
 */
export function encode(value: unknown): Uint8Array {
  // One writer reused by every call: a fresh one costs two allocations and, for a letter, three doublings
  // and copies on each of the several encodes of every request. A nested call (never made by this file,
  // but a getter could) gets a writer of its own.
  const w = sharedBusy ? new Writer() : shared;
  if (w === shared) sharedBusy = true;
  try {
    writeValue(w, value, 0);
    return w.buf.slice(0, w.pos);
  } finally {
    if (w === shared) {
      // Nothing encoded stays behind (plaintexts, key material), and a rare large value does not keep its buffer.
      w.buf.fill(0, 0, w.pos);
      if (w.buf.length > SHARED_WRITER_BYTES) w.reset(new Uint8Array(256));
      w.pos = 0;
      sharedBusy = false;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Decoder

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const truncated = () => new ProtocolError('MALFORMED', 'msgpack value is truncated');

class Reader {
  pos = 0;
  elements = 0;
  readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly maxElements: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Moves past `n` bytes that must be there; returns where they start. */
  take(n: number): number {
    const at = this.pos;
    if (n > this.bytes.length - at) throw truncated();
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }

  u16(): number {
    return this.view.getUint16(this.take(2));
  }

  u32(): number {
    return this.view.getUint32(this.take(4));
  }

  /** A declared count of `n` items, each at least `minBytes` long: refused before anything is allocated. */
  count(n: number, minBytes: number): number {
    if (n * minBytes > this.bytes.length - this.pos) throw truncated();
    return n;
  }

  str(n: number): string {
    const at = this.take(n);
    const b = this.bytes;
    if (n < 64) {
      let s = '';
      for (let i = at; i < at + n; i++) {
        const c = b[i]!;
        if (c > 0x7f) return this.utf8(at, n);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.utf8(at, n);
  }

  utf8(at: number, n: number): string {
    try {
      return utf8.decode(this.bytes.subarray(at, at + n));
    } catch {
      throw new ProtocolError('MALFORMED', 'a msgpack string is not valid UTF-8');
    }
  }

  value(depth: number): unknown {
    // ENC-10: the budget is counted per value, so no input can make the decoder do more than linear work.
    if (++this.elements > this.maxElements) throw new ProtocolError('TOO_LARGE', `more than ${this.maxElements} msgpack values`);
    const t = this.u8();
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t >= 0xa0 && t <= 0xbf) return this.str(t & 0x1f);
    if (t >= 0x80 && t <= 0x8f) return this.map(t & 0x0f, depth);
    if (t >= 0x90 && t <= 0x9f) return this.array(t & 0x0f, depth);
    switch (t) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.bin(this.u8());
      case 0xc5:
        return this.bin(this.u16());
      case 0xc6:
        return this.bin(this.u32());
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf: {
        const hi = this.u32();
        const lo = this.u32();
        return safe(hi * 0x1_0000_0000 + lo, hi <= 0x1f_ffff);
      }
      case 0xd0:
        return this.view.getInt8(this.take(1));
      case 0xd1:
        return this.view.getInt16(this.take(2));
      case 0xd2:
        return this.view.getInt32(this.take(4));
      case 0xd3: {
        const hi = this.view.getInt32(this.take(4));
        const lo = this.u32();
        return safe(hi * 0x1_0000_0000 + lo, hi >= -0x20_0000 && hi <= 0x1f_ffff && !(hi === -0x20_0000 && lo === 0));
      }
      case 0xd9:
        return this.str(this.u8());
      case 0xda:
        return this.str(this.u16());
      case 0xdb:
        return this.str(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      case 0xca:
      case 0xcb:
        throw new ProtocolError('MALFORMED', 'msgpack floats are not used (ENC-9)');
      case 0xc1:
        throw new ProtocolError('MALFORMED', 'msgpack type 0xc1 is never used');
      default:
        // 0xc7..0xc9 and 0xd4..0xd8: every extension type, msgpackr's records and shared references included.
        throw new ProtocolError('MALFORMED', 'msgpack extension types are not allowed (ENC-1)');
    }
  }

  bin(n: number): Uint8Array {
    const at = this.take(n);
    return this.bytes.subarray(at, at + n);
  }

  array(n: number, depth: number): unknown[] {
    if (depth >= MAX_DEPTH) throw new ProtocolError('MALFORMED', `msgpack nested deeper than ${MAX_DEPTH}`);
    const out = new Array<unknown>(this.count(n, 1));
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  map(n: number, depth: number): Record<string, unknown> {
    if (depth >= MAX_DEPTH) throw new ProtocolError('MALFORMED', `msgpack nested deeper than ${MAX_DEPTH}`);
    if (n > MAX_MAP_KEYS) throw new ProtocolError('TOO_LARGE', `a msgpack map has more than ${MAX_MAP_KEYS} keys`);
    this.count(n, 2);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = this.key();
      // ENC-11: a key twice would let two readers see two different maps; the check is O(1) per key.
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new ProtocolError('MALFORMED', 'a msgpack map has a duplicate key');
      const value = this.value(depth + 1);
      // An own property, never the prototype setter, whatever the key.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    return out;
  }

  key(): string {
    if (++this.elements > this.maxElements) throw new ProtocolError('TOO_LARGE', `more than ${this.maxElements} msgpack values`);
    const t = this.u8();
    if (t >= 0xa0 && t <= 0xbf) return this.str(t & 0x1f);
    if (t === 0xd9) return this.str(this.u8());
    if (t === 0xda) return this.str(this.u16());
    if (t === 0xdb) return this.str(this.u32());
    throw new ProtocolError('MALFORMED', 'msgpack map keys must be strings (ENC-1)');
  }
}

function safe(n: number, inRange: boolean): number {
  if (!inRange || !Number.isSafeInteger(n)) throw new ProtocolError('MALFORMED', 'a msgpack integer is outside the safe range (ENC-8)');
  return n;
}

/**
 * Decodes exactly one msgpack value from `bytes`, in time linear in its length: size is checked before
 * any parsing (ENC-4), only the ENC-1 types are accepted, nesting and the number of values are bounded
 * (ENC-10), duplicate keys are refused (ENC-11), and bytes after the value are refused (ENC-3). Binary
 * values are views into `bytes`.
 * @param bytes - the input
 * @param maxBytes - the largest input accepted (default {@link DEFAULT_MAX_BYTES})
 * @param limits - the value budget
 * @throws ProtocolError TOO_LARGE, MALFORMED, TRAILING_BYTES
 * @example `const value = decode(bytes, 4096)`
 */
export function decode(bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES, limits: DecodeLimits = {}): unknown {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'expected bytes');
  if (bytes.length > maxBytes) throw new ProtocolError('TOO_LARGE', `structure of ${bytes.length} bytes exceeds ${maxBytes}`);
  if (bytes.length === 0) throw new ProtocolError('MALFORMED', 'empty input');
  const r = new Reader(bytes, limits.maxElements ?? DEFAULT_MAX_ELEMENTS);
  const value = r.value(0);
  if (r.pos !== bytes.length) throw new ProtocolError('TRAILING_BYTES', `${bytes.length - r.pos} bytes after the msgpack value`);
  return value;
}
