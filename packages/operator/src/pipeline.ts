/**
 * The request pipeline (05-operator, "Order of checks for each frame"): one frame in, one answer out, for
 * one connection's state. Rate limit → open the sealed channel → decode the envelope → in-flight and
 * memory admission → auth gate → parameters → the op's handler → the answer. No socket here: the server
 * (`server.ts`) hands in the bytes a WebSocket received and sends what comes back, sealed in the
 * channel; the connection table (LIMIT-4) and the memory budget (LIMIT-6) stay with it and are reached
 * through {@link PipelineHost}. Tests drive this module directly (`test/pipeline.test.ts`).
 * @module
 */
import { ComradError, ProtocolError, type ErrorCode } from '@comrad/core';
import { PUBLIC_OPS, decodeRequestEnvelope, decodeRequestParams, encodeErr, encodeOk, isOp, peekRequestId, type Channel, type Op } from '@comrad/core/wire';
import { handle, type HandlerContext, type Session } from './handlers.js';
import { safeError, type Logger } from './log.js';
import type { TokenBucket } from './rate.js';

/** The state of one connection that the pipeline reads and changes. */
export interface PipelineConnection {
  /** AUTH-9: every frame after the greeting is sealed in it. */
  readonly channel: Channel;
  /** What the connection has established (challenge, login). */
  readonly session: Session;
  /** LIMIT-3: the connection's requests per second. */
  readonly bucket: TokenBucket;
  /** LIMIT-3: requests of this connection being processed now. */
  inflight: number;
}

/** Bytes of memory held for one request until its answer is written (LIMIT-6); the host gives them back. */
export interface Reservation {
  bytes: number;
}

/** What the pipeline needs from the server around it. */
export interface PipelineHost<C extends PipelineConnection = PipelineConnection> {
  /** True once the Operator is shutting down: requests are then refused. */
  closing(): boolean;
  /** LIMIT-6: holds `bytes` for the request and its answer; undefined when there is no room (the request is refused). */
  reserve(conn: C, bytes: number): Reservation | undefined;
  /**
   * LIMIT-6: adds room for a page of `fetch` or `feed` items to `reservation`.
   * @returns how many items the page may read
   * @throws ProtocolError RATE_LIMITED when there is no room for one
   */
  reservePage(conn: C, reservation: Reservation, op: 'fetch' | 'feed' | 'chanFeed', asked: number | undefined): number;
  /** LIMIT-4: throws RATE_LIMITED while the logged-in connections' room is full. */
  checkLoggedInRoom(): void;
  /** LIMIT-4: indexes a connection that has just logged in; throws RATE_LIMITED (and undoes the login) when its name has no room. */
  attach(conn: C): void | Promise<void>;
  /** LIMIT-7: the connection answered a request, so it keeps its slot. */
  handshakeDone(conn: C): void;
}

/**
 * What one frame gives back. `answer`: a plain frame for the server to seal and send, with the memory held
 * for it (give it back once the frame is queued); `op` and `outcome` are for counting and logging (a known
 * op name only, LOG-1). `broken`: the frame did not open (AUTH-10): the server says so unsealed and closes.
 * `none`: nothing to send (the channel broke earlier).
 */
export type FrameResult =
  | { readonly kind: 'answer'; readonly frame: Uint8Array; readonly op: Op | undefined; readonly outcome: 'ok' | ErrorCode; readonly reservation?: Reservation }
  | { readonly kind: 'broken' }
  | { readonly kind: 'none' };

/** LIMIT-6: room held for any answer while its request is processed (info, statements, keys: a few KiB at most). */
export const SMALL_ANSWER_BYTES = 16 * 1024;

/** The pipeline of one Operator process. */
export class RequestPipeline<C extends PipelineConnection = PipelineConnection> {
  /**
   * @param ctx - what the handlers need (store, policy, keys, limits, clock)
   * @param host - the connection table, the memory budget and the shutdown flag of the server
   * @param log - where internal errors are logged (without content, LOG-1)
   */
  constructor(
    private readonly ctx: HandlerContext,
    private readonly host: PipelineHost<C>,
    private readonly log: Logger,
  ) {}

  /**
   * Runs one frame as the connection received it, in the spec's order of checks.
   * @param conn - the connection's state; its session and in-flight count change here
   * @param data - the frame's bytes, still sealed
   * @param isBinary - false for a WebSocket text frame
   * @returns what to send back (see {@link FrameResult})
   */
  async process(conn: C, data: Uint8Array, isBinary: boolean): Promise<FrameResult> {
    const { limits, clock } = this.ctx;
    // 1. LIMIT-3: every frame spends a token, garbage included, so garbage cannot be sent faster than requests.
    const allowed = conn.bucket.take(clock.now());
    if (!isBinary) return this.refuse(undefined, undefined, new ProtocolError('MALFORMED', 'frames must be binary msgpack'));
    if (conn.channel.broken) return { kind: 'none' };
    let plain: Uint8Array;
    try {
      // 2. AUTH-9: the MAC is checked before a byte of the frame is decoded (and every frame is opened, so
      // the count of frames stays in step with the client's even when the frame is refused).
      plain = conn.channel.open(data);
    } catch {
      return { kind: 'broken' };
    }
    if (this.host.closing()) return this.refuse(undefined, undefined, new ProtocolError('RATE_LIMITED', 'the Operator is shutting down'));
    // 3. LIMIT-3: a frame over the rate is refused before a byte of it is decoded (only its id is peeked, OP-7).
    if (!allowed) return this.refuse(peekRequestId(plain), undefined, new ProtocolError('RATE_LIMITED', `at most ${limits.requestsPerSecond} requests per second`));
    // 4. The envelope, then admission.
    let env;
    try {
      env = decodeRequestEnvelope(plain, limits.frameBytes);
    } catch (err) {
      return this.refuse(undefined, undefined, err);
    }
    // LOG-1: only a known op name is ever logged; an unknown one is attacker-chosen text.
    const op = isOp(env.op) ? env.op : undefined;
    if (conn.inflight >= limits.maxInflight) return this.refuse(env.id, op, new ProtocolError('RATE_LIMITED', 'too many requests in flight'));
    const reservation = this.host.reserve(conn, data.length + SMALL_ANSWER_BYTES);
    if (!reservation) return this.refuse(env.id, op, new ProtocolError('RATE_LIMITED', 'the Operator is busy: try again shortly'));
    conn.inflight++;
    try {
      // 5. OP-4: only the public ops before a successful auth.
      if (!op) throw new ProtocolError('UNKNOWN_OP', 'unknown op');
      if (!PUBLIC_OPS.has(op) && conn.session.name === undefined) throw new ProtocolError('UNAUTHENTICATED', 'log in first (auth)');
      // 6. The parameters, then the op's own steps.
      const req = decodeRequestParams(env);
      if (req.op === 'auth') this.host.checkLoggedInRoom();
      const pageItems = req.op === 'fetch' || req.op === 'feed' || req.op === 'chanFeed' ? this.host.reservePage(conn, reservation, req.op, req.params.limit) : undefined;
      const result = await handle(this.ctx, conn.session, req, pageItems);
      if (req.op === 'auth') await this.host.attach(conn);
      this.host.handshakeDone(conn);
      return { kind: 'answer', frame: encodeOk(req.id, req.op, result), op: req.op, outcome: 'ok', reservation };
    } catch (err) {
      return this.refuse(env.id, op, err, reservation);
    } finally {
      conn.inflight--;
    }
  }

  /** OP-3: a refused frame's typed error; 7. anything unexpected is INTERNAL with a fixed message, logged without content. */
  private refuse(id: number | undefined, op: Op | undefined, err: unknown, reservation?: Reservation): FrameResult {
    if (err instanceof ComradError && err.code !== 'INTERNAL') {
      return { kind: 'answer', frame: encodeErr(id, err.code, err.message), op, outcome: err.code, ...(reservation && { reservation }) };
    }
    this.log.error({ event: 'internal-error', err: safeError(err) });
    return { kind: 'answer', frame: encodeErr(id, 'INTERNAL', 'internal error'), op, outcome: 'INTERNAL', ...(reservation && { reservation }) };
  }
}
