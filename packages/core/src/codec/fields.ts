/**
 * Strict field readers for decoded msgpack maps. Every decoder reads its structure through these, so a
 * wrong type, a missing field, an unknown field or an out-of-range size is always a `ProtocolError`
 * naming the field (ENC-5..ENC-8), never a TypeError from deeper code.
 * @module
 */
import { ProtocolError } from '../errors.js';

/** Bounds of a string field; lengths in Unicode code points, plus a byte cap of 4× (UTF-8 worst case). */
export interface StrBounds {
  min?: number;
  max: number;
  pattern?: RegExp;
}

/** Bounds of a byte-string field. */
export interface BytesBounds {
  min?: number;
  max: number;
}

/** Bounds of an integer field (inclusive). */
export interface IntBounds {
  min?: number;
  max?: number;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && Object.getPrototypeOf(v) === Object.prototype;

const allowedSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/** The Set of an allowed-fields list, built once per list (lists are module constants). */
function allowedSet(allowed: readonly string[] | ReadonlySet<string>): ReadonlySet<string> {
  if (!Array.isArray(allowed)) return allowed as ReadonlySet<string>;
  let set = allowedSets.get(allowed);
  if (!set) allowedSets.set(allowed, (set = new Set(allowed)));
  return set;
}

/** A typed view of one decoded map. */
export class Fields {
  private constructor(
    private readonly o: Record<string, unknown>,
    /** What the map is, for error messages (e.g. "letter"). */
    readonly what: string,
  ) {}

  /**
   * Checks that `value` is a map whose keys are all in `allowed` (ENC-6: unknown fields are refused), in
   * time linear in the number of keys (a Set lookup per key, whatever the size of either side).
   * @param allowed - the field names; pass a prebuilt Set on hot paths
   * @throws ProtocolError MALFORMED
   */
  static of(value: unknown, what: string, allowed: readonly string[] | ReadonlySet<string>): Fields {
    if (!isPlainObject(value)) throw new ProtocolError('MALFORMED', `${what} must be a map`);
    const set = allowedSet(allowed);
    for (const key in value) {
      if (!set.has(key)) throw new ProtocolError('MALFORMED', `${what} has an unknown field${quotable(key)}`);
    }
    return new Fields(value, what);
  }

  /**
   * A view of a map whose fields are checked later by {@link Fields.of} (e.g. a request envelope, read
   * before its op says which fields are allowed).
   * @throws ProtocolError MALFORMED
   */
  static open(value: unknown, what: string): Fields {
    if (!isPlainObject(value)) throw new ProtocolError('MALFORMED', `${what} must be a map`);
    return new Fields(value, what);
  }

  /** True when the field is present (and not nil). */
  has(key: string): boolean {
    return this.o[key] !== undefined && this.o[key] !== null;
  }

  /** The raw value of a field, for nested structures decoded by their own reader. */
  raw(key: string): unknown {
    const v = this.o[key];
    if (v === undefined) throw this.missing(key);
    return v;
  }

  /** A required string within bounds. */
  str(key: string, b: StrBounds): string {
    const v = this.raw(key);
    if (typeof v !== 'string') throw this.wrong(key, 'a string');
    return checkStr(v, b, `${this.what}.${key}`);
  }

  /** An optional string; undefined when absent or nil. */
  optStr(key: string, b: StrBounds): string | undefined {
    return this.has(key) ? this.str(key, b) : undefined;
  }

  /** A required safe integer within bounds. */
  int(key: string, b: IntBounds = {}): number {
    const v = this.raw(key);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw this.wrong(key, 'an integer');
    if ((b.min !== undefined && v < b.min) || (b.max !== undefined && v > b.max)) {
      throw new ProtocolError('MALFORMED', `${this.what}.${key} is out of range`);
    }
    return v;
  }

  /** An optional integer. */
  optInt(key: string, b: IntBounds = {}): number | undefined {
    return this.has(key) ? this.int(key, b) : undefined;
  }

  /** A required byte string within bounds (returned as a plain Uint8Array view). */
  bytes(key: string, b: BytesBounds): Uint8Array {
    const v = this.raw(key);
    if (!(v instanceof Uint8Array)) throw this.wrong(key, 'bytes');
    if (v.length > b.max) throw new ProtocolError('TOO_LARGE', `${this.what}.${key} exceeds ${b.max} bytes`);
    if (v.length < (b.min ?? 0)) throw new ProtocolError('MALFORMED', `${this.what}.${key} is shorter than ${b.min} bytes`);
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  /** Optional bytes. */
  optBytes(key: string, b: BytesBounds): Uint8Array | undefined {
    return this.has(key) ? this.bytes(key, b) : undefined;
  }

  /** A required boolean. */
  bool(key: string): boolean {
    const v = this.raw(key);
    if (typeof v !== 'boolean') throw this.wrong(key, 'a boolean');
    return v;
  }

  /** A required array of at most `max` items (items are checked by the caller). */
  list(key: string, max: number): unknown[] {
    const v = this.raw(key);
    if (!Array.isArray(v)) throw this.wrong(key, 'an array');
    if (v.length > max) throw new ProtocolError('TOO_LARGE', `${this.what}.${key} has more than ${max} items`);
    return v;
  }

  /** A required string that must be one of `values`. */
  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.raw(key);
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      throw new ProtocolError('MALFORMED', `${this.what}.${key} must be one of ${values.join(', ')}`);
    }
    return v as T;
  }

  private missing(key: string): ProtocolError {
    return new ProtocolError('MALFORMED', `${this.what} is missing "${key}"`);
  }

  private wrong(key: string, expected: string): ProtocolError {
    return new ProtocolError('MALFORMED', `${this.what}.${key} must be ${expected}`);
  }
}

/**
 * ` "key"` for a key that reads as a field name, else nothing: a key from outside may hold line breaks,
 * terminal escapes or text that is not ours to repeat (ERR-2, ENC-10: errors never quote the value).
 */
function quotable(key: string): string {
  return /^[A-Za-z0-9_]{1,32}$/.test(key) ? ` "${key}"` : '';
}

/** Checks a string against bounds; `label` names it in errors. */
export function checkStr(v: string, b: StrBounds, label: string): string {
  // Cheap byte-ish pre-check before counting code points, so a huge string costs nothing more.
  if (v.length > b.max * 2) throw new ProtocolError('TOO_LARGE', `${label} exceeds ${b.max} characters`);
  const n = countCodePoints(v);
  if (n > b.max) throw new ProtocolError('TOO_LARGE', `${label} exceeds ${b.max} characters`);
  if (n < (b.min ?? 0)) throw new ProtocolError('MALFORMED', `${label} is shorter than ${b.min} characters`);
  if (b.pattern && !b.pattern.test(v)) throw new ProtocolError('MALFORMED', `${label} has characters that are not allowed`);
  return v;
}

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
