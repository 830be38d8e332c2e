#!/usr/bin/env node
// The reference adapter (ADAPTER.md): the conformance kit's stdin/stdout protocol answered by
// @comrad/core, the reference client library. One JSON request per line in, one JSON reply per line out;
// a refusal is the library's error code. Also a worked example for an adapter in another language.
//
//   comrad-conformance vectors --adapter "node adapters/reference.mjs"
//
// Imported instead of run, it gives its op table and loop, so a variant can change one op (the kit's own
// test runs a deliberately wrong one that way).
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ComradError, KeyPair, PrivateKey, PublicKey, SymmetricKey, bytesEqual, cellOpen, decode, decryptFrom, encode, fromHex, ready, sign, toHex, verify } from '@comrad/core';
import { checkRegistrableName, decodeLetter, encodeLetter, normaliseName, openPost, openSealedLetter, openSigned, pad, postEpoch, unpad } from '@comrad/core/envelope';
import { acceptedEvents, applyEvent, decodeEvent, emptyCollective, epochKeys, foldLog, openMessage, stateToJson } from '@comrad/core/collective';
import { Keymaker, decodeHomeKey, decodeKeystore } from '@comrad/core/keymaker';
import {
  Channel,
  acceptGreeting,
  channelContext,
  checkAuthProof,
  checkRegisterProof,
  decodeGreeting,
  decodeRequest,
  decodeResult,
  decodeServerFrame,
  encodeErr,
  encodeMailPush,
  encodeOk,
  encodeRequest,
  epochOf,
  leadingZeroBits,
  readClientHello,
  verifyLookup,
} from '@comrad/core/wire';

await ready();

/**
 * A letter as the vectors write it: the letter's fields, with `id`, `body.image.data` and a circle key's
 * `body.key` as hex (ADAPTER.md).
 */
function letterToJson(l) {
  return { v: l.v, kind: l.kind, from: l.from, to: l.to, at: l.at, id: toHex(l.id), body: bodyToJson(l.kind, l.body) };
}

function bodyToJson(kind, b) {
  if (kind === 'circle-key') return { gen: b.gen, key: toHex(b.key) };
  const body = { text: b.text };
  if (b.image) body.image = { mime: b.image.mime, data: toHex(b.image.data) };
  return body;
}

function letterFromJson(j) {
  return { v: j.v, kind: j.kind, from: j.from, to: j.to, at: j.at, id: fromHex(j.id), body: bodyFromJson(j.kind, j.body) };
}

function bodyFromJson(kind, b) {
  if (kind === 'circle-key') return { gen: b.gen, key: fromHex(b.key) };
  return b.image ? { text: b.text, image: { mime: b.image.mime, data: fromHex(b.image.data) } } : { text: b.text };
}

const keyPair = (k) => new KeyPair(PrivateKey.from(fromHex(k.privateKey)), PublicKey.from(fromHex(k.publicKey)));

/** Looks a name or an epoch up in a vector's table; a missing entry is NOT_FOUND, as an Operator says. */
function table(t, make) {
  return (k) => {
    const hex = t[String(k)];
    if (hex === undefined) throw new ComradError('NOT_FOUND', `no entry for ${k}`);
    return make(fromHex(hex));
  };
}

/** A msgpack value from tagged JSON (operator.json): byte strings are `{"bin": hex}`, map keys in wire order. */
function fromTagged(v) {
  if (Array.isArray(v)) return v.map(fromTagged);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'bin' && typeof v.bin === 'string') return fromHex(v.bin);
    return Object.fromEntries(keys.map((k) => [k, fromTagged(v[k])]));
  }
  return v;
}

/** Tagged JSON of a decoded msgpack value. */
function toTagged(v) {
  if (v instanceof Uint8Array) return { bin: toHex(v) };
  if (Array.isArray(v)) return v.map(toTagged);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, w]) => [k, toTagged(w)]));
  return v;
}

/** What the library's strict decoder understood of a request, written again by its encoder, as tagged JSON. */
function requestAsTagged(req) {
  return toTagged(decode(encodeRequest(req.id, req.op, req.params)));
}

/** An Operator frame through the library's strict decoder (and `op`'s result decoder), written again by its encoder. */
function reencodeServerFrame(bytes, op) {
  const f = decodeServerFrame(bytes);
  if (f.type === 'mail') return encodeMailPush();
  if (f.type === 'err') return encodeErr(f.id, f.code, f.message);
  return encodeOk(f.id, op, decodeResult(op, f.value));
}

/** Checks one of the Operator protocol's signed maps as its verifier would (operator.json, kind `signed`). */
function checkSigned(what, message, signed, signerKey) {
  const m = fromTagged(message);
  switch (what) {
    case 'auth':
      // AUTH-5: every failed auth is one answer.
      if (!checkAuthProof(signed, signerKey, { challenge: m.challenge, operatorKey: PublicKey.from(m.operator), name: m.name, at: m.at })) {
        throw new ComradError('AUTH_FAILED', 'authentication failed');
      }
      break;
    case 'register':
      checkRegisterProof(signed, m.name, PublicKey.from(m.key), PublicKey.from(m.operator));
      break;
    case 'statement':
      verifyLookup(signed, signerKey, m.name);
      break;
    default:
      // The greeting (AUTH-7), a collective append (COL-23: it signs the entry's hash, which is all the
      // vector has) and any later signed map: the signature must verify and cover exactly this map.
      if (!bytesEqual(verify(signerKey, signed), encode(m))) throw new ComradError('BAD_SIGNATURE', `the signature covers another ${what} map`);
  }
  return toHex(verify(signerKey, signed));
}

/** Opens `frames` in order on `channel`; the first that does not open refuses the whole request. */
const openAll = (channel, frames) => frames.map((f) => toHex(channel.open(fromHex(f))));

/** Every op of ADAPTER.md, answered by @comrad/core. */
export const OPS = {
  hello: () => ({ name: '@comrad/core (reference adapter)' }),
  'letter.decode': (r) => ({ letter: letterToJson(decodeLetter(fromHex(r.hex))) }),
  'letter.encode': (r) => ({ hex: toHex(encodeLetter(letterFromJson(r.letter))) }),
  'signed.open': (r) => {
    const opened = openSigned(fromHex(r.signed), PublicKey.from(fromHex(r.authorKey)));
    return { letter: letterToJson(opened.letter), author: opened.author };
  },
  'padding.pad': (r) => ({ padded: toHex(pad(fromHex(r.content))) }),
  'padding.unpad': (r) => ({ content: toHex(unpad(fromHex(r.padded))) }),
  'sealed.open': async (r) => {
    const recipient = new Keymaker(r.recipient.name, keyPair(r.recipient));
    const o = await openSealedLetter(fromHex(r.sealed), recipient, PublicKey.from(fromHex(r.operatorKey)));
    return { letter: letterToJson(o.letter), author: o.letter.from, authorKey: o.authorKey.toHex(), statement: toHex(o.statement), signed: toHex(o.signed) };
  },
  'post.epoch': (r) => ({ epoch: postEpoch(fromHex(r.post)) }),
  'post.open': async (r) => {
    const keyOf = table(r.registry, PublicKey.from);
    const o = await openPost(fromHex(r.post), table(r.epochKeys, SymmetricKey.from), { name: r.author, key: keyOf(r.author) });
    return { letter: letterToJson(o.letter), epoch: o.epoch };
  },
  'key.public': (r) => {
    const k = PublicKey.from(fromHex(r.key));
    return { canonical: k.toHex(), fingerprint: k.fingerprint() };
  },
  'key.private': (r) => (PrivateKey.from(fromHex(r.key)), {}),
  'key.symmetric': (r) => (SymmetricKey.from(fromHex(r.key)), {}),
  'key.sign': (r) => ({ signed: toHex(sign(PrivateKey.from(fromHex(r.privateKey)), fromHex(r.message))) }),
  'keystore.open': async (r) => {
    const km = await decodeKeystore(fromHex(r.keystore), r.passphrase);
    return { name: km.name, publicKey: km.publicKey.toHex() };
  },
  'homeKey.open': async (r) => ({ key: toHex((await decodeHomeKey(fromHex(r.homeKey), r.passphrase)).bytes()) }),
  'hello.read': (r) => ({ key: readClientHello(r.url).toHex() }),
  'greeting.accept': (r) => {
    const { hello, channel } = acceptGreeting(decodeGreeting(fromHex(r.greeting)), PublicKey.from(fromHex(r.operatorKey)), keyPair(r.clientKey));
    return { challenge: toHex(hello.challenge), worldKey: hello.worldKey.toHex(), plain: openAll(channel, r.frames ?? []) };
  },
  'channel.open': (r) => ({ plain: openAll(new Channel(SymmetricKey.from(fromHex(r.sessionKey)), r.to), r.frames) }),
  'channel.context': (r) => ({ context: toHex(channelContext(r.to === 'operator' ? 1 : 2, r.n)) }),
  'channel.openAt': (r) => {
    // AUTH-9: frame n of a direction is a Secure Cell under the session key with that frame's context.
    const context = channelContext(r.to === 'operator' ? 1 : 2, r.n);
    return { plain: toHex(cellOpen(SymmetricKey.from(fromHex(r.sessionKey)), fromHex(r.sealed), context)) };
  },
  'name.normalise': (r) => ({ normalised: normaliseName(r.input) }),
  'name.registrable': (r) => (checkRegistrableName(normaliseName(r.input)), {}),
  'request.encode': (r) => {
    const req = decodeRequest(encode(fromTagged(r.frame)));
    return { hex: toHex(encodeRequest(req.id, req.op, req.params)) };
  },
  'request.decode': (r) => ({ frame: requestAsTagged(decodeRequest(fromHex(r.hex))) }),
  'response.encode': (r) => ({ hex: toHex(reencodeServerFrame(encode(fromTagged(r.frame)), r.wireOp)) }),
  'response.decode': (r) => ({ frame: toTagged(decode(reencodeServerFrame(fromHex(r.hex), r.wireOp))) }),
  'signed.verify': (r) => ({ messageHex: checkSigned(r.what, r.message, fromHex(r.signed), PublicKey.from(fromHex(r.signerKey))) }),
  'pow.check': (r) => {
    const input = encode(fromTagged(r.fields));
    const digest = createHash('sha256').update(input).digest();
    const zeroBits = leadingZeroBits(digest);
    if (zeroBits < r.bits) throw new ComradError('POW_REQUIRED', `${zeroBits} leading zero bits, ${r.bits} asked`);
    return { inputHex: toHex(input), digest: toHex(digest), zeroBits };
  },
  'collective.decode': (r) => {
    const d = decodeEvent(fromHex(r.signed));
    return { event: toTagged(d.event), message: toHex(d.message), id: toHex(d.id) };
  },
  'collective.fold': (r) => {
    const keyOf = (name) => (r.registry[name] === undefined ? undefined : PublicKey.from(fromHex(r.registry[name])));
    let state = emptyCollective(r.collective);
    for (const signed of r.log) {
      const step = applyEvent(state, fromHex(signed), keyOf);
      if (!step.ok) throw step.error;
      state = step.state;
    }
    return { state: stateToJson(state) };
  },
  'collective.openMessage': (r) => {
    const keyOf = (name) => (r.registry[name] === undefined ? undefined : PublicKey.from(fromHex(r.registry[name])));
    const log = r.log.map(fromHex);
    const { rejected } = foldLog(r.collective, log, keyOf);
    const epochs = epochKeys(acceptedEvents(log, rejected), { name: r.reader.name, privateKey: PrivateKey.from(fromHex(r.reader.privateKey)) }, keyOf);
    const { post, signed } = openMessage(fromHex(r.message), r.collective, epochs, keyOf);
    return { post: toTagged(post), signed: toHex(signed), epoch: post.epoch };
  },
  'worldKey.open': (r) => ({ epochKey: toHex(decryptFrom(PrivateKey.from(fromHex(r.reader.privateKey)), PublicKey.from(fromHex(r.worldKey)), fromHex(r.sealed))), epoch: epochOf(r.at) }),
};

/** Answers requests from stdin with `ops` until stdin ends (ADAPTER.md). */
export async function serve(ops) {
  const out = (reply) => process.stdout.write(`${JSON.stringify(reply)}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    const req = JSON.parse(line);
    const op = Object.hasOwn(ops, req.op) ? ops[req.op] : undefined;
    if (!op) {
      out({ id: req.id, error: 'UNSUPPORTED_OP' });
      continue;
    }
    try {
      out({ id: req.id, ok: await op(req) });
    } catch (err) {
      // The library's own refusal codes are the answer; anything else is a bug in the library or here.
      if (err instanceof ComradError) out({ id: req.id, error: err.code, message: err.message });
      else out({ id: req.id, error: 'INTERNAL', message: String(err?.stack ?? err) });
    }
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) await serve(OPS);
