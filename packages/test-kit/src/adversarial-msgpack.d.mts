/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array;
/** A DAG whose every level points twice at the level below, packed with msgpackr's shared references. */
export function sharedReferenceBomb(levels: number, trailing?: boolean): Uint8Array;
/** A msgpack extension (0xd4..0xd8 fixext, 0xc7..0xc9 ext) of `type` and `size` bytes. */
export function extension(kind: number, type: number, size: number): Uint8Array;
/** `depth` nested one-item arrays (or maps) around a nil. */
export function deepNesting(depth: number, asMaps?: boolean): Uint8Array;
/** A container or string declaring `declared` items or bytes, followed by only `actual` bytes. */
export function hugeDeclaredLength(type: 0xdd | 0xdf | 0xc6 | 0xdb | 0xdc | 0xde, declared: number, actual: number): Uint8Array;
/** A map32 of `n` distinct short keys with nil values. */
export function manyKeys(n: number): Uint8Array;
/** A plain, valid map of about `size` bytes made of many small values: the timing baseline. */
export function plainMapOfSize(size: number, maxValues?: number): Uint8Array;
/** Time of one call of `run` in ms (best of `rounds`, each at least `minMs`). */
export function timePerCall(run: () => void, rounds?: number, minMs?: number): number;
