/**
 * The recorded conversation (`spec/vectors/conversation.json`): alice and bob register, bob logs in,
 * alice sends him a letter with proof of work, bob fetches and acknowledges it, alice logs in and posts to
 * the world, bob reads the feed and the epoch key — the real client (`OperatorConnection` and core's
 * envelope) against the real Operator (in process, memory store, a manual clock), through a relay that
 * records every WebSocket message. Every random value comes from a tape and every signature is RFC 6979
 * (`_scripted-crypto.ts`), so the same tape, keys and clock make the same bytes again:
 *
 * - {@link recordConversation} records it (the generator);
 * - {@link replayClient} runs the same client code against a stand-in that answers with the recorded
 *   Operator frames, and checks that every client frame comes out byte for byte;
 * - {@link replayOperator} feeds the recorded client frames to a fresh real Operator and checks that every
 *   Operator frame comes out byte for byte.
 * @module
 */
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { sha256 } from '@noble/hashes/sha2.js';
import { decode, decryptFrom, fromHex, KeyPair, PrivateKey, PublicKey, SymmetricKey, toHex, utf8 } from '@comrad/core';
import { createLetter, openPost, openSealedLetter, sealLetter, sealPost, textBodyOf } from '@comrad/core/envelope';
import { Channel, makeAuthProof, makeRegisterProof, registerPowInput, sendPowInput, solvePow, decodeGreeting, epochOf, verifyLookup } from '@comrad/core/wire';
import { OperatorConnection } from '@comrad/client-node/src/transport/connection.js';
import { startOperator, type RunningOperator } from '@comrad/operator/src/server.js';
import { openStore } from '@comrad/operator/src/store/index.js';
import type { Store } from '@comrad/operator/src/store/types.js';
import type { OperatorKeys } from '@comrad/operator/src/handlers.js';
import type { ServerLimits } from '@comrad/operator/src/limits.js';
import { keyPairOfScalar, Recorder, Tape, withScriptedCrypto, type Draw, type Side } from './_scripted-crypto.js';
import { toTagged, type Tagged } from './vector-format.js';

/** The clock at the start: 2025-11-24T16:00:00Z (ms). Each step moves it on by {@link STEP_MS}. */
export const START_MS = 1_764_000_000_000;
const STEP_MS = 1_000;
/** The Operator's limits in the conversation: proof of work asked for both `register` and `send`. */
export const CONVERSATION_LIMITS: Partial<ServerLimits> = { registerPowBits: 8, sendPowBits: 8, greetingsPerSecond: 1_000_000 };
const SEED = 'comrad/vectors/conversation/v1';

/** A key pair from a label: the private scalar is SHA-256 of the label (a valid scalar for these labels). */
function fixedKeyPair(label: string): KeyPair {
  const k = keyPairOfScalar(sha256(utf8(label)));
  return new KeyPair(PrivateKey.from(k.privateKey), PublicKey.from(k.publicKey));
}

/** The long-term keys of the conversation: inputs, not randomness. */
export function conversationKeys(): { operator: KeyPair; world: KeyPair; atRestKey: SymmetricKey; alice: KeyPair; bob: KeyPair } {
  return {
    operator: fixedKeyPair('comrad/vectors/operator'),
    world: fixedKeyPair('comrad/vectors/world'),
    atRestKey: SymmetricKey.from(sha256(utf8('comrad/vectors/at-rest'))),
    alice: fixedKeyPair('comrad/vectors/alice'),
    bob: fixedKeyPair('comrad/vectors/bob'),
  };
}

/** A clock both ends read; the scenario moves it between steps. */
export class StepClock {
  constructor(public t = START_MS) {}
  now(): number {
    return this.t;
  }
}

/** One recorded event on one connection. */
export interface ConvEvent {
  /** Position in the whole conversation. */
  seq: number;
  /** The connection, from 0, in the order they were opened. */
  conn: number;
  /** Who sent it. */
  from: Side;
  /** `hello`: the upgrade request's path and query (AUTH-7); `greeting`: the Operator's first frame; `frame`: a sealed frame. */
  type: 'hello' | 'greeting' | 'frame';
  /** The clock when it was sent (ms). */
  at: number;
  /** `hello`: the path and query; otherwise the bytes as hex. */
  data: string;
}

/** What the scenario tells about each connection, for the reader. */
export interface ConnNote {
  conn: number;
  who: string;
  purpose: string;
}

/**
 * The client side: what a Comrad client does, step by step, with the real client code. `url` is the
 * Operator (or the relay, or the stand-in).
 */
export async function runScenario(url: string, clock: StepClock, note: (n: ConnNote) => void): Promise<void> {
  const keys = conversationKeys();
  const operatorKey = keys.operator.publicKey;
  const step = () => (clock.t += STEP_MS);
  let conns = 0;
  const open = async (who: string, purpose: string) => {
    note({ conn: conns++, who, purpose });
    return OperatorConnection.open({ url, operatorKey, requestTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
  };
  const close = (c: OperatorConnection) => c.closed();

  // 0, 1: alice and bob register (REG-1, REG-3, REG-6), each on a connection of its own, with proof of work.
  const statements: Record<string, Uint8Array> = {};
  for (const [name, me] of [
    ['alice', keys.alice],
    ['bob', keys.bob],
  ] as const) {
    const c = await open(name, `registers "${name}" (info for the proof-of-work bits, then register)`);
    step();
    const info = await c.request('info', {});
    step();
    const pow = solvePow((n) => registerPowInput(c.hello.challenge, name, me.publicKey, n), info.pow.register);
    const { statement } = await c.request('register', { name, key: me.publicKey, proof: makeRegisterProof(me.privateKey, name, me.publicKey, operatorKey), pow });
    verifyLookup(statement, operatorKey, { name, key: me.publicKey });
    statements[name] = statement;
    await close(c);
    step();
  }

  // 2: bob logs in and stays, to be told of mail (AUTH-2, MB-6).
  const bob = await open('bob', 'logs in and stays connected (auth, then fetch, ack, feed, worldKey later)');
  step();
  await bob.request('auth', { name: 'bob', at: clock.now(), sig: makeAuthProof(keys.bob.privateKey, { challenge: bob.hello.challenge, operatorKey, name: 'bob', at: clock.now() }) });
  const mail = new Promise<void>((resolve) => bob.once('mail', () => resolve()));
  step();

  // 3: alice sends bob a letter on a connection that does not log in (MB-1, MB-7, MB-9).
  const send = await open('alice', 'sends a letter without logging in (info, lookup bob, send with proof of work)');
  step();
  const info = await send.request('info', {});
  step();
  const found = await send.request('lookup', { name: 'bob' });
  const bobKey = verifyLookup(found.statement, operatorKey, 'bob').key;
  step();
  const letter = createLetter({ kind: 'dm', from: 'alice', to: 'bob', body: { text: 'meet at the library, 6pm' }, at: Math.floor(clock.now() / 1000) });
  const sealed = sealLetter(letter, keys.alice, bobKey, statements.alice!);
  const pow = solvePow((n) => sendPowInput(send.hello.challenge, 'bob', sealed, n), info.pow.send);
  await send.request('send', { to: 'bob', letter: sealed, pow });
  await mail;
  await close(send);
  step();

  // 2: bob fetches, opens and acknowledges (MB-2, MB-3).
  const { items } = await bob.request('fetch', {});
  const opened = await openSealedLetter(items[0]!.letter, { name: 'bob', keys: keys.bob }, operatorKey);
  if (opened.letter.kind !== 'dm' || opened.letter.body.text !== letter.body.text) throw new Error('bob read another letter');
  step();
  await bob.request('ack', { ids: items.map((i) => i.id) });
  step();

  // 4: alice logs in, takes today's world key and posts (FEED-2, FEED-3).
  const alice = await open('alice', 'logs in, takes the epoch key (worldKey) and posts to the world');
  step();
  await alice.request('auth', { name: 'alice', at: clock.now(), sig: makeAuthProof(keys.alice.privateKey, { challenge: alice.hello.challenge, operatorKey, name: 'alice', at: clock.now() }) });
  step();
  const wk = await alice.request('worldKey', {});
  const epochKey = SymmetricKey.from(decryptFrom(keys.alice.privateKey, alice.hello.worldKey, wk.sealed));
  step();
  const post = createLetter({ kind: 'post', from: 'alice', body: { text: 'general assembly on friday' }, at: Math.floor(clock.now() / 1000) });
  await alice.request('post', { post: sealPost(post, keys.alice, epochKey, wk.epoch), expiresInDays: 7 });
  await close(alice);
  step();

  // 2: bob reads the feed, takes the epoch key and opens the post (FEED-6, FEED-7).
  const page = await bob.request('feed', { limit: 10 });
  step();
  const bobWk = await bob.request('worldKey', { epoch: page.posts[0]!.epoch });
  const bobEpochKey = SymmetricKey.from(decryptFrom(keys.bob.privateKey, bob.hello.worldKey, bobWk.sealed));
  const read = await openPost(page.posts[0]!.post, () => bobEpochKey, { name: 'alice', key: keys.alice.publicKey });
  if (read.letter.body.text !== post.body.text || epochOf(clock.now()) !== bobWk.epoch) throw new Error('bob read another post');
  await close(bob);
}

/** Starts the reference Operator of the conversation on a free loopback port. */
export async function startConversationOperator(clock: StepClock, openEmptyStore: OpenStore = memoryStore): Promise<{ op: RunningOperator; close: () => Promise<void> }> {
  const k = conversationKeys();
  const keys: OperatorKeys = { operator: k.operator, world: k.world, atRestKey: k.atRestKey };
  const { store, cleanup } = await openEmptyStore();
  const op = await startOperator({ store, keys, clock, host: '127.0.0.1', port: 0, sweepIntervalMs: 0, heartbeatMs: 0, limits: CONVERSATION_LIMITS });
  return {
    op,
    close: async () => {
      await op.close();
      await cleanup();
    },
  };
}

/** Opens an empty store for the Operator, and what removes it afterwards. */
export type OpenStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/** The store the conversation was recorded on. */
async function memoryStore(): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  const store = await openStore({ kind: 'memory' });
  return { store, cleanup: () => store.close() };
}

const bytesOf = (data: RawData): Uint8Array => new Uint8Array(Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data);

async function listen(): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const address = wss.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return { wss, url: `ws://127.0.0.1:${address.port}` };
}

const closeServer = (wss: WebSocketServer) =>
  new Promise<void>((resolve) => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => resolve());
  });

/**
 * A relay between the client and the Operator that records every message both ways, in order. It changes
 * nothing: the greeting is signed over the client's key, not over an address.
 */
async function recordingRelay(target: string, clock: StepClock): Promise<{ url: string; events: ConvEvent[]; close: () => Promise<void> }> {
  const { wss, url } = await listen();
  const events: ConvEvent[] = [];
  let conns = 0;
  const add = (e: Omit<ConvEvent, 'seq' | 'at'>) => events.push({ seq: events.length, at: clock.now(), ...e });
  wss.on('connection', (client, req) => {
    const conn = conns++;
    add({ conn, from: 'client', type: 'hello', data: req.url ?? '/' });
    const upstream = new WebSocket(`${target}${req.url ?? '/'}`, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    const early: Uint8Array[] = [];
    let greeted = false;
    upstream.on('message', (data) => {
      const b = bytesOf(data);
      add({ conn, from: 'operator', type: greeted ? 'frame' : 'greeting', data: toHex(b) });
      greeted = true;
      client.send(b);
    });
    upstream.on('open', () => early.splice(0).forEach((b) => upstream.send(b)));
    client.on('message', (data) => {
      const b = bytesOf(data);
      add({ conn, from: 'client', type: 'frame', data: toHex(b) });
      if (upstream.readyState === WebSocket.OPEN) upstream.send(b);
      else early.push(b);
    });
    client.on('close', () => upstream.close());
    upstream.on('close', () => client.close());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  return { url, events, close: () => closeServer(wss) };
}

/** Everything a recording gives. */
export interface Recording {
  events: ConvEvent[];
  notes: ConnNote[];
  draws: Draw[];
}

/** Records the conversation (the generator): real client, real Operator, a recording relay between them. */
export async function recordConversation(): Promise<Recording> {
  const recorder = new Recorder(SEED);
  const clock = new StepClock();
  const notes: ConnNote[] = [];
  const events = await withScriptedCrypto(recorder, async () => {
    const operator = await startConversationOperator(clock);
    const relay = await recordingRelay(operator.op.url, clock);
    try {
      await runScenario(relay.url, clock, (n) => notes.push(n));
      // Let the last closes settle, so no event is still on its way.
      await new Promise((r) => setTimeout(r, 50));
      return relay.events.slice();
    } finally {
      await relay.close();
      await operator.close();
    }
  });
  return { events, notes, draws: recorder.draws };
}

/** Sends `data` and resolves once the other end has it: a stand-in answers only after it checked a frame. */
function nextMessage(queue: Uint8Array[], waiters: ((b: Uint8Array) => void)[]): Promise<Uint8Array> {
  const b = queue.shift();
  if (b) return Promise.resolve(b);
  return new Promise((resolve) => waiters.push(resolve));
}

/**
 * Replays the client side: the real client code, drawing from `clientDraws`, against a stand-in Operator
 * that answers each connection with the recorded Operator frames. Every hello and client frame must come
 * out as recorded; the first difference throws.
 * @returns how many client events were checked
 */
export async function replayClient(events: readonly ConvEvent[], clientDraws: Draw[]): Promise<number> {
  const tape = new Tape(clientDraws, 'client tape');
  const clock = new StepClock();
  const { wss, url } = await listen();
  const sockets = new Map<number, WebSocket>();
  let at = 0;
  let checked = 0;
  let failure: Error | undefined;
  /** Sends every Operator event from `at` on until the next client event. */
  const flush = () => {
    while (at < events.length && events[at]!.from === 'operator') {
      const e = events[at++]!;
      sockets.get(e.conn)!.send(fromHex(e.data));
    }
  };
  const expectClient = (conn: number, type: ConvEvent['type'], data: string) => {
    const e = events[at];
    if (!e || e.from !== 'client' || e.conn !== conn || e.type !== type || e.data !== data) {
      failure ??= new Error(`client event ${at} differs: got ${type} on connection ${conn}: ${data.slice(0, 120)}…, recorded ${e ? `${e.type} on ${e.conn}: ${e.data.slice(0, 120)}…` : 'nothing'}`);
      throw failure;
    }
    at++;
    checked++;
    flush();
  };
  let conns = 0;
  wss.on('connection', (ws, req) => {
    const conn = conns++;
    sockets.set(conn, ws);
    ws.on('message', (data) => {
      try {
        expectClient(conn, 'frame', toHex(bytesOf(data)));
      } catch {
        for (const s of sockets.values()) s.terminate();
      }
    });
    try {
      expectClient(conn, 'hello', req.url ?? '/');
    } catch {
      ws.terminate();
    }
  });
  try {
    await withScriptedCrypto(tape, () => runScenario(url, clock, () => undefined));
  } catch (err) {
    throw failure ?? err;
  } finally {
    await closeServer(wss);
  }
  if (failure) throw failure;
  if (tape.used !== clientDraws.length) throw new Error(`the client drew ${tape.used} values, the tape has ${clientDraws.length}`);
  return checked;
}

/**
 * Replays the Operator side: a fresh reference Operator with the same keys, clock and `operatorDraws`,
 * fed the recorded hellos and client frames in their recorded order; every Operator frame must come out
 * as recorded.
 * @returns how many Operator events were checked
 */
export async function replayOperator(events: readonly ConvEvent[], operatorDraws: Draw[], openEmptyStore?: OpenStore): Promise<number> {
  const tape = new Tape(operatorDraws, 'operator tape');
  const clock = new StepClock();
  return withScriptedCrypto(tape, async () => {
    const operator = await startConversationOperator(clock, openEmptyStore);
    const sockets = new Map<number, { ws: WebSocket; queue: Uint8Array[]; waiters: ((b: Uint8Array) => void)[] }>();
    let checked = 0;
    try {
      for (const e of events) {
        clock.t = e.at;
        if (e.from === 'client' && e.type === 'hello') {
          const ws = new WebSocket(`${operator.op.url}${e.data}`, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
          const s = { ws, queue: [] as Uint8Array[], waiters: [] as ((b: Uint8Array) => void)[] };
          ws.on('message', (data) => {
            const b = bytesOf(data);
            const w = s.waiters.shift();
            if (w) w(b);
            else s.queue.push(b);
          });
          ws.on('error', () => undefined);
          await new Promise<void>((resolve, reject) => {
            ws.once('open', () => resolve());
            ws.once('error', reject);
          });
          sockets.set(e.conn, s);
        } else if (e.from === 'client') {
          sockets.get(e.conn)!.ws.send(fromHex(e.data));
        } else {
          const s = sockets.get(e.conn)!;
          const got = await Promise.race([nextMessage(s.queue, s.waiters), new Promise<undefined>((r) => setTimeout(() => r(undefined), 5_000))]);
          if (!got) throw new Error(`Operator event ${e.seq} (${e.type} on connection ${e.conn}) never came`);
          if (toHex(got) !== e.data) throw new Error(`Operator event ${e.seq} (${e.type} on connection ${e.conn}) differs:\n got      ${toHex(got).slice(0, 160)}…\n recorded ${e.data.slice(0, 160)}…`);
          checked++;
        }
      }
      if (tape.used !== operatorDraws.length) throw new Error(`the Operator drew ${tape.used} values, the tape has ${operatorDraws.length}`);
      return checked;
    } finally {
      for (const s of sockets.values()) s.ws.terminate();
      await operator.close();
    }
  });
}

/** A frame of the conversation as the vector file shows it: both byte forms and what was drawn to make it. */
export interface ConvFrame {
  seq: number;
  conn: number;
  from: Side;
  type: ConvEvent['type'];
  at: number;
  /** The sealed frame's number in its direction (AUTH-9); absent for the hello and the greeting. */
  n?: number;
  /** `hello`: the path and query. */
  url?: string;
  /** What went over the wire (hex): the greeting as it is, a frame sealed. */
  wire?: string;
  /** A sealed frame opened (hex), and as tagged JSON. */
  plain?: string;
  frame?: Tagged;
  /** The random values this side drew to make this event, in order (kind, what drew it, value). */
  random: { kind: string; for: string; hex: string }[];
}

/**
 * Turns a recording into the frames of the vector file: opens each sealed frame with its connection's
 * session key (unwrapped from the greeting with the client's recorded ephemeral key), and gives each
 * event the draws its side made for it: every draw since that side's previous event, up to this event's
 * own IV (sealed frames and the greeting) or ephemeral key (the hello).
 */
export function framesOf(rec: Recording): {
  startup: { kind: string; for: string; hex: string }[];
  frames: ConvFrame[];
  sessions: { conn: number; clientEphemeral: { privateKey: string; publicKey: string }; sessionKey: string }[];
} {
  const pending: Record<Side, Draw[]> = { client: rec.draws.filter((d) => d.side === 'client'), operator: rec.draws.filter((d) => d.side === 'operator') };
  // The Operator's first draw is the decoy key it makes when it starts (AUTH-5); it belongs to no frame.
  const startup = pending.operator.splice(0, 1);
  if (startup[0]?.kind !== 'keyPair' || !startup[0].for.startsWith('startOperator')) throw new Error(`the Operator's first draw is not its decoy key: ${JSON.stringify(startup[0])}`);
  const take = (side: Side, until: (d: Draw) => boolean): Draw[] => {
    const i = pending[side].findIndex(until);
    if (i < 0) throw new Error(`no ${side} draw for this event`);
    return pending[side].splice(0, i + 1);
  };
  const channels = new Map<number, { client: Channel; operator: Channel; sent: Record<Side, number> }>();
  const ephemerals = new Map<number, KeyPair>();
  const sessions: { conn: number; clientEphemeral: { privateKey: string; publicKey: string }; sessionKey: string }[] = [];
  const frames: ConvFrame[] = [];
  for (const e of rec.events) {
    const base = { seq: e.seq, conn: e.conn, from: e.from, type: e.type, at: e.at };
    if (e.type === 'hello') {
      const keyHex = new URL(e.data, 'ws://x').searchParams.get('key')!;
      const random = take('client', (d) => d.kind === 'keyPair' && toHex(keyPairOfScalar(fromHex(d.hex)).publicKey) === keyHex);
      const k = keyPairOfScalar(fromHex(random[random.length - 1]!.hex));
      ephemerals.set(e.conn, new KeyPair(PrivateKey.from(k.privateKey), PublicKey.from(k.publicKey)));
      frames.push({ ...base, url: e.data, random: random.map(drawJson) });
    } else if (e.type === 'greeting') {
      const bytes = fromHex(e.data);
      const g = decodeGreeting(bytes);
      const iv = toHex(g.wrappedKey.subarray(24, 36));
      const random = take('operator', (d) => d.kind === 'iv' && d.hex === iv);
      const eph = ephemerals.get(e.conn)!;
      const session = SymmetricKey.from(decryptFrom(eph.privateKey, g.ephemeral, g.wrappedKey));
      channels.set(e.conn, { client: new Channel(session, 'client'), operator: new Channel(session, 'operator'), sent: { client: 0, operator: 0 } });
      sessions.push({ conn: e.conn, clientEphemeral: { privateKey: toHex(eph.privateKey.bytes()), publicKey: toHex(eph.publicKey.bytes()) }, sessionKey: toHex(session.bytes()) });
      frames.push({ ...base, wire: e.data, frame: toTagged(decode(bytes)), random: random.map(drawJson) });
    } else {
      const bytes = fromHex(e.data);
      const ch = channels.get(e.conn)!;
      const iv = toHex(bytes.subarray(16, 28));
      const random = take(e.from, (d) => d.kind === 'iv' && d.hex === iv);
      // The receiving end opens it: frames to the Operator at the Operator's end, and back.
      const plain = e.from === 'client' ? ch.operator.open(bytes) : ch.client.open(bytes);
      const n = ch.sent[e.from]++;
      frames.push({ ...base, n, wire: e.data, plain: toHex(plain), frame: toTagged(decode(plain)), random: random.map(drawJson) });
    }
  }
  const left = [...pending.client, ...pending.operator];
  if (left.length > 0) throw new Error(`${left.length} draws belong to no event: ${JSON.stringify(left.map((d) => d.for))}`);
  return { startup: startup.map(drawJson), frames, sessions };
}

const drawJson = (d: Draw) => ({ kind: d.kind, for: d.for, hex: d.hex });

/** The draws of one side, in order, from the vector file's frames (and the Operator's start-up draws). */
export function tapeOf(frames: readonly ConvFrame[], side: Side, startup: readonly { kind: string; hex: string }[] = []): Draw[] {
  const out: Draw[] = side === 'operator' ? startup.map((d) => ({ side, kind: d.kind as Draw['kind'], for: 'startup', hex: d.hex })) : [];
  for (const f of frames) if (f.from === side) for (const d of f.random) out.push({ side, kind: d.kind as Draw['kind'], for: d.for, hex: d.hex });
  return out;
}

