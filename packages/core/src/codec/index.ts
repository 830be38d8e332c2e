/**
 * `@comrad/core/codec` — msgpack (plain maps) and the strict field readers every decoder uses.
 * @packageDocumentation
 */
export { encode, decode, DEFAULT_MAX_BYTES } from './msgpack.js';
export { Fields, checkStr, type StrBounds, type BytesBounds, type IntBounds } from './fields.js';
