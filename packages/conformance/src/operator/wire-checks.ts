/**
 * The wire checks of `comrad-conformance operator`: frames and requests an Operator must refuse with an
 * exact code (the client hello vectors of `handshake.json`, broken channel frames, frames that are not
 * requests, bad auth, missing proof of work, limits), each followed by a fresh connection that must still
 * be served (OP-6).
 * @module
 */
import { concatBytes, encode, fromHex, type KeyPair } from '@comrad/core';
import { PUBLIC_OPS, checkPow, decodeRequestEnvelope, encodeRequest, isOp, makeRegisterProof, registerPowInput, solvePow, verifyLookup, type ServerFrame } from '@comrad/core/wire';
import type { Report } from '../report.js';
import { hexOf, type VectorFile } from '../vectors/files.js';
import { NoAnswer, RefusedConnection, type Connection } from './connection.js';
import { RuleViolation, agreeOn, freshKeys, freshName, must, outcome, type Target } from './target.js';

/** What the checks share: the target, and one identity registered on first need. */
export class WireContext {
  #identity: Promise<{ name: string; keys: KeyPair }> | undefined;
  constructor(readonly target: Target) {}

  /** A name registered for the wire checks (one registration, with proof of work if asked). */
  identity(): Promise<{ name: string; keys: KeyPair }> {
    return (this.#identity ??= (async () => {
      const name = freshName('w');
      const [keys] = freshKeys(1);
      const c = await this.target.connect();
      try {
        await this.target.register(c, name, keys!);
      } finally {
        await c.close();
      }
      return { name, keys: keys! };
    })());
  }

  /** A connection logged in as {@link identity}. */
  async session(): Promise<Connection> {
    const { name, keys } = await this.identity();
    const c = await this.target.connect();
    await c.auth(name, keys);
    return c;
  }
}

/** One wire check: its rules, and a body that throws a {@link RuleViolation} when the Operator breaks one. */
export interface WireCheck {
  readonly name: string;
  readonly rules: readonly string[];
  /** Only when this holds for the Operator's announced limits (a check the limits make impossible is left out). */
  readonly applies?: (t: Target) => boolean;
  run(ctx: WireContext): Promise<void>;
}

const codeOfFrame = (f: ServerFrame): string => (f.type === 'err' ? f.code : f.type);

/** Sends `bytes` sealed and requires an error `code` (with `id` when given), on a connection that stays open. */
async function refusedRaw(ctx: WireContext, rules: readonly string[], bytes: Uint8Array, code: string, id: number | undefined): Promise<void> {
  const c = await ctx.target.connect();
  try {
    const frame = await c.rawExchange(bytes, id);
    agreeOn(rules, `refused with ${code}`, code, codeOfFrame(frame));
    if (id !== undefined) agreeOn(['OP-3'], 'the error frame names the request', id, frame.type === 'err' ? frame.id : undefined);
    await stillOpen(c, rules);
  } finally {
    await c.close();
  }
}

/** OP-6: the connection that carried a refused frame still answers. */
async function stillOpen(c: Connection, rules: readonly string[]): Promise<void> {
  const r = await outcome(c.request('info', {}).catch((err: unknown) => Promise.reject(err instanceof NoAnswer ? new RuleViolation(['OP-6', ...rules], 'the connection stays open after a refused frame', 'an answer to info', err.message) : err)));
  must(['OP-6'], r.ok, 'the connection stays open after a refused frame', r.ok ? 'ok' : r.code);
}

/** A request map's bytes with one extra byte appended. */
const withTrailing = (bytes: Uint8Array) => concatBytes(bytes, Uint8Array.of(0x00));

/** `{id, op: 'info', x: 1.5}` with the float written by hand (Comrad's encoder has no floats). */
function withFloat(id: number): Uint8Array {
  const head = encode({ id, op: 'info' });
  // fixmap of 2 → 3, then "x" → float64 1.5
  return concatBytes(Uint8Array.of(0x83), head.subarray(1), fromHex('a178cb3ff8000000000000'));
}

/** A map of `id`, `op` and `op` again (ENC-11). */
function withDuplicateKey(id: number): Uint8Array {
  const head = encode({ id, op: 'info' });
  return concatBytes(Uint8Array.of(0x83), head.subarray(1), fromHex('a26f70a4696e666f'));
}

/** A map with 257 keys (ENC-10: refused at its header). */
function withManyKeys(id: number): Uint8Array {
  const m: Record<string, unknown> = { id, op: 'info' };
  for (let i = 0; i < 255; i++) m[`k${i}`] = 0;
  return encode(m);
}

/** 17 nested maps under a request (ENC-10: nesting is at most 16), written by hand: encoders refuse it. */
function tooDeep(id: number): Uint8Array {
  const head = encode({ id, op: 'info' });
  // fixmap of 2 → 3, then "deep" → 17 × {a: …} → 0
  const nested = concatBytes(...Array.from({ length: 17 }, () => fromHex('81a161')), Uint8Array.of(0x00));
  return concatBytes(Uint8Array.of(0x83), head.subarray(1), fromHex('a464656570'), nested);
}

/** The built-in wire checks, in the order they run. */
export function builtInChecks(): WireCheck[] {
  return [
    {
      name: 'info decodes strictly and names the key and world key of the greeting',
      rules: ['OP-2', 'AUTH-1', 'AUTH-8'],
      async run(ctx) {
        const c = await ctx.target.connect();
        try {
          const info = await c.request('info', {});
          agreeOn(['AUTH-1'], 'info.operatorKey is the key that signed the greeting', ctx.target.operatorKey.toHex(), info.operatorKey.toHex());
          agreeOn(['AUTH-8'], "info.worldKey is the greeting's world key", c.hello.worldKey.toHex(), info.worldKey.toHex());
        } finally {
          await c.close();
        }
      },
    },
    {
      name: 'a text frame is answered MALFORMED and the connection stays open',
      rules: ['OP-1'],
      async run(ctx) {
        const c = await ctx.target.connect();
        try {
          c.sendText('{"id":1,"op":"info"}');
          agreeOn(['OP-1'], 'a text frame is refused with MALFORMED', 'MALFORMED', codeOfFrame(await c.nextLoose()));
          await stillOpen(c, ['OP-1']);
        } finally {
          await c.close();
        }
      },
    },
    { name: 'a frame that is not a map: MALFORMED, without id', rules: ['OP-1', 'OP-3'], run: (ctx) => refusedRaw(ctx, ['OP-1'], encode(42), 'MALFORMED', undefined) },
    { name: 'a reserved type byte (0xc1): MALFORMED', rules: ['ENC-1', 'OP-3'], run: (ctx) => refusedRaw(ctx, ['ENC-1'], Uint8Array.of(0xc1), 'MALFORMED', undefined) },
    { name: 'a request without id: MALFORMED', rules: ['OP-1', 'OP-3'], run: (ctx) => refusedRaw(ctx, ['OP-1'], encode({ op: 'info' }), 'MALFORMED', undefined) },
    { name: 'a request id above 2^32: MALFORMED', rules: ['OP-1', 'OP-3'], run: (ctx) => refusedRaw(ctx, ['OP-1'], encode({ id: 2 ** 32 + 1, op: 'info' }), 'MALFORMED', undefined) },
    { name: 'bytes after the request: TRAILING_BYTES', rules: ['ENC-3'], run: (ctx) => refusedRaw(ctx, ['ENC-3'], withTrailing(encode({ id: 7, op: 'info' })), 'TRAILING_BYTES', undefined) },
    { name: 'a float in a request: MALFORMED', rules: ['ENC-1'], run: (ctx) => refusedRaw(ctx, ['ENC-1'], withFloat(7), 'MALFORMED', undefined) },
    { name: 'a key twice in a request: MALFORMED', rules: ['ENC-11'], run: (ctx) => refusedRaw(ctx, ['ENC-11'], withDuplicateKey(7), 'MALFORMED', undefined) },
    { name: 'a map of 257 keys: TOO_LARGE', rules: ['ENC-10'], run: (ctx) => refusedRaw(ctx, ['ENC-10'], withManyKeys(7), 'TOO_LARGE', undefined) },
    { name: 'maps nested 18 deep (the request and 17 more): MALFORMED', rules: ['ENC-10'], run: (ctx) => refusedRaw(ctx, ['ENC-10'], tooDeep(7), 'MALFORMED', undefined) },
    { name: 'a string longer than the bytes left: MALFORMED', rules: ['ENC-10'], run: (ctx) => refusedRaw(ctx, ['ENC-10'], fromHex('82a26964'.concat('07', 'a26f70', 'd9ff', '696e666f')), 'MALFORMED', undefined) },
    { name: 'an unknown op: UNKNOWN_OP with the id', rules: ['OP-2', 'OP-3'], run: (ctx) => refusedRaw(ctx, ['OP-2'], encode({ id: 9, op: 'noSuchOp' }), 'UNKNOWN_OP', 9) },
    { name: 'request keys in another order are accepted', rules: ['OP-7'], run: async (ctx) => {
      const c = await ctx.target.connect();
      try {
        const frame = await c.rawExchange(encode({ op: 'info', id: 11 }), 11);
        agreeOn(['OP-7'], 'info with op before id is answered ok', 'ok', codeOfFrame(frame));
      } finally {
        await c.close();
      }
    } },
    {
      name: 'AUTH-10 an altered sealed frame: DECRYPT_FAILED, unsealed, and the connection closes',
      rules: ['AUTH-9', 'AUTH-10'],
      async run(ctx) {
        const c = await ctx.target.connect();
        const sealed = c.seal(encodeRequest(1, 'info', {}));
        sealed[sealed.length - 1]! ^= 0x01;
        c.sendUnsealed(sealed);
        const got = await c.nextLoose().then(codeOfFrame, (err: unknown) => `no frame (${(err as Error).message})`);
        agreeOn(['AUTH-10'], 'an altered frame is answered DECRYPT_FAILED', 'DECRYPT_FAILED', got);
        await closesSoon(c, ['AUTH-10']);
      },
    },
    {
      name: 'AUTH-10 a replayed sealed frame: DECRYPT_FAILED, and the connection closes',
      rules: ['AUTH-10'],
      async run(ctx) {
        const c = await ctx.target.connect();
        const sealed = c.seal(encodeRequest(1, 'info', {}));
        c.sendUnsealed(sealed);
        agreeOn(['AUTH-9'], 'a sealed info is answered', 'ok', codeOfFrame(await c.nextLoose()));
        c.sendUnsealed(sealed);
        const got = await c.nextLoose().then(codeOfFrame, (err: unknown) => `no frame (${(err as Error).message})`);
        agreeOn(['AUTH-10'], 'a replayed frame is answered DECRYPT_FAILED', 'DECRYPT_FAILED', got);
        await closesSoon(c, ['AUTH-10']);
      },
    },
    {
      name: 'OP-4 a logged-in op before auth: UNAUTHENTICATED',
      rules: ['OP-4'],
      run: (ctx) => refusedRaw(ctx, ['OP-4'], encode({ id: 5, op: 'feed' }), 'UNAUTHENTICATED', 5),
    },
    {
      name: 'AUTH-2 AUTH-6 auth with a fresh signature logs in; AUTH-3 the challenge is spent by the first attempt',
      rules: ['AUTH-2', 'AUTH-3', 'AUTH-6'],
      async run(ctx) {
        const { name, keys } = await ctx.identity();
        const c = await ctx.target.connect();
        try {
          const wrong = await outcome(c.auth(name, freshKeys(1)[0]!));
          agreeOn(['AUTH-5'], 'auth signed by another key fails', 'AUTH_FAILED', wrong.ok ? 'ok' : wrong.code);
          const again = await outcome(c.auth(name, keys));
          agreeOn(['AUTH-3'], 'a good auth after a failed one on the same connection fails (challenge spent)', 'AUTH_FAILED', again.ok ? 'ok' : again.code);
        } finally {
          await c.close();
        }
        const d = await ctx.target.connect();
        try {
          const ok = await outcome(d.auth(name, keys));
          agreeOn(['AUTH-2'], 'auth with a fresh signature succeeds', { name }, ok.ok ? ok.value : ok.code);
          const feed = await outcome(d.request('fetch', {}));
          agreeOn(['AUTH-6'], 'the logged-in connection may fetch', 'ok', feed.ok ? 'ok' : feed.code);
        } finally {
          await d.close();
        }
      },
    },
    {
      name: 'AUTH-4 AUTH-5 a stale time and an unknown name both fail with AUTH_FAILED',
      rules: ['AUTH-4', 'AUTH-5'],
      async run(ctx) {
        const { name, keys } = await ctx.identity();
        for (const [what, who, at] of [
          ['ten minutes old', name, Date.now() - 10 * 60_000],
          ['an unknown name', freshName('x'), Date.now()],
        ] as const) {
          const c = await ctx.target.connect();
          try {
            const r = await outcome(c.auth(who, keys, at));
            agreeOn([what === 'an unknown name' ? 'AUTH-5' : 'AUTH-4'], `auth ${what} fails`, 'AUTH_FAILED', r.ok ? 'ok' : r.code);
          } finally {
            await c.close();
          }
        }
      },
    },
    {
      name: 'REG-7 the names operator and comrades are the Operator\'s own keys, and not registrable',
      rules: ['REG-7'],
      async run(ctx) {
        const c = await ctx.target.connect();
        try {
          const op = await c.request('lookup', { name: 'operator' });
          agreeOn(['REG-7'], 'lookup operator answers the Operator key', ctx.target.operatorKey.toHex(), verifyLookup(op.statement, ctx.target.operatorKey, 'operator').key.toHex());
          const world = await c.request('lookup', { name: 'comrades' });
          agreeOn(['REG-7'], 'lookup comrades answers the world key', ctx.target.worldKey.toHex(), verifyLookup(world.statement, ctx.target.operatorKey, 'comrades').key.toHex());
          const [keys] = freshKeys(1);
          const proof = makeRegisterProof(keys!.privateKey, 'operator', keys!.publicKey, ctx.target.operatorKey);
          const r = await outcome(c.request('register', { name: 'operator', key: keys!.publicKey, proof }));
          agreeOn(['REG-7'], 'registering operator is refused', 'INVALID_NAME', r.ok ? 'ok' : r.code);
        } finally {
          await c.close();
        }
      },
    },
    {
      name: 'REG-3 a registration proof signed by another key: BAD_SIGNATURE',
      rules: ['REG-3'],
      async run(ctx) {
        const t = ctx.target;
        const c = await t.kept();
        try {
          const [keys, other] = freshKeys(2);
          const name = freshName('p');
          const proof = makeRegisterProof(other!.privateKey, name, keys!.publicKey, t.operatorKey);
          // With work asked, the work is good: only the proof is wrong.
          const pow = t.info.pow.register > 0 ? solvePow((n) => registerPowInput(c.hello.challenge, name, keys!.publicKey, n), t.info.pow.register) : undefined;
          const r = await outcome(c.request('register', { name, key: keys!.publicKey, proof, ...(pow ? { pow } : {}) }));
          agreeOn(['REG-3'], 'a proof by another key is refused', 'BAD_SIGNATURE', r.ok ? 'ok' : r.code);
        } finally {
          await c.close();
        }
      },
    },
    {
      name: 'REG-6 POW-2 registration without work: POW_REQUIRED; a second proof on one connection: POW_REQUIRED',
      rules: ['REG-6', 'POW-1', 'POW-2'],
      applies: (t) => t.info.pow.register > 0,
      async run(ctx) {
        const t = ctx.target;
        const c = await t.kept();
        try {
          const [a, b, d] = freshKeys(3);
          const none = freshName('n');
          const r = await outcome(c.request('register', { name: none, key: a!.publicKey, proof: makeRegisterProof(a!.privateKey, none, a!.publicKey, t.operatorKey) }));
          agreeOn(['REG-6'], 'a registration without pow is refused', 'POW_REQUIRED', r.ok ? 'ok' : r.code);
          // POW-1: work over another connection's challenge does not count.
          const elsewhere = freshName('e');
          // At a low difficulty a nonce can pay for both challenges by chance (1 in 2^bits): take another's
          // challenge until its nonce does not also pay for this one, so a refusal is due to POW-1 alone.
          let foreignPow: Uint8Array = new Uint8Array(0);
          for (let attempt = 0; attempt < 20; attempt++) {
            const other = await t.connect();
            foreignPow = solvePow((n) => registerPowInput(other.hello.challenge, elsewhere, d!.publicKey, n), t.info.pow.register);
            await other.close();
            if (!checkPow(registerPowInput(c.hello.challenge, elsewhere, d!.publicKey, foreignPow), t.info.pow.register)) break;
          }
          const f = await outcome(c.request('register', { name: elsewhere, key: d!.publicKey, proof: makeRegisterProof(d!.privateKey, elsewhere, d!.publicKey, t.operatorKey), pow: foreignPow }));
          agreeOn(['POW-1'], "work over another connection's challenge is refused", 'POW_REQUIRED', f.ok ? 'ok' : f.code);
          // That refusal spent this connection's challenge (POW-2), so even good work here is refused now.
          const late = freshName('l');
          const pow = solvePow((n) => registerPowInput(c.hello.challenge, late, b!.publicKey, n), t.info.pow.register);
          const s = await outcome(c.request('register', { name: late, key: b!.publicKey, proof: makeRegisterProof(b!.privateKey, late, b!.publicKey, t.operatorKey), pow }));
          agreeOn(['POW-2'], 'a second proof on one connection is refused', 'POW_REQUIRED', s.ok ? 'ok' : s.code);
        } finally {
          await c.close();
        }
      },
    },
    {
      name: 'MB-3 an ack of more than ackIds ids: TOO_LARGE',
      rules: ['MB-3'],
      async run(ctx) {
        const c = await ctx.session();
        try {
          const ids = Array.from({ length: ctx.target.info.limits.ackIds + 1 }, (_, i) => `x${i}`);
          const r = await outcome(c.request('ack', { ids }));
          agreeOn(['MB-3'], `ack of ${ids.length} ids is refused`, 'TOO_LARGE', r.ok ? 'ok' : r.code);
          await stillOpen(c, ['MB-3']);
        } finally {
          await c.close();
        }
      },
    },
    {
      name: 'MB-8 LIMIT-2 a letter of sealedLetterBytes + 1: TOO_LARGE',
      rules: ['MB-8', 'LIMIT-2'],
      applies: (t) => t.info.limits.sealedLetterBytes + 1024 <= t.info.limits.frameBytes,
      async run(ctx) {
        const { name } = await ctx.identity();
        const c = await ctx.target.connect();
        try {
          const r = await outcome(c.request('send', { to: name, letter: new Uint8Array(ctx.target.info.limits.sealedLetterBytes + 1) }));
          agreeOn(['MB-8', 'LIMIT-2'], 'an oversized letter is refused', 'TOO_LARGE', r.ok ? 'ok' : r.code);
          await stillOpen(c, ['LIMIT-2']);
        } finally {
          await c.close();
        }
      },
    },
    {
      name: 'LIMIT-1 a frame larger than frameBytes closes its connection (1009), and no other',
      rules: ['LIMIT-1', 'OP-6'],
      applies: (t) => t.info.limits.frameBytes <= 16 * 1024 * 1024,
      async run(ctx) {
        const bystander = await ctx.target.connect();
        const c = await ctx.target.connect();
        try {
          c.sendUnsealed(c.seal(encode({ id: 1, op: 'info', pad: new Uint8Array(ctx.target.info.limits.frameBytes + 1024) })));
          const code = await Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
          agreeOn(['LIMIT-1'], 'the connection is closed with 1009', 1009, code);
          await stillOpen(bystander, ['OP-6']);
        } finally {
          await Promise.all([c.close(), bystander.close()]);
        }
      },
    },
    {
      name: 'LIMIT-3 OP-7 a burst over requestsPerSecond: RATE_LIMITED naming each request, then served again',
      rules: ['LIMIT-3', 'OP-7'],
      applies: (t) => t.info.limits.requestsPerSecond <= 200,
      async run(ctx) {
        const c = await ctx.target.connect();
        try {
          const n = ctx.target.info.limits.requestsPerSecond * 2 + 2;
          const ids = Array.from({ length: n }, () => c.freshId());
          // All at once, unpaced: the token bucket holds requestsPerSecond (and maxInflight refuses some too).
          const frames = await Promise.all(ids.map((id) => c.rawExchangeNow(encode({ id, op: 'info' }), id)));
          const limited = frames.filter((f) => f.type === 'err' && f.code === 'RATE_LIMITED').length;
          must(['LIMIT-3'], limited > 0, `a burst of ${n} requests gets some RATE_LIMITED`, `${limited} refused`);
          // OP-7: every answer, refusals included, came back under its request's id (else it would be loose).
          must(['OP-7'], c.looseCount === 0, 'every refusal names its request', `${c.looseCount} answers without id`);
          // A second refills the bucket (LIMIT-3).
          await new Promise((r) => setTimeout(r, 1100));
          await stillOpen(c, ['LIMIT-3']);
        } finally {
          await c.close();
        }
      },
    },
  ];
}

/** AUTH-10, OP-6: the connection is closed by the Operator within a few seconds. */
async function closesSoon(c: Connection, rules: readonly string[]): Promise<void> {
  const code = await Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
  must(rules, code !== -1, 'the Operator closes the connection', 'still open after 5 s');
}

/** The client hello vectors of `handshake.json` that an Operator must refuse (AUTH-7). */
export function helloVectorChecks(files: readonly VectorFile[]): WireCheck[] {
  const hs = files.find((f) => f.file === 'handshake.json');
  if (!hs) return [];
  return hs.invalid
    .filter((v) => v['kind'] === 'clientHello')
    .map((v) => ({
      name: `handshake.json invalid: ${v.name} (the upgrade ${String(v['url']).slice(0, 40)}…)`,
      rules: v.rules,
      async run(ctx: WireContext) {
        try {
          const c = await ctx.target.connect(String(v['url']));
          await c.close();
          throw new RuleViolation(v.rules, 'the Operator refuses the client hello', `error ${v.error}`, 'a greeting');
        } catch (err) {
          if (!(err instanceof RefusedConnection)) throw err;
          agreeOn(v.rules, 'the Operator refuses the client hello with an unsealed error frame', v.error, err.frame ? codeOfFrame(err.frame) : `no frame (${err.message})`);
        }
      },
    }));
}

/**
 * The invalid request frames of `operator.json`, sent to the Operator as they are (sealed): each must be
 * answered with its code, on a connection that stays open (OP-3, OP-6) — or, for a frame larger than
 * `frameBytes`, the connection closed with 1009 (LIMIT-1; clients report TOO_LARGE). A frame for an op
 * that needs a login is sent logged in, so that the auth gate (OP-4) does not answer first.
 */
export function operatorVectorChecks(files: readonly VectorFile[]): WireCheck[] {
  const file = files.find((f) => f.file === 'operator.json');
  if (!file) return [];
  return file.invalid
    .filter((v) => v['kind'] === 'request')
    .map((v) => ({
      name: `operator.json invalid: ${v.name}`,
      rules: v.rules,
      async run(ctx: WireContext) {
        const bytes = fromHex(hexOf(v['hex']));
        let env: { id: number; op: string } | undefined;
        try {
          env = decodeRequestEnvelope(bytes, Number.MAX_SAFE_INTEGER);
        } catch {
          env = undefined;
        }
        const loggedIn = env !== undefined && isOp(env.op) && !PUBLIC_OPS.has(env.op);
        const c = loggedIn ? await ctx.session() : await ctx.target.connect();
        try {
          if (bytes.length > ctx.target.info.limits.frameBytes) {
            // LIMIT-1, ENC-4: refused unread — by closing with 1009, or (a frame the socket's bound let
            // through by the channel's few bytes of slack) with TOO_LARGE before it is parsed.
            const answer = c.rawExchange(bytes, env?.id).then(codeOfFrame, () => 'closed');
            const got = await Promise.race([answer, c.closed.then((code) => `closed ${code}`)]);
            must(v.rules, got === 'TOO_LARGE' || got === 'closed 1009', `a frame of ${bytes.length} bytes is refused with TOO_LARGE or closed with 1009`, got);
            return;
          }
          const frame = await c.rawExchange(bytes, env?.id);
          agreeOn(v.rules, `refused with ${v.error}`, v.error, codeOfFrame(frame));
          await stillOpen(c, v.rules);
        } finally {
          await c.close();
        }
      },
    }));
}

/** Ops whose valid request vectors are safe to send to any Operator: they read, or fail, but write nothing. */
const READING_OPS: ReadonlySet<string> = new Set(['info', 'lookup', 'auth', 'fetch', 'ack', 'worldKey', 'feed', 'delete', 'colRead']);
/** Codes that say a request did not decode (OP-2, ENC-*): a valid request vector never gets one. */
const DECODE_CODES: ReadonlySet<string> = new Set(['MALFORMED', 'TOO_LARGE', 'TRAILING_BYTES', 'INVALID_NAME', 'INVALID_KEY', 'UNKNOWN_OP', 'UNSUPPORTED_VERSION']);

/**
 * The valid request frames of `operator.json` for ops that write nothing, sent as they are: the Operator
 * must decode each (OP-1, OP-2, OP-7: whatever it then answers — a lookup NOT_FOUND, an auth over another
 * challenge AUTH_FAILED — is no decoding error) and answer under the request's id. Requests that would
 * write (register, send, post, appends) are not sent: they would leave the vectors' names and letters on
 * an Operator others use.
 */
export function operatorValidRequestChecks(files: readonly VectorFile[]): WireCheck[] {
  const file = files.find((f) => f.file === 'operator.json');
  if (!file) return [];
  return file.valid
    // A `before` cursor is an id this Operator minted (OP-5); one of another Operator's shape may be
    // refused as MALFORMED (06-storage, Ids), so requests that carry one are left out.
    .filter((v) => v['kind'] === 'request' && READING_OPS.has(String(v['op'])) && (v['frame'] as { before?: unknown }).before === undefined)
    .map((v) => ({
      name: `operator.json valid: ${v.name} (decoded, answered under its id)`,
      rules: v.rules,
      async run(ctx: WireContext) {
        const op = String(v['op']);
        const id = Number((v['frame'] as { id?: unknown }).id);
        const c = isOp(op) && !PUBLIC_OPS.has(op) ? await ctx.session() : await ctx.target.connect();
        try {
          const frame = await c.rawExchange(fromHex(hexOf(v['hex'])), id);
          const got = codeOfFrame(frame);
          must(v.rules, !DECODE_CODES.has(got), `a valid ${op} request is decoded`, got);
          agreeOn(['OP-3'], 'the answer names the request', id, frame.type === 'mail' ? undefined : frame.id);
        } finally {
          await c.close();
        }
      },
    }));
}

/**
 * Runs every check that applies, each followed by a fresh connection that must be served (OP-6).
 * @returns nothing; results go to `report`
 */
export async function runWireChecks(target: Target, checks: readonly WireCheck[], report: Report, progress?: (line: string) => void): Promise<void> {
  const ctx = new WireContext(target);
  for (const check of checks) {
    if (check.applies && !check.applies(target)) {
      report.notes.push(`not checked with these limits: ${check.name}`);
      continue;
    }
    progress?.(`wire: ${check.name}`);
    try {
      await check.run(ctx);
      report.pass(check.rules, `wire: ${check.name}`);
    } catch (err) {
      if (err instanceof RuleViolation) report.fail(err.rules, `wire: ${check.name}: ${err.message}`, err.expected, err.got);
      else report.fail(check.rules, `wire: ${check.name}`, 'the check completes', (err as Error).message ?? String(err));
    }
    const alive = await outcome(
      target.connect().then(async (c) => {
        try {
          return await c.request('info', {});
        } finally {
          await c.close();
        }
      }),
    ).catch((err: unknown) => ({ ok: false as const, code: (err as Error).message, message: '' }));
    if (alive.ok) report.pass(['OP-6'], `wire: after "${check.name}", a new connection is served`);
    else report.fail(['OP-6'], `wire: after "${check.name}", a new connection is served`, 'info answered', alive.code);
  }
}
