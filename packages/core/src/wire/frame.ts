/**
 * Frames (OP-1..OP-3): each frame is one msgpack map. Requests `{id, op, ...params}` are answered by
 * `{id, ok: result}` or `{id, err: {code, message}}`; pushes from the Operator carry no id:
 * `{push: 'mail'}`. After the greeting (`greeting.ts`) every frame travels sealed (`channel.ts`).
 * @module
 */
import { ProtocolError, isErrorCode, type ErrorCode } from '../errors.js';
import { decode, encode, Fields } from '../codec/index.js';
import { mapOf, must } from './_bounds.js';
import { GREETING_VERSION } from './greeting.js';
import { MAX_ERROR_MESSAGE_CHARS, MAX_REQUEST_FRAME_BYTES, MAX_REQUEST_ID, MAX_RESPONSE_FRAME_BYTES } from './limits.js';
import { CODECS, isOp, type Op, type OpCodec, type Params, type Result } from './ops.js';

/** OP-1: the protocol version of this wire format (2: the signed greeting and the sealed channel). */
export const WIRE_VERSION = GREETING_VERSION;

/** A decoded request: id, op and its checked parameters. */
export type WireRequest = { [O in Op]: { readonly id: number; readonly op: O; readonly params: Params<O> } }[Op];

/** The envelope of a request, before its op and parameters are checked (the id is known, so errors can carry it). */
export interface RequestEnvelope {
  readonly id: number;
  /** The op as sent; checked by {@link decodeRequestParams}. */
  readonly op: string;
  /** @internal the whole decoded map */
  readonly raw: object;
}

/** A decoded frame from the Operator; `ok` values are checked per op with {@link decodeResult}. */
export type ServerFrame =
  | { readonly type: 'ok'; readonly id: number; readonly value: unknown }
  | { readonly type: 'err'; readonly id?: number; readonly code: ErrorCode; readonly message: string }
  | { readonly type: 'mail' };

const ID_BOUNDS = { min: 0, max: MAX_REQUEST_ID } as const;

/**
 * Encodes a request frame.
 * @param id - the request id, 0..2^32-1 (uint32), unique among the connection's pending requests
 * @example `ws.send(encodeRequest(1, 'lookup', { name: 'bob' }))`
 */
export function encodeRequest<O extends Op>(id: number, op: O, params: Params<O>): Uint8Array {
  if (!Number.isInteger(id) || id < 0 || id > MAX_REQUEST_ID) throw new RangeError('request id must be 0..2^32-1');
  // OP-7: `id` first, so an Operator that refuses a frame before decoding it can still name the request.
  // No op has a parameter named id or op (OP-1).
  return encode({ id, op, ...(CODECS[op] as OpCodec<O>).encodeParams(params) });
}

/**
 * Reads a request's id without decoding the frame (OP-7): only when the frame starts with a map whose
 * first key is `id` holding an unsigned integer. Constant time, for answering a frame that is refused
 * before it is decoded (a rate limit).
 * @returns the id, or undefined when the frame does not start that way
 */
export function peekRequestId(bytes: Uint8Array): number | undefined {
  let at: number;
  const t = bytes[0];
  if (t !== undefined && t >= 0x81 && t <= 0x8f) at = 1;
  else if (t === 0xde) at = 3;
  else return undefined;
  if (bytes[at] !== 0xa2 || bytes[at + 1] !== 0x69 || bytes[at + 2] !== 0x64) return undefined;
  at += 3;
  const v = bytes[at];
  if (v === undefined) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v <= 0x7f) return v;
  if (v === 0xcc && at + 1 < bytes.length) return bytes[at + 1];
  if (v === 0xcd && at + 2 < bytes.length) return view.getUint16(at + 1);
  if (v === 0xce && at + 4 < bytes.length) return view.getUint32(at + 1);
  return undefined;
}

const REQUEST_FIELDS = new Map<Op, ReadonlySet<string>>();

/** The fields a request of `op` may carry, as a Set built once per op (linear field checks, ENC-10). */
function requestFields(op: Op, codec: OpCodec<Op>): ReadonlySet<string> {
  let set = REQUEST_FIELDS.get(op);
  if (!set) REQUEST_FIELDS.set(op, (set = new Set(['id', 'op', ...codec.keys])));
  return set;
}

/**
 * Reads a request's envelope (OP-1): size first, then a map with a valid `id` and a string `op`.
 * @throws ProtocolError TOO_LARGE, MALFORMED, TRAILING_BYTES
 */
export function decodeRequestEnvelope(bytes: Uint8Array, maxBytes = MAX_REQUEST_FRAME_BYTES): RequestEnvelope {
  const value = decode(bytes, maxBytes);
  if (typeof value !== 'object' || value === null) throw new ProtocolError('MALFORMED', 'a request must be a map');
  const f = Fields.open(value, 'request');
  return { id: f.int('id', ID_BOUNDS), op: f.str('op', { min: 1, max: 32 }), raw: value };
}

/**
 * Checks a request's op and parameters (OP-2): unknown ops, unknown fields, wrong types and sizes are refused.
 * @throws ProtocolError UNKNOWN_OP, MALFORMED, TOO_LARGE, INVALID_NAME, INVALID_KEY
 */
export function decodeRequestParams(env: RequestEnvelope): WireRequest {
  const op = env.op;
  if (!isOp(op)) throw new ProtocolError('UNKNOWN_OP', 'unknown op');
  const codec = CODECS[op] as OpCodec<Op>;
  const f = Fields.of(env.raw, `${op} request`, requestFields(op, codec));
  return { id: env.id, op, params: codec.decodeParams(f) } as WireRequest;
}

/**
 * Decodes a whole request: {@link decodeRequestEnvelope} then {@link decodeRequestParams}.
 * @throws ProtocolError (see both)
 */
export function decodeRequest(bytes: Uint8Array, maxBytes = MAX_REQUEST_FRAME_BYTES): WireRequest {
  return decodeRequestParams(decodeRequestEnvelope(bytes, maxBytes));
}

/** Encodes a success answer for op `O`. */
export function encodeOk<O extends Op>(id: number, op: O, result: Result<O>): Uint8Array {
  return encode({ id, ok: (CODECS[op] as OpCodec<O>).encodeResult(result) });
}

/**
 * Encodes an error answer (OP-3); `id` is absent when the request's id could not be read.
 * The message is cut to {@link MAX_ERROR_MESSAGE_CHARS}.
 */
export function encodeErr(id: number | undefined, code: ErrorCode, message: string): Uint8Array {
  const err = { code, message: [...message].slice(0, MAX_ERROR_MESSAGE_CHARS).join('') };
  return encode(id === undefined ? { err } : { id, err });
}

/** Encodes the "you have mail" push (MB-6): no content, no count. */
export function encodeMailPush(): Uint8Array {
  return encode({ push: 'mail' });
}

/**
 * Decodes a frame from the Operator (client side), once the channel opened it; the greeting has its own
 * decoder (`decodeGreeting`) and is never accepted here.
 * @throws ProtocolError TOO_LARGE, MALFORMED, TRAILING_BYTES
 */
export function decodeServerFrame(bytes: Uint8Array, maxBytes = MAX_RESPONSE_FRAME_BYTES): ServerFrame {
  const value = decode(bytes, maxBytes);
  if (typeof value !== 'object' || value === null) throw new ProtocolError('MALFORMED', 'a frame must be a map');
  if ('push' in value) {
    Fields.open(value, 'push').oneOf('push', ['mail']);
    Fields.of(value, 'mail push', ['push']);
    return { type: 'mail' };
  }
  if ('ok' in value) {
    const f = Fields.of(value, 'response', ['id', 'ok']);
    return { type: 'ok', id: f.int('id', ID_BOUNDS), value: f.raw('ok') };
  }
  const f = Fields.of(value, 'error response', ['id', 'err']);
  const e = mapOf(f.raw('err'), 'error', ['code', 'message']);
  const code = e.raw('code');
  must(isErrorCode(code), 'error code is not in the closed list');
  const message = e.str('message', { max: MAX_ERROR_MESSAGE_CHARS });
  const id = f.has('id') ? f.int('id', ID_BOUNDS) : undefined;
  return id === undefined ? { type: 'err', code, message } : { type: 'err', id, code, message };
}

/**
 * Checks the `ok` value of an answer against the op the client sent (OP-2).
 * @throws ProtocolError MALFORMED, TOO_LARGE, INVALID_NAME, INVALID_KEY
 * @example `const info = decodeResult('info', frame.value)`
 */
export function decodeResult<O extends Op>(op: O, value: unknown): Result<O> {
  return (CODECS[op] as OpCodec<O>).decodeResult(value);
}
