/**
 * The request pipeline without a socket (05-operator, "Order of checks for each frame"): frames in,
 * frames out, on a real memory store, real keys and a real sealed channel (the client's end made from the
 * Operator's greeting, as a client does). Where two checks would both refuse a frame, the earlier one in
 * the spec's order decides the code.
 */
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPair, ProtocolError, ready } from '@comrad/core';
import { encode } from '@comrad/core/codec';
import {
  acceptGreeting,
  decodeGreeting,
  decodeServerFrame,
  encodeRequest,
  makeAuthProof,
  makeGreeting,
  makeRegisterProof,
  type Channel,
  type InfoResult,
  type ServerFrame,
} from '@comrad/core/wire';
import type { HandlerContext } from '../src/handlers.js';
import { operatorKeys } from '../src/keys.js';
import { announcedLimits, resolveLimits, type ServerLimits } from '../src/limits.js';
import { createLogger } from '../src/log.js';
import { RequestPipeline, type FrameResult, type PipelineConnection, type PipelineHost, type Reservation } from '../src/pipeline.js';
import { Policy } from '../src/policy/index.js';
import { TokenBucket } from '../src/rate.js';
import { openStore, type Store } from '../src/store/index.js';
import { TokenIssuer } from '../src/tokens.js';
import { WorldKeys } from '../src/world-keys.js';

const T0 = 1_700_000_000_000;

beforeAll(async () => {
  await ready();
});

interface Rig {
  readonly pipeline: RequestPipeline;
  readonly ctx: HandlerContext;
  readonly host: TestHost;
  readonly logged: string[];
  /** A fresh connection: the Operator's state and the client's end of its channel. */
  connect(): { conn: PipelineConnection; client: Channel; challenge: Uint8Array };
}

/** The server's part, as small as it can be: a shutdown flag, room that can run out, logins that can be refused. */
class TestHost implements PipelineHost {
  shuttingDown = false;
  noRoom = false;
  loginsFull = false;
  reserved = 0;
  answered = 0;
  closing = () => this.shuttingDown;
  reserve = (_conn: PipelineConnection, bytes: number): Reservation | undefined => {
    if (this.noRoom) return undefined;
    this.reserved += bytes;
    return { bytes };
  };
  reservePage = (_conn: PipelineConnection, _r: Reservation, _op: 'fetch' | 'feed', asked: number | undefined) => Math.min(asked ?? 50, 50);
  checkLoggedInRoom = () => {
    if (this.loginsFull) throw new ProtocolError('RATE_LIMITED', 'too many connections: try again later');
  };
  attach = () => {};
  handshakeDone = () => {
    this.answered++;
  };
}

async function rig(overrides: Partial<ServerLimits> = {}, wrap: (s: Store) => Store = (s) => s): Promise<Rig> {
  const limits = resolveLimits({ registerPowBits: 0, requestsPerSecond: 5, ...overrides });
  const keys = operatorKeys(KeyPair.generate(), KeyPair.generate());
  const store = wrap(await openStore({ kind: 'memory' }));
  const clock = { now: () => T0 };
  const info: InfoResult = { v: 1, operatorKey: keys.operator.publicKey, worldKey: keys.world.publicKey, limits: announcedLimits(limits), pow: { register: 0, send: 0 } };
  const ctx: HandlerContext = { store, policy: new Policy(store, limits), keys, limits, clock, info, worldKeys: new WorldKeys(store, keys.world, keys.atRestKey), decoyKey: KeyPair.generate().publicKey, tokens: new TokenIssuer(store, keys.atRestKey) };
  const logged: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) });
  const host = new TestHost();
  const pipeline = new RequestPipeline(ctx, host, createLogger({ destination: sink, level: 'debug' }));
  return {
    pipeline,
    ctx,
    host,
    logged,
    connect() {
      const me = KeyPair.generate();
      const greeting = makeGreeting(keys.operator, keys.world.publicKey, me.publicKey);
      const { channel } = acceptGreeting(decodeGreeting(greeting.frame), keys.operator.publicKey, me);
      const conn: PipelineConnection = {
        channel: greeting.channel,
        session: { challenge: greeting.challenge, powChallenge: greeting.challenge, greetedAt: T0, name: undefined, key: undefined },
        bucket: new TokenBucket(limits.requestsPerSecond, T0),
        inflight: 0,
      };
      return { conn, client: channel, challenge: greeting.challenge };
    },
  };
}

/** The answer frame of a result, decoded as a client would. */
function answer(result: FrameResult): ServerFrame & { outcome: string } {
  if (result.kind !== 'answer') throw new Error(`no answer: ${result.kind}`);
  return { ...decodeServerFrame(result.frame), outcome: result.outcome };
}

/** The code and id of an error answer, or 'ok' and the id. */
function codeOf(result: FrameResult): [code: string, id: number | undefined] {
  const frame = answer(result);
  return frame.type === 'err' ? [frame.code, frame.id] : frame.type === 'ok' ? ['ok', frame.id] : ['push', undefined];
}

const info = (id: number) => encodeRequest(id, 'info', {});

describe('request pipeline: order of checks for each frame', () => {
  it('LIMIT-3 OP-3 1. a text frame is MALFORMED without an id, and spends a rate token like any frame', async () => {
    const r = await rig({ requestsPerSecond: 2 });
    const { conn, client } = r.connect();
    expect(codeOf(await r.pipeline.process(conn, new TextEncoder().encode('{"op":"info"}'), false))).toEqual(['MALFORMED', undefined]);
    expect(codeOf(await r.pipeline.process(conn, client.seal(info(1)), true))).toEqual(['ok', 1]);
    expect(codeOf(await r.pipeline.process(conn, client.seal(info(2)), true))).toEqual(['RATE_LIMITED', 2]);
  });

  it('AUTH-9 AUTH-10 2. a frame that does not open breaks the channel before the rate is looked at; later frames get nothing', async () => {
    const r = await rig({ requestsPerSecond: 1 });
    const { conn, client } = r.connect();
    expect(codeOf(await r.pipeline.process(conn, client.seal(info(1)), true))).toEqual(['ok', 1]);
    const forged = client.seal(info(2));
    forged[forged.length - 1]! ^= 1;
    expect(await r.pipeline.process(conn, forged, true)).toEqual({ kind: 'broken' }); // over the rate too: the channel decides
    conn.channel.wipe(); // what the server does on `broken`
    expect(await r.pipeline.process(conn, client.seal(info(3)), true)).toEqual({ kind: 'none' });
  });

  it('2. while the Operator shuts down every opened frame is RATE_LIMITED, before the rate and the envelope', async () => {
    const r = await rig();
    const { conn, client } = r.connect();
    r.host.shuttingDown = true;
    const result = answer(await r.pipeline.process(conn, client.seal(Uint8Array.of(0xc1)), true));
    expect(result).toMatchObject({ type: 'err', code: 'RATE_LIMITED', message: 'the Operator is shutting down' });
  });

  it('LIMIT-3 OP-7 3. a frame both over the rate and malformed gets the rate answer, with its id when the frame starts with one', async () => {
    const r = await rig({ requestsPerSecond: 1 });
    const { conn, client } = r.connect();
    expect(codeOf(await r.pipeline.process(conn, client.seal(info(1)), true))).toEqual(['ok', 1]);
    const admitted = r.host.reserved;
    expect(codeOf(await r.pipeline.process(conn, client.seal(Uint8Array.of(0xc1, 0xff)), true))).toEqual(['RATE_LIMITED', undefined]);
    // A map whose first key is `id`, then garbage where `op` should be: the id is peeked, nothing else decoded.
    expect(codeOf(await r.pipeline.process(conn, client.seal(encode({ id: 7, op: 42, params: 'x' })), true))).toEqual(['RATE_LIMITED', 7]);
    expect(codeOf(await r.pipeline.process(conn, client.seal(encode({ op: 'info', id: 8 })), true))).toEqual(['RATE_LIMITED', undefined]);
    expect(r.host.reserved).toBe(admitted); // nothing over the rate reached admission (LIMIT-6)
  });

  it('4. a malformed envelope is refused without an id; a well-formed one keeps its id for every later refusal', async () => {
    const r = await rig();
    const { conn, client } = r.connect();
    expect(codeOf(await r.pipeline.process(conn, client.seal(Uint8Array.of(0xc1)), true))).toEqual(['MALFORMED', undefined]);
    expect(codeOf(await r.pipeline.process(conn, client.seal(encode([1, 'info'])), true))).toEqual(['MALFORMED', undefined]);
    expect(codeOf(await r.pipeline.process(conn, client.seal(encode({ id: 3, op: 'lookup', params: { name: 5 } })), true))).toEqual(['MALFORMED', 3]);
    expect(r.host.reserved).toBeGreaterThan(0);
  });

  it('LIMIT-3 LIMIT-6 4. too many requests in flight, or no memory for the answer: RATE_LIMITED with the id, before the op is looked at', async () => {
    const r = await rig({ maxInflight: 2 });
    const { conn, client } = r.connect();
    conn.inflight = 2;
    expect(codeOf(await r.pipeline.process(conn, client.seal(encode({ id: 4, op: 'no-such-op' })), true))).toEqual(['RATE_LIMITED', 4]);
    conn.inflight = 0;
    r.host.noRoom = true;
    expect(answer(await r.pipeline.process(conn, client.seal(encode({ id: 5, op: 'no-such-op' })), true))).toMatchObject({ code: 'RATE_LIMITED', id: 5, message: 'the Operator is busy: try again shortly' });
    expect(conn.inflight).toBe(0);
  });

  it('OP-4 5. an unknown op is UNKNOWN_OP, logged in or not; a private op before auth is UNAUTHENTICATED, however malformed its parameters', async () => {
    const r = await rig();
    const { conn, client } = r.connect();
    const unknown = await r.pipeline.process(conn, client.seal(encode({ id: 1, op: 'steal-everything', params: {} })), true);
    expect(codeOf(unknown)).toEqual(['UNKNOWN_OP', 1]);
    expect(unknown.kind === 'answer' && unknown.op).toBeUndefined(); // LOG-1: attacker-chosen text is never an op name
    expect(codeOf(await r.pipeline.process(conn, client.seal(encode({ id: 2, op: 'fetch', params: { limit: 'all' } })), true))).toEqual(['UNAUTHENTICATED', 2]);
    expect(codeOf(await r.pipeline.process(conn, client.seal(encodeRequest(3, 'fetch', {})), true))).toEqual(['UNAUTHENTICATED', 3]);
  });

  it('OP-2 REG-2 AUTH-2 6. a whole conversation: register, auth, fetch, then a login the server has no room for', async () => {
    const r = await rig();
    const { conn, client, challenge } = r.connect();
    const operatorKey = r.ctx.keys.operator.publicKey;
    const me = KeyPair.generate();
    const register = encodeRequest(1, 'register', { name: 'alice', key: me.publicKey, proof: makeRegisterProof(me.privateKey, 'alice', me.publicKey, operatorKey) });
    expect(codeOf(await r.pipeline.process(conn, client.seal(register), true))).toEqual(['ok', 1]);
    const sig = makeAuthProof(me.privateKey, { challenge, operatorKey, name: 'alice', at: T0 });
    const auth = await r.pipeline.process(conn, client.seal(encodeRequest(2, 'auth', { name: 'alice', at: T0, sig })), true);
    expect(codeOf(auth)).toEqual(['ok', 2]);
    expect(auth.kind === 'answer' && auth.reservation?.bytes).toBeGreaterThan(0); // the host gives it back once sent
    expect(conn.session.name).toBe('alice');
    expect(answer(await r.pipeline.process(conn, client.seal(encodeRequest(3, 'fetch', {})), true))).toMatchObject({ type: 'ok', id: 3, value: { items: [] } });
    expect(r.host.answered).toBe(3);

    const second = r.connect();
    r.host.loginsFull = true;
    const sig2 = makeAuthProof(me.privateKey, { challenge: second.challenge, operatorKey, name: 'alice', at: T0 });
    expect(codeOf(await r.pipeline.process(second.conn, second.client.seal(encodeRequest(1, 'auth', { name: 'alice', at: T0, sig: sig2 })), true))).toEqual(['RATE_LIMITED', 1]);
    expect(second.conn.session.name).toBeUndefined();
  });

  it('LOG-1 7. anything unexpected inside is INTERNAL with a fixed message, logged without its content', async () => {
    const failing = (s: Store): Store =>
      Object.assign(Object.create(s) as Store, {
        keyOf: async () => {
          throw new Error('disk on fire at /secret/path for alice');
        },
      });
    const r = await rig({}, failing);
    const { conn, client } = r.connect();
    const result = answer(await r.pipeline.process(conn, client.seal(encodeRequest(9, 'lookup', { name: 'alice' })), true));
    expect(result).toMatchObject({ type: 'err', id: 9, code: 'INTERNAL', message: 'internal error' });
    await new Promise((resolve) => setTimeout(resolve, 50)); // pino writes asynchronously
    expect(r.logged.join('')).toContain('internal-error');
    expect(r.logged.join('')).not.toContain('secret');
    expect(r.logged.join('')).not.toContain('alice');
  });
});
