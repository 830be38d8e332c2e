/**
 * The tests' wire client: the conformance kit's {@link Connection} (real frames on a real socket, the
 * greeting checked, the sealed channel, raw frames and unsealed bytes for adversarial tests), unpaced,
 * plus what only the repository's tests use (login by Keymaker, raw sends without an answer).
 * One implementation for the kit and the tests, so a fix to how frames are matched or opened reaches both.
 * (It is a probe that hands over frames a real client would refuse; the real client is
 * `@comrad/core/client`'s `ClientSession`, which `@comrad/client-node` wraps.)
 */
import type { PublicKey } from '@comrad/core';
import { Connection } from '@comrad/conformance';
import type { Keymaker } from '@comrad/core/keymaker';
import type { Channel, Hello, Op, Params, Result, ServerFrame } from '@comrad/core/wire';

/** A connection to an Operator. */
export class TestClient {
  private constructor(private readonly c: Connection) {}

  /**
   * Connects with a fresh client hello and waits for the greeting, checked against `pinned` (default: the
   * key the greeting names) (AUTH-7). A first frame that is not a greeting rejects with a
   * `RefusedConnection` carrying the frame and the close code.
   */
  static async connect(url: string, pinned?: PublicKey): Promise<TestClient> {
    // Unpaced: the tests measure the Operator's rate limits themselves. The kit's wait for an answer
    // (10 s) also covers a first token issuance under load (the day's RSA issuer key is made then).
    return new TestClient(await Connection.open(url, pinned, { intervalMs: 0 }));
  }

  /** The checked greeting of this connection (AUTH-7). */
  get hello(): Hello {
    return this.c.hello;
  }

  /** The sealed channel (AUTH-9); raw frames go through it too, so they reach the Operator's decoder. */
  get channel(): Channel {
    return this.c.channel;
  }

  /** Resolves with the close code when the socket closes. */
  get closed(): Promise<number> {
    return this.c.closed;
  }

  /** Sends a typed request and resolves with its checked result; an error frame rejects with its ProtocolError. */
  request<O extends Op>(op: O, params: Params<O>): Promise<Result<O>> {
    return this.c.request(op, params);
  }

  /** Sends a typed request, resolving with the raw answer frame. */
  requestFrame<O extends Op>(op: O, params: Params<O>): Promise<ServerFrame> {
    return this.c.requestFrame(op, params);
  }

  /** The client side's TCP port (privacy tests look for it in the Operator's logs). */
  get localPort(): number {
    return this.c.localPort;
  }

  /** Sends arbitrary bytes as one sealed frame (they reach the Operator's decoder), or text as a text frame. */
  sendRaw(data: Uint8Array | string): void {
    if (typeof data === 'string') return this.c.sendText(data);
    // A Secure Cell seals no empty message, so the channel has no empty frame; a lone reserved msgpack
    // byte is the nearest garbage that still reaches the decoder.
    this.c.sendUnsealed(this.c.seal(data.length > 0 ? data : Uint8Array.of(0xc1)));
  }

  /** Sends bytes as they are, outside the channel (as a relay would inject them). */
  sendUnsealed(data: Uint8Array): void {
    this.c.sendUnsealed(data);
  }

  /** The next frame that answered no typed request (raw frames' answers, errors without id). */
  nextLoose(): Promise<ServerFrame> {
    return this.c.nextLoose();
  }

  /** Resolves once a `mail` push has arrived (MB-6), consuming it. */
  nextMailPush(): Promise<void> {
    return this.c.nextMailPush();
  }

  /** How many mail pushes arrived and were not consumed. */
  get unreadPushes(): number {
    return this.c.unreadPushes;
  }

  /** Logs in as `who` with a fresh signature over this connection's challenge (AUTH-2). */
  auth(who: Keymaker, at = Date.now(), challenge = this.c.hello.challenge): Promise<Result<'auth'>> {
    return this.c.auth(who.name, who.keys, at, challenge);
  }

  /** Closes the socket and waits for it. */
  close(): Promise<void> {
    return this.c.close();
  }
}
