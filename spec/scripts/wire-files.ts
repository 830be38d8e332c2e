/**
 * The headers of the Operator protocol's vector files: what each file checks and how each kind of case
 * is to be checked (the `description` is the contract with other implementations and the conformance kit).
 * @module
 */
import { toHex } from '@comrad/core';
export const WIRE_GENERATOR = 'MAKE_VECTORS=1 npx vitest run spec/scripts/make-wire-vectors.test.ts';

const TAGGED =
  'Byte strings are lowercase hex. A msgpack value written as JSON ("tagged JSON": `frame`, `message`, `fields`) keeps map keys in wire order and writes a byte string as {"bin": "<hex>"}; every other value is itself (integers are msgpack integers in their shortest form, ENC-9). Bytes given as {"hex", "zeroFillTo"} are `hex` followed by zero bytes up to `zeroFillTo` bytes. Every case has `kind`, `name` and `rules` (the rule ids it checks); an invalid case has `error`, the exact code (ERR-*) the check must fail with.';

const OPERATOR_DESCRIPTION = [
  'The Operator protocol: frames, field types, the bytes every signature covers, proof of work, world-key sealing, the announced limits and the sealed channel.',
  TAGGED,
  'Kinds, and how to check them.',
  '`request` (valid): `hex` is the request frame `frame`: encoding `frame` gives `hex` (a client writes `id`, `op`, then the parameters in this order, OP-7); an Operator decodes `hex` as a request of `op` with those fields. (invalid): decoding `hex` as a request fails with `error` (an Operator answers it with an error frame of that code, OP-3).',
  '`response` (valid): `hex` is the Operator frame `frame` (an answer to `op`, an error answer, or the mail push): encoding `frame` gives `hex`; a client decodes it, and its result as a result of `op`. (invalid): a client decoding `hex`, and its result as a result of `op`, fails with `error`.',
  '`info`: the limits the reference Operator announces by default in `info.limits` (LIMIT-*), in wire order `limitKeys`; another Operator may announce others.',
  '`signed` (valid): `messageHex` is the encoding of `message`, the map that `signed` (a Themis signed message, CRY-2) signs with `signerKey`: verifying `signed` with `signerKey` gives `messageHex`, and the check of `what` accepts it: `auth` (AUTH-2, the Operator), `register` (REG-3, the Operator), `statement` (REG-4, a client verifying a lookup of `message.name`), `greeting` (AUTH-7, a client whose ephemeral key is `message.client`). Signatures here are deterministic (RFC 6979, ECDSA P-256/SHA-256, low S, DER): a signer using RFC 6979 makes the same bytes; any valid signature is accepted. (invalid): the check of `what` for the claim in `message` refuses `signed` with `error` (the Operator answers a failed auth with AUTH_FAILED, AUTH-5).',
  '`greeting`: made again byte for byte from its inputs and its randomness (AUTH-7, AUTH-8): `frame`/`hex` is the greeting the Operator key pair `operator` sends to a client whose ephemeral key is `client.publicKey`, with `worldKey`, the challenge `challenge`, the session key `sessionKey`, the Operator\'s ephemeral key pair `ephemeral`, and `wrapIv` the IV of the Secure Message that wraps the session key (`key` = encrypt(ephemeral.privateKey, client.publicKey, sessionKey)); `sig` signs the hello map (the `signed` case "the greeting"). A client with `client` accepts it, with `challenge`, `worldKey` and `sessionKey`.',
  '`pow` (REG-6, MB-9, POW-1): `inputHex` is the encoding of `fields` (the map hashed, its last field `nonce` a byte string: the reference solver counts with an 8-byte big-endian counter, any 1..32 bytes are allowed), `digest` its SHA-256, `zeroBits` the number of leading zero bits of `digest` counted from the most significant bit of its first byte. Valid: `zeroBits` ≥ `bits`, so the nonce pays for difficulty `bits`. Invalid (a near miss): `zeroBits` = `bits` - 1, refused with `error`.',
  '`worldKey` (FEED-1, FEED-2): `sealed` = encrypt(world.privateKey, reader.publicKey, epochKey) with the Secure Message IV `iv`; the reader opens it with decrypt(reader.privateKey, world.publicKey) to `epochKey`; `epoch` = floor(`at` / 86 400 000).',
  '`channel` (AUTH-9): frame number `n` to `to` (`operator`: direction byte 1, `client`: 2) has context `context` = "comrad/channel/v1" || direction || u64be(n); `sealed` is the Secure Cell (CRY-3) of `plain` under `sessionKey` with that context and IV `iv`; opening `sealed` with `sessionKey` and `context` gives `plain`, and with any other context fails (DECRYPT_FAILED).',
].join(' ');

const NAMES_DESCRIPTION = [
  'Names, keys and size boundaries.',
  TAGGED,
  'Kinds, and how to check them.',
  '`name` (valid): normalising `input` (NAME-2) gives `normalised`, a valid name (NAME-1); `registrable` says whether `register` accepts it (NAME-3: reserved names fail with INVALID_NAME). (invalid): normalising `input` fails with `error`. `registerName` (invalid): `input` normalises to `normalised`, but registering it (NAME-3, REG-1) fails with `error`.',
  '`publicKey` / `privateKey` (invalid): reading `key` as a key of that kind, or at the latest using it (verifying or signing), fails with `error`. (valid `privateKey`): `key` is a private key whose public key is `publicKey`.',
  '`letter`: the letter `letter` (fields as in letters.json, `body.image.data` as bytes) encoded canonically (ENC-2, LET-1). Valid: it encodes to `encodedBytes` bytes with SHA-256 `sha256`, and decodes back. Invalid: decoding its canonical encoding fails with `error`.',
  '`signedLetter` (invalid): opening `signed` as a signed letter by `authorKey` fails with `error` (the size is checked first, LIM-5).',
].join(' ');

/** operator.json. */
export const OPERATOR_VECTORS = (v: { valid: unknown[]; invalid: unknown[] }) => ({
  spec: 'OP-*, AUTH-*, REG-*, MB-*, FEED-*, POW-*, LIMIT-*',
  description: OPERATOR_DESCRIPTION,
  generator: WIRE_GENERATOR,
  valid: v.valid,
  invalid: v.invalid,
});

/** names.json. */
export const NAMES_VECTORS = (v: { valid: unknown[]; invalid: unknown[] }) => ({
  spec: 'NAME-*, KEY-1, KEY-2, LIM-1, LIM-2, LIM-4, LIM-5',
  description: NAMES_DESCRIPTION,
  generator: WIRE_GENERATOR,
  valid: v.valid,
  invalid: v.invalid,
});

const CONVERSATION_DESCRIPTION = [
  'A complete conversation between the reference client and the reference Operator, recorded on the wire: alice and bob register with proof of work, bob logs in and stays, alice sends him a letter on a connection that does not log in (info, lookup, send with proof of work) and bob is told of it (the mail push), bob fetches and acknowledges it, alice logs in, takes the epoch key and posts, bob reads the feed and takes the epoch key. One case, `valid[0]` (kind `conversation`).',
  TAGGED,
  '`keys`: every long-term key (the Operator, the world account, the Operator\'s at-rest key that seals epoch keys in its store, alice, bob). `operator`: how the Operator ran: `limits` (besides the defaults of operator.json), `clockStart` (ms; the clock moves only as `at` of each event says), a memory store, and `startup`, its random draws before the first connection (the decoy key of AUTH-5).',
  '`connections[i]`: who opened connection i and why, the client\'s ephemeral key pair of its hello, and the session key its greeting wrapped. `events`: every message on every connection, in the order they happened (`seq`): `hello` (from the client: `url`, the upgrade request\'s path and query, AUTH-7), `greeting` (the Operator\'s first message, `wire`, unsealed), `frame` (a sealed frame: `wire` is what crossed the wire, `n` its number in its direction, `plain` and `frame` it opened). `at` is the clock when it was sent.',
  '`random` of an event: the values its sender drew to make it, in order (`kind`: `bytes` — a challenge, a session or epoch key, a letter id, the random part of a store id —, `keyPair` — the 32-byte private scalar of a fresh key pair —, `iv` — the 12-byte IV of a Secure Cell or of the cell inside a Secure Message; `for` names the reference code that drew it). Every signature is deterministic (RFC 6979, ECDSA P-256/SHA-256, low S, DER), so nothing else is random.',
  'How to check. An Operator: start it with `keys`, `operator.limits` and a clock at `operator.clockStart`, draw its random values in this order: `operator.startup`, then the `random` of each Operator event in order; open each `hello` as a WebSocket with its `url`, send each client `frame` (`wire`) on its connection, in `seq` order, with the clock at its `at`: each Operator event must arrive, on its connection, byte for byte. An Operator that cannot take scripted randomness can still check every `plain` it receives and answers, and every signature it is sent. A client: with `keys`, draw the client\'s random values in the order of the client events\' `random`, run the same steps against the recorded Operator events: each `hello` and client `frame` must come out byte for byte. By hand: each sealed frame is cellSeal(sessionKey, plain, context(direction, n)) with the IV in its `random`; the greeting and the signed maps are as operator.json shows them.',
].join(' ');

/** conversation.json. */
export async function buildConversationVectors(): Promise<unknown> {
  const { recordConversation, framesOf, conversationKeys, CONVERSATION_LIMITS, START_MS } = await import('./_conversation.js');
  const rec = await recordConversation();
  const { startup, frames, sessions } = framesOf(rec);
  const k = conversationKeys();
  const pair = (p: { privateKey: { bytes(): Uint8Array }; publicKey: { bytes(): Uint8Array } }) => ({ privateKey: toHex(p.privateKey.bytes()), publicKey: toHex(p.publicKey.bytes()) });
  const conversation = {
    kind: 'conversation',
    name: 'register, log in, send with proof of work, fetch, ack, post, feed, worldKey',
    rules: ['OP-1', 'OP-7', 'AUTH-2', 'AUTH-7', 'AUTH-8', 'AUTH-9', 'REG-1', 'REG-3', 'REG-4', 'REG-6', 'POW-1', 'MB-1', 'MB-2', 'MB-3', 'MB-6', 'MB-9', 'FEED-2', 'FEED-3', 'FEED-6'],
    keys: { operator: pair(k.operator), world: pair(k.world), atRestKey: toHex(k.atRestKey.bytes()), alice: pair(k.alice), bob: pair(k.bob) },
    operator: { limits: CONVERSATION_LIMITS, clockStart: START_MS, store: 'memory', startup },
    connections: rec.notes.map((n) => ({ ...n, ...sessions.find((s) => s.conn === n.conn)! })),
    events: frames,
  };
  return {
    spec: 'OP-*, AUTH-*, REG-*, POW-*, MB-*, FEED-*',
    description: CONVERSATION_DESCRIPTION,
    generator: `${WIRE_GENERATOR} -t conversation`,
    valid: [conversation],
    invalid: [],
  };
}
