/**
 * The sealed channel (AUTH-9, AUTH-10): after the greeting, every frame in either direction is a Secure
 * Cell under the connection's session key, with the direction and the frame's number as its context. A
 * relay that forwarded the handshake can then neither read, inject, alter, replay, reorder nor reflect a
 * frame: each of those makes the next frame fail to open, and the channel is broken for good.
 * @module
 */
import { concatBytes, utf8 } from '../bytes.js';
import { cellOpen, cellOpenAsync, cellSeal, cellSealAsync, type SymmetricKey } from '../crypto/index.js';
import { ComradError, ProtocolError } from '../errors.js';

/** Which end of the connection this channel is. */
export type ChannelRole = 'client' | 'operator';

/**
 * AUTH-9: what sealing adds to a frame at most (the Secure Cell header, IV and tag: 44 bytes today).
 * The Operator accepts a WebSocket message of `frameBytes` plus this, so the frame limit (LIMIT-1) stays
 * what `info` announces for the plain frame inside.
 */
export const CHANNEL_OVERHEAD_BYTES = 64;

const CONTEXT_PREFIX = utf8('comrad/channel/v1');
/** Direction bytes of the context: a frame sealed for one direction never opens in the other. */
const TO_OPERATOR = 1;
const TO_CLIENT = 2;

/**
 * The context of frame number `n` (from 0) in one direction: `"comrad/channel/v1" || dir || n` with `dir`
 * 1 (client to Operator) or 2 (Operator to client) and `n` an unsigned 64-bit big-endian integer.
 * @internal exported for the vectors
 */
export function channelContext(direction: 1 | 2, n: number): Uint8Array {
  const tail = new Uint8Array(9);
  tail[0] = direction;
  new DataView(tail.buffer).setBigUint64(1, BigInt(n));
  return concatBytes(CONTEXT_PREFIX, tail);
}

/**
 * One connection's sealed channel. Counters are implicit: each side counts the frames it sealed and the
 * frames it opened, so a frame is accepted only in its place (AUTH-10).
 */
export class Channel {
  readonly #key: SymmetricKey;
  readonly #out: 1 | 2;
  readonly #in: 1 | 2;
  #sent = 0;
  #received = 0;
  #broken = false;

  /**
   * @param key - the session key from the greeting (AUTH-8)
   * @param role - which end this is
   */
  constructor(key: SymmetricKey, role: ChannelRole) {
    this.#key = key;
    this.#out = role === 'client' ? TO_OPERATOR : TO_CLIENT;
    this.#in = role === 'client' ? TO_CLIENT : TO_OPERATOR;
  }

  /** True once a frame failed to open: nothing is sealed or opened after that. */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Seals the next outgoing frame.
   * @param frame - the plain frame (a msgpack map, OP-1)
   * @returns the bytes to send as one WebSocket message
   * @throws ProtocolError DECRYPT_FAILED when the channel is broken
   */
  seal(frame: Uint8Array): Uint8Array {
    if (this.#broken) throw brokenError();
    return cellSeal(this.#key, frame, channelContext(this.#out, this.#sent++));
  }

  /**
   * {@link Channel.seal}, asynchronously, on every crypto backend (CRY-18). The frame's number is taken
   * at the call, so frames are numbered in the order of the calls whatever order the promises settle in.
   * @throws ProtocolError DECRYPT_FAILED when the channel is broken
   */
  sealAsync(frame: Uint8Array): Promise<Uint8Array> {
    if (this.#broken) return Promise.reject(brokenError());
    return cellSealAsync(this.#key, frame, channelContext(this.#out, this.#sent++));
  }

  /**
   * {@link Channel.open}, asynchronously (CRY-18). The frame's number is taken at the call: call it in
   * the order the frames arrived. A failure breaks the channel, as for {@link Channel.open}.
   * @throws ProtocolError DECRYPT_FAILED (every failure)
   */
  async openAsync(bytes: Uint8Array): Promise<Uint8Array> {
    if (this.#broken) throw brokenError();
    try {
      return await cellOpenAsync(this.#key, bytes, channelContext(this.#in, this.#received++));
    } catch (err) {
      if (!(err instanceof ComradError)) throw err;
      this.#broken = true;
      throw brokenError();
    }
  }

  /**
   * Opens the next incoming frame. Any failure breaks the channel: after an injected, altered, replayed
   * or dropped frame, the two ends no longer agree on the count, so nothing later could open anyway.
   * @param bytes - one WebSocket message
   * @returns the plain frame
   * @throws ProtocolError DECRYPT_FAILED (every failure: one code, no detail for a prober)
   */
  open(bytes: Uint8Array): Uint8Array {
    if (this.#broken) throw brokenError();
    try {
      return cellOpen(this.#key, bytes, channelContext(this.#in, this.#received++));
    } catch (err) {
      if (!(err instanceof ComradError)) throw err;
      this.#broken = true;
      throw brokenError();
    }
  }

  /** Marks the channel broken (a frame arrived that is not a sealed frame at all). */
  break(): void {
    this.#broken = true;
  }

  /** Forgets the session key. */
  wipe(): void {
    this.#broken = true;
    this.#key.wipe();
  }
}

function brokenError(): ProtocolError {
  return new ProtocolError('DECRYPT_FAILED', 'a frame did not open on this connection: something between the two ends changed, added or replayed a frame');
}
