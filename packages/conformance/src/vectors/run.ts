/**
 * `comrad-conformance vectors`: every client-side vector of the spec, asked of a client library through
 * its adapter (ADAPTER.md), each answer compared with the vector: a valid vector's exact values, an
 * invalid one's exact error code.
 * @module
 */
import { createHash } from 'node:crypto';
import { PublicKey, encode, fromHex, toHex, utf8, verify } from '@comrad/core';
import { Report } from '../report.js';
import { Adapter, AdapterBroken, UNSUPPORTED_OP, type AdapterReply } from './adapter.js';
import { hexOf, loadVectorFiles, type Vector, type VectorFile } from './files.js';

/** Options of {@link runVectors}. */
export interface RunVectorsOptions {
  /** The adapter's command line, e.g. `python3 adapter.py`. */
  readonly adapter: string;
  /** Where the vector files are (default: the kit's own copy of `spec/vectors`). */
  readonly vectorDir: string;
  /** The adapter's working directory (default: the kit's). */
  readonly cwd?: string;
}

/** What the checks of one file need. */
interface Ctx {
  readonly adapter: Adapter;
  readonly report: Report;
  readonly file: string;
}

type Json = Record<string, unknown>;

/** Expected fields of an `ok` answer: each must equal the answer's field of the same name (deeply). */
type Expect = Record<string, unknown>;

/**
 * Runs every vector file of `vectorDir` that has client-side checks against the adapter.
 * @returns the report (one check per vector and op)
 */
export async function runVectors(o: RunVectorsOptions): Promise<Report> {
  const report = new Report();
  const files = loadVectorFiles(o.vectorDir);
  const adapter = await Adapter.start(o.adapter, o.cwd);
  try {
    const hello = await adapter.request('hello', {}).catch((err: unknown) => ({ error: String(err) }) as AdapterReply);
    if ('ok' in hello && typeof hello.ok['name'] === 'string') report.notes.push(`adapter: ${hello.ok['name']}`);
    for (const f of files) {
      const run = FILES[f.file];
      if (!run) {
        report.notes.push(`${f.file}: no client-side checks in this kit version (not asked)`);
        continue;
      }
      await run(f, { adapter, report, file: f.file });
    }
  } finally {
    await adapter.close();
  }
  if (adapter.stderrTail && report.checks.some((c) => c.status === 'fail' && String(c.got).startsWith('the adapter'))) {
    report.notes.push(`the adapter's stderr ended with: ${adapter.stderrTail.trim().split('\n').slice(-5).join(' | ')}`);
  }
  return report;
}

/** Asks the adapter, turning a broken adapter into an answer the check can report. */
async function ask(ctx: Ctx, op: string, params: Json): Promise<AdapterReply | { broken: string }> {
  try {
    return await ctx.adapter.request(op, params);
  } catch (err) {
    if (err instanceof AdapterBroken) return { broken: err.message };
    throw err;
  }
}

/** A check that `op` answers ok with the `expected` fields (and passes `more`, when given). */
async function expectOk(ctx: Ctx, v: Vector, what: string, op: string, params: Json, expected: Expect, more?: (ok: Json) => string | undefined): Promise<void> {
  const name = `${ctx.file} valid: ${v.name} (${op}${what ? `, ${what}` : ''})`;
  const r = await ask(ctx, op, params);
  if ('broken' in r) return ctx.report.fail(v.rules, name, 'ok', r.broken);
  if ('error' in r) {
    if (r.error === UNSUPPORTED_OP) return ctx.report.skip(v.rules, name, `the adapter does not offer ${op}`);
    return ctx.report.fail(v.rules, name, expected, `error ${r.error}${r.message ? ` (${r.message})` : ''}`);
  }
  for (const [field, want] of Object.entries(expected)) {
    if (!sameJson(r.ok[field], want)) return ctx.report.fail(v.rules, name, { [field]: want }, { [field]: r.ok[field] });
  }
  const problem = more?.(r.ok);
  if (problem) return ctx.report.fail(v.rules, name, 'a valid answer', problem);
  ctx.report.pass(v.rules, name);
}

/** A check that `op` refuses with the vector's error code. */
async function expectError(ctx: Ctx, v: Vector, op: string, params: Json): Promise<void> {
  const name = `${ctx.file} invalid: ${v.name} (${op})`;
  const r = await ask(ctx, op, params);
  if ('broken' in r) return ctx.report.fail(v.rules, name, `error ${v.error}`, r.broken);
  if ('error' in r) {
    if (r.error === UNSUPPORTED_OP) return ctx.report.skip(v.rules, name, `the adapter does not offer ${op}`);
    if (r.error === v.error) return ctx.report.pass(v.rules, name);
    return ctx.report.fail(v.rules, name, `error ${v.error}`, `error ${r.error}${r.message ? ` (${r.message})` : ''}`);
  }
  ctx.report.fail(v.rules, name, `error ${v.error}`, { ok: r.ok });
}

/** Deep equality of JSON values, key order aside. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Json)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Json)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Json)[k], (b as Json)[k]));
}

const str = (v: Vector, field: string): string => hexOf(v[field]);

interface FrameJson {
  readonly to: 'operator' | 'client';
  readonly n: number;
  readonly context: string;
  readonly plain: string;
  readonly sealed: string;
}

/** The checks per vector file: which op each section asks, with which fields. */
const FILES: Record<string, (f: VectorFile, ctx: Ctx) => Promise<void>> = {
  'letters.json': async (f, ctx) => {
    for (const v of f.valid) {
      await expectOk(ctx, v, '', 'letter.decode', { hex: v['hex'] }, { letter: v['letter'] });
      await expectOk(ctx, v, '', 'letter.encode', { letter: v['letter'] }, { hex: v['hex'] });
    }
    for (const v of f.invalid) await expectError(ctx, v, 'letter.decode', { hex: str(v, 'hex') });
  },
  'signed.json': async (f, ctx) => {
    for (const v of f.valid) {
      const letter = v['letter'] as Json;
      await expectOk(ctx, v, '', 'signed.open', { signed: v['signed'], authorKey: v['authorKey'] }, { letter, author: letter['from'] });
    }
    for (const v of f.invalid) await expectError(ctx, v, 'signed.open', { signed: str(v, 'signed'), authorKey: v['authorKey'] });
  },
  'padding.json': async (f, ctx) => {
    for (const v of f.valid) {
      await expectOk(ctx, v, '', 'padding.pad', { content: v['content'] }, { padded: v['padded'] });
      await expectOk(ctx, v, '', 'padding.unpad', { padded: v['padded'] }, { content: v['content'] });
    }
    for (const v of f.invalid) await expectError(ctx, v, 'padding.unpad', { padded: str(v, 'padded') });
  },
  'sealed.json': async (f, ctx) => {
    for (const v of f.valid) {
      const params = { sealed: v['sealed'], recipient: v['recipient'], operatorKey: v['operatorKey'] };
      await expectOk(ctx, v, '', 'sealed.open', params, { letter: v['letter'], author: v['author'], authorKey: v['authorKey'], statement: v['statement'], signed: v['signed'] });
    }
    for (const v of f.invalid) await expectError(ctx, v, 'sealed.open', { sealed: str(v, 'sealed'), recipient: v['recipient'], operatorKey: v['operatorKey'] });
  },
  'posts.json': async (f, ctx) => {
    for (const v of f.valid) {
      await expectOk(ctx, v, '', 'post.epoch', { post: v['post'] }, { epoch: v['epoch'] });
      const params = { post: v['post'], epochKeys: v['epochKeys'], registry: v['registry'], author: v['author'] };
      await expectOk(ctx, v, '', 'post.open', params, { letter: v['letter'], epoch: v['epoch'] });
    }
    for (const v of f.invalid) {
      await expectError(ctx, v, 'post.open', { post: str(v, 'post'), epochKeys: v['epochKeys'], registry: v['registry'], author: v['author'] });
    }
  },
  'keys.json': async (f, ctx) => {
    for (const v of f.valid) {
      if (v['canonical'] !== undefined || v['fingerprint'] !== undefined) {
        const expected: Expect = {};
        if (v['canonical'] !== undefined) expected['canonical'] = v['canonical'];
        if (v['fingerprint'] !== undefined) expected['fingerprint'] = v['fingerprint'];
        await expectOk(ctx, v, '', 'key.public', { key: v['publicKey'] }, expected);
      }
      if (v['privateKey'] !== undefined) {
        // KEY-2: what the adapter signs with the private key must verify under the vector's public key.
        const message = toHex(utf8('comrad conformance'));
        await expectOk(ctx, v, 'verified under publicKey', 'key.sign', { privateKey: v['privateKey'], message }, {}, (ok) => {
          try {
            const opened = verify(PublicKey.from(fromHex(String(v['publicKey']))), fromHex(String(ok['signed'])));
            return toHex(opened) === message ? undefined : 'a signature over another message';
          } catch (err) {
            return `a signature that does not verify under publicKey (${(err as Error).message})`;
          }
        });
      }
    }
    for (const v of f.invalid) await expectError(ctx, v, `key.${String(v['kind'])}`, { key: v['key'] });
  },
  'keystore.json': async (f, ctx) => {
    for (const v of f.valid) {
      const km = v['keymaker'] as Json;
      await expectOk(ctx, v, '', 'keystore.open', { keystore: v['keystore'], passphrase: v['passphrase'] }, { name: km['name'], publicKey: km['publicKey'] });
    }
    for (const v of f.invalid) await expectError(ctx, v, 'keystore.open', { keystore: str(v, 'keystore'), passphrase: v['passphrase'] });
  },
  'home-key.json': async (f, ctx) => {
    for (const v of f.valid) await expectOk(ctx, v, '', 'homeKey.open', { homeKey: v['homeKey'], passphrase: v['passphrase'] }, { key: v['key'] });
    for (const v of f.invalid) await expectError(ctx, v, 'homeKey.open', { homeKey: str(v, 'homeKey'), passphrase: v['passphrase'] });
  },
  'handshake.json': async (f, ctx) => {
    for (const v of f.valid) {
      const clientKey = v['clientKey'] as Json;
      const frames = v['frames'] as FrameJson[];
      const toClient = frames.filter((x) => x.to === 'client');
      const toOperator = frames.filter((x) => x.to === 'operator');
      await expectOk(ctx, v, '', 'hello.read', { url: v['clientHello'] }, { key: clientKey['publicKey'] });
      await expectOk(
        ctx,
        v,
        'then open the frames sealed to the client',
        'greeting.accept',
        { greeting: v['greeting'], operatorKey: v['operatorKey'], clientKey, frames: toClient.map((x) => x.sealed) },
        { challenge: v['challenge'], worldKey: v['worldKey'], plain: toClient.map((x) => x.plain) },
      );
      await expectOk(ctx, v, 'frames sealed to the Operator', 'channel.open', { sessionKey: v['sessionKey'], to: 'operator', frames: toOperator.map((x) => x.sealed) }, { plain: toOperator.map((x) => x.plain) });
      for (const x of frames) await expectOk(ctx, v, `${x.to} #${x.n}`, 'channel.context', { to: x.to, n: x.n }, { context: x.context });
    }
    for (const v of f.invalid) {
      if (v['kind'] === 'clientHello') await expectError(ctx, v, 'hello.read', { url: v['url'] });
      else if (v['kind'] === 'greeting') await expectError(ctx, v, 'greeting.accept', { greeting: v['greeting'], operatorKey: v['operatorKey'], clientKey: v['clientKey'], frames: [] });
      else await expectError(ctx, v, 'channel.open', { sessionKey: v['sessionKey'], to: v['to'], frames: v['frames'] });
    }
  },
};

/** A names.json letter with its image data expanded to hex, as letters.json writes letters. */
function letterJson(l: Json): Json {
  const body = l['body'] as Json;
  const image = body['image'] as Json | undefined;
  return image ? { ...l, body: { ...body, image: { ...image, data: hexOf(image['data']) } } } : l;
}

/** The canonical encoding of a letter (ENC-2: fields in the order LET-1 lists them, shortest forms). */
function canonicalLetter(l: Json): Uint8Array {
  const body = l['body'] as Json;
  const image = body['image'] as Json | undefined;
  return encode({
    v: l['v'],
    kind: l['kind'],
    from: l['from'],
    to: l['to'],
    at: l['at'],
    id: fromHex(String(l['id'])),
    body: image ? { text: body['text'], image: { mime: image['mime'], data: fromHex(String(image['data'])) } } : { text: body['text'] },
  });
}

const sha256Hex = (hex: string) => createHash('sha256').update(fromHex(hex)).digest('hex');

FILES['names.json'] = async (f, ctx) => {
  for (const v of f.valid) {
    if (v['kind'] === 'name') {
      await expectOk(ctx, v, '', 'name.normalise', { input: v['input'] }, { normalised: v['normalised'] });
      if (v['registrable']) await expectOk(ctx, v, 'registrable', 'name.registrable', { input: v['input'] }, {});
      else await expectError(ctx, { ...v, error: 'INVALID_NAME' }, 'name.registrable', { input: v['input'] });
    } else if (v['kind'] === 'privateKey') {
      const message = toHex(utf8('comrad conformance'));
      await expectOk(ctx, v, 'verified under publicKey', 'key.sign', { privateKey: v['key'], message }, {}, (ok) => {
        try {
          return toHex(verify(PublicKey.from(fromHex(String(v['publicKey']))), fromHex(String(ok['signed'])))) === message ? undefined : 'a signature over another message';
        } catch (err) {
          return `a signature that does not verify under publicKey (${(err as Error).message})`;
        }
      });
    } else if (v['kind'] === 'letter') {
      const letter = letterJson(v['letter'] as Json);
      await expectOk(ctx, v, `${String(v['encodedBytes'])} bytes`, 'letter.encode', { letter }, {}, (ok) => {
        const hex = String(ok['hex']);
        if (hex.length / 2 !== v['encodedBytes']) return `${hex.length / 2} bytes`;
        return sha256Hex(hex) === v['sha256'] ? undefined : 'other bytes of that length (SHA-256 differs)';
      });
      await expectOk(ctx, v, 'decoded back', 'letter.decode', { hex: toHex(canonicalLetter(letter)) }, { letter });
    } else await unknownKind(ctx, v);
  }
  for (const v of f.invalid) {
    if (v['kind'] === 'name') await expectError(ctx, v, 'name.normalise', { input: v['input'] });
    else if (v['kind'] === 'registerName') {
      // NAME-3: a reserved name normalises, and then `register` refuses it.
      await expectOk(ctx, v, 'normalised', 'name.normalise', { input: v['input'] }, { normalised: v['normalised'] });
      await expectError(ctx, v, 'name.registrable', { input: v['input'] });
    } else if (v['kind'] === 'publicKey') await expectError(ctx, v, 'key.public', { key: v['key'] });
    // "Reading it, or at the latest signing with it": key.sign covers both.
    else if (v['kind'] === 'privateKey') await expectError(ctx, v, 'key.sign', { privateKey: v['key'], message: '00' });
    else if (v['kind'] === 'letter') await expectError(ctx, v, 'letter.decode', { hex: toHex(canonicalLetter(letterJson(v['letter'] as Json))) });
    else if (v['kind'] === 'signedLetter') await expectError(ctx, v, 'signed.open', { signed: str(v, 'signed'), authorKey: v['authorKey'] });
    else await unknownKind(ctx, v);
  }
};

FILES['operator.json'] = async (f, ctx) => {
  for (const v of f.valid) {
    switch (v['kind']) {
      case 'request':
        await expectOk(ctx, v, '', 'request.encode', { frame: v['frame'] }, { hex: v['hex'] });
        await expectOk(ctx, v, '', 'request.decode', { hex: v['hex'] }, { frame: v['frame'] });
        break;
      case 'response': {
        // `wireOp`: the adapter protocol's own `op` names the adapter op (CONF-5).
        const op = v['op'] === undefined ? {} : { wireOp: v['op'] };
        await expectOk(ctx, v, '', 'response.encode', { ...op, frame: v['frame'] }, { hex: v['hex'] });
        await expectOk(ctx, v, '', 'response.decode', { ...op, hex: v['hex'] }, { frame: v['frame'] });
        break;
      }
      case 'info':
        // The reference Operator's defaults: another Operator may announce others (its `info` answer
        // is checked by the response vectors and by the operator mode).
        break;
      case 'signed':
        await expectOk(ctx, v, String(v['what']), 'signed.verify', { what: v['what'], message: v['message'], signed: v['signed'], signerKey: v['signerKey'] }, { messageHex: v['messageHex'] });
        break;
      case 'greeting': {
        const operator = v['operator'] as Json;
        await expectOk(ctx, v, '', 'greeting.accept', { greeting: v['hex'], operatorKey: operator['publicKey'], clientKey: v['client'], frames: [] }, { challenge: v['challenge'], worldKey: v['worldKey'] });
        break;
      }
      case 'pow':
        await expectOk(ctx, v, String(v['what']), 'pow.check', { what: v['what'], bits: v['bits'], fields: v['fields'] }, { inputHex: v['inputHex'], digest: v['digest'], zeroBits: v['zeroBits'] });
        break;
      case 'worldKey': {
        const world = v['world'] as Json;
        await expectOk(ctx, v, '', 'worldKey.open', { sealed: v['sealed'], reader: v['reader'], worldKey: world['publicKey'], at: v['at'] }, { epochKey: v['epochKey'], epoch: v['epoch'] });
        break;
      }
      case 'channel': {
        await expectOk(ctx, v, '', 'channel.context', { to: v['to'], n: v['n'] }, { context: v['context'] });
        await expectOk(ctx, v, '', 'channel.openAt', { sessionKey: v['sessionKey'], to: v['to'], n: v['n'], sealed: v['sealed'] }, { plain: v['plain'] });
        // AUTH-10: the same frame in another place does not open.
        const moved = { ...v, name: `${v.name}, opened as frame n + 1`, error: 'DECRYPT_FAILED' };
        await expectError(ctx, moved, 'channel.openAt', { sessionKey: v['sessionKey'], to: v['to'], n: Number(v['n']) + 1, sealed: v['sealed'] });
        break;
      }
      default:
        await unknownKind(ctx, v);
    }
  }
  for (const v of f.invalid) {
    switch (v['kind']) {
      case 'request':
        await expectError(ctx, v, 'request.decode', { hex: str(v, 'hex') });
        break;
      case 'response':
        await expectError(ctx, v, 'response.decode', { ...(v['op'] === undefined ? {} : { wireOp: v['op'] }), hex: str(v, 'hex') });
        break;
      case 'signed':
        await expectError(ctx, v, 'signed.verify', { what: v['what'], message: v['message'], signed: v['signed'], signerKey: v['signerKey'] });
        break;
      case 'pow':
        await expectError(ctx, v, 'pow.check', { what: v['what'], bits: v['bits'], fields: v['fields'] });
        break;
      default:
        await unknownKind(ctx, v);
    }
  }
};

interface ConversationEvent {
  readonly seq: number;
  readonly conn: number;
  readonly from: 'client' | 'operator';
  readonly type: 'hello' | 'greeting' | 'frame';
  readonly url?: string;
  readonly wire?: string;
  readonly n?: number;
  readonly plain?: string;
  readonly frame?: Json;
}

/**
 * The recorded conversation, from a client's side: each connection's hello is read back, its greeting
 * accepted with the recorded ephemeral key (opening every frame the Operator sent on it), the client's
 * frames opened under the recorded session key, and every frame's plaintext decoded — requests as
 * requests, answers as results of the op their request named — to exactly the recorded frame.
 */
FILES['conversation.json'] = async (f, ctx) => {
  for (const v of f.valid) {
    if (v['kind'] !== 'conversation') {
      await unknownKind(ctx, v);
      continue;
    }
    const keys = v['keys'] as Record<string, Json>;
    const events = v['events'] as ConversationEvent[];
    const connections = v['connections'] as { conn: number; clientEphemeral: Json; sessionKey: string; purpose: string }[];
    for (const c of connections) {
      const on = events.filter((e) => e.conn === c.conn).sort((a, b) => a.seq - b.seq);
      const hello = on.find((e) => e.type === 'hello');
      const greeting = on.find((e) => e.type === 'greeting');
      const fromOperator = on.filter((e) => e.type === 'frame' && e.from === 'operator');
      const fromClient = on.filter((e) => e.type === 'frame' && e.from === 'client');
      const at = { ...v, name: `${v.name}: connection ${c.conn} (${c.purpose})` };
      if (hello) await expectOk(ctx, at, 'its hello', 'hello.read', { url: hello.url }, { key: c.clientEphemeral['publicKey'] });
      if (greeting) {
        const params = { greeting: greeting.wire, operatorKey: keys['operator']!['publicKey'], clientKey: c.clientEphemeral, frames: fromOperator.map((e) => e.wire) };
        await expectOk(ctx, at, "its greeting and the Operator's frames", 'greeting.accept', params, { plain: fromOperator.map((e) => e.plain) });
      }
      if (fromClient.length > 0) await expectOk(ctx, at, "the client's frames", 'channel.open', { sessionKey: c.sessionKey, to: 'operator', frames: fromClient.map((e) => e.wire) }, { plain: fromClient.map((e) => e.plain) });
      const opOf = new Map(fromClient.map((e) => [e.frame?.['id'], e.frame?.['op']]));
      for (const e of fromClient) await expectOk(ctx, at, `request ${String(e.frame?.['op'])} (seq ${e.seq})`, 'request.decode', { hex: e.plain }, { frame: e.frame });
      for (const e of fromOperator) {
        const op = opOf.get(e.frame?.['id']);
        await expectOk(ctx, at, `answer to ${String(op ?? 'no request: a push')} (seq ${e.seq})`, 'response.decode', { ...(op === undefined ? {} : { wireOp: op }), hex: e.plain }, { frame: e.frame });
      }
    }
  }
};

/**
 * Collective logs (11-collectives): every valid event decodes to its fields, message and id, and the log up
 * to it folds to its state; an invalid one fails with its code — when decoded (`after` null) or when
 * applied at its point of the story (`after` = k: the log of valid events 0..k, then it).
 */
FILES['collectives.json'] = async (f, ctx) => {
  const collective = f['collective'];
  const cast = f['cast'] as Record<string, Json>;
  const registry = Object.fromEntries(Object.entries(cast).map(([name, k]) => [name, k['publicKey']]));
  const story = f.valid.map((v) => String(v['signed']));
  for (const [k, v] of f.valid.entries()) {
    await expectOk(ctx, v, '', 'collective.decode', { signed: v['signed'] }, { event: v['event'], message: v['message'], id: v['id'] });
    await expectOk(ctx, v, `the log up to event ${k}`, 'collective.fold', { collective, registry, log: story.slice(0, k + 1) }, { state: v['state'] });
  }
  for (const v of f.invalid) {
    const after = v['after'] as number | null;
    if (after === null) await expectError(ctx, v, 'collective.decode', { signed: v['signed'] });
    await expectError(ctx, v, 'collective.fold', { collective, registry, log: [...(after === null ? [] : story.slice(0, after + 1)), v['signed']] });
  }
  // COL-30, COL-32, COL-33: messages, opened by the reader with the copies the whole log hands him.
  const messages = f['messages'] as { reader: string; readerKey: string; valid: Vector[]; invalid: Vector[] } | undefined;
  if (messages === undefined) return;
  const reader = { name: messages.reader, privateKey: messages.readerKey };
  for (const v of messages.valid) await expectOk(ctx, v, '', 'collective.openMessage', { collective, registry, log: story, reader, message: v['message'] }, { post: v['post'], signed: v['signed'], epoch: v['epoch'] });
  for (const v of messages.invalid) await expectError(ctx, v, 'collective.openMessage', { collective, registry, log: story, reader, message: v['message'] });
};

/** A vector of a kind this kit version does not know: said, not passed. */
async function unknownKind(ctx: Ctx, v: Vector): Promise<void> {
  ctx.report.skip(v.rules, `${ctx.file}: ${v.name}`, `this kit version has no check for vectors of kind ${String(v['kind'])}`);
}

/** The vector files this kit version has client-side checks for. */
export const CLIENT_VECTOR_FILES: readonly string[] = Object.keys(FILES);
