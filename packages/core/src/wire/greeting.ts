/**
 * The greeting (AUTH-1, AUTH-7, AUTH-8): the client names a fresh ephemeral key in the upgrade URL; the
 * Operator answers with a greeting it signs over that key, its challenge, the world account's key and a
 * session key wrapped to the client's ephemeral key. The client checks the signature against the pinned
 * Operator key before it sends anything; from then on the connection is a sealed {@link Channel}.
 * @module
 */
import { bytesEqual, fromHex, toHex } from '../bytes.js';
import { Fields, decode, encode } from '../codec/index.js';
import { KeyPair, PublicKey, SymmetricKey, decryptFrom, decryptFromAsync, encryptFor, randomBytes, sign, verify, verifyAsync } from '../crypto/index.js';
import { ComradError, ProtocolError } from '../errors.js';
import { KEY_BOUNDS, SIGNED_BOUNDS, readKey } from './_bounds.js';
import { CHALLENGE_BYTES } from './auth.js';
import { Channel } from './channel.js';
import { MAX_RESPONSE_FRAME_BYTES } from './limits.js';

/** OP-1: the protocol version the greeting and the client hello name. */
export const GREETING_VERSION = 2;
/** AUTH-7: the upgrade URL's query parameters that carry the client hello. */
export const CLIENT_HELLO_PARAMS = { version: 'comrad', key: 'key' } as const;
/** AUTH-8: the session key wrapped to the client's ephemeral key (a Secure Message of 32 bytes). */
const WRAPPED_KEY_BOUNDS = { min: 32, max: 256 } as const;
/** A greeting is a few hundred bytes; this bounds what a client reads before it trusts anything. */
export const MAX_GREETING_BYTES = 4096;
const HELLO_CTX = 'comrad/hello/v2';

/** A decoded greeting, not yet checked. */
export interface Greeting {
  /** The key the Operator claims; the client compares it with its pin before anything else. */
  readonly operatorKey: PublicKey;
  /** AUTH-3: 32 fresh random bytes; `auth` signs them. */
  readonly challenge: Uint8Array;
  /** AUTH-8: the world account's key (`@comrades`), bound by the signature. */
  readonly worldKey: PublicKey;
  /** The Operator's ephemeral key for this connection only. */
  readonly ephemeral: PublicKey;
  /** The session key, wrapped from `ephemeral` to the client's ephemeral key. */
  readonly wrappedKey: Uint8Array;
  /** AUTH-7: the Operator's signature over all of the above and the client's ephemeral key. */
  readonly sig: Uint8Array;
}

/** What a checked greeting gives the client. */
export interface Hello {
  readonly operatorKey: PublicKey;
  readonly challenge: Uint8Array;
  /** The world key the client must use (never the one `info` names, AUTH-8). */
  readonly worldKey: PublicKey;
}

/**
 * Adds the client hello to an Operator URL (AUTH-7): `?comrad=2&key=<hex of the client's ephemeral
 * public key>`. Other query parameters are kept.
 * @param url - the Operator's address
 * @param clientKey - the client's fresh ephemeral public key for this connection
 * @returns a new URL
 */
export function withClientHello(url: URL, clientKey: PublicKey): URL {
  const out = new URL(url.href);
  out.searchParams.set(CLIENT_HELLO_PARAMS.version, String(GREETING_VERSION));
  out.searchParams.set(CLIENT_HELLO_PARAMS.key, toHex(clientKey.bytes()));
  return out;
}

/**
 * Reads the client hello from the upgrade request's path and query (Operator side).
 * @param requestUrl - e.g. `req.url` of the upgrade: `/?comrad=2&key=…`
 * @returns the client's ephemeral public key
 * @throws ProtocolError UNSUPPORTED_VERSION (no or another version), MALFORMED, INVALID_KEY
 */
export function readClientHello(requestUrl: string): PublicKey {
  let params: URLSearchParams;
  try {
    params = new URL(requestUrl, 'ws://operator').searchParams;
  } catch {
    throw new ProtocolError('MALFORMED', 'the upgrade URL does not parse');
  }
  if (params.get(CLIENT_HELLO_PARAMS.version) !== String(GREETING_VERSION)) {
    throw new ProtocolError('UNSUPPORTED_VERSION', `this Operator speaks version ${GREETING_VERSION}: connect with ?${CLIENT_HELLO_PARAMS.version}=${GREETING_VERSION}&${CLIENT_HELLO_PARAMS.key}=<ephemeral key>`);
  }
  const hex = params.get(CLIENT_HELLO_PARAMS.key) ?? '';
  if (hex.length < (KEY_BOUNDS.min ?? 0) * 2 || hex.length > KEY_BOUNDS.max * 2 || !/^(?:[0-9a-f]{2})+$/.test(hex)) {
    throw new ProtocolError('MALFORMED', 'the client hello key must be lowercase hex of a public key');
  }
  return PublicKey.from(fromHex(hex));
}

function helloMessage(g: Omit<Greeting, 'sig'>, clientKey: PublicKey): Uint8Array {
  return encode({
    ctx: HELLO_CTX,
    client: clientKey.bytes(),
    operator: g.operatorKey.bytes(),
    challenge: g.challenge,
    world: g.worldKey.bytes(),
    ephemeral: g.ephemeral.bytes(),
    key: g.wrappedKey,
  });
}

/** What {@link makeGreeting} gives the Operator. */
export interface MadeGreeting {
  /** The greeting frame to send first. */
  readonly frame: Uint8Array;
  /** The connection's challenge (AUTH-3). */
  readonly challenge: Uint8Array;
  /** The Operator's end of the sealed channel. */
  readonly channel: Channel;
}

/**
 * Makes the greeting for one connection (Operator side): a fresh challenge, a fresh ephemeral key pair
 * and a fresh session key, wrapped to the client's key and signed with the Operator's key (AUTH-7,
 * AUTH-8). Three public-key operations per connection; the ephemeral private key is dropped at once.
 * @param operator - the Operator's key pair
 * @param worldKey - the world account's public key
 * @param clientKey - from {@link readClientHello}
 * @returns the frame, the challenge and the channel
 */
export function makeGreeting(operator: KeyPair, worldKey: PublicKey, clientKey: PublicKey): MadeGreeting {
  const challenge = randomBytes(CHALLENGE_BYTES);
  const session = SymmetricKey.generate();
  const eph = KeyPair.generate();
  const body = { operatorKey: operator.publicKey, challenge, worldKey, ephemeral: eph.publicKey, wrappedKey: encryptFor(eph.privateKey, clientKey, session.raw) };
  eph.privateKey.wipe();
  const sig = sign(operator.privateKey, helloMessage(body, clientKey));
  const frame = encode({
    push: 'hello',
    v: GREETING_VERSION,
    operatorKey: body.operatorKey.bytes(),
    challenge,
    world: worldKey.bytes(),
    ephemeral: body.ephemeral.bytes(),
    key: body.wrappedKey,
    sig,
  });
  return { frame, challenge, channel: new Channel(session, 'operator') };
}

/**
 * Decodes a greeting's structure (client side); nothing in it is trusted yet.
 * @param bytes - the first frame of the connection
 * @throws ProtocolError TOO_LARGE, MALFORMED, TRAILING_BYTES, UNSUPPORTED_VERSION, INVALID_KEY
 */
export function decodeGreeting(bytes: Uint8Array): Greeting {
  const value = decode(bytes, Math.min(MAX_GREETING_BYTES, MAX_RESPONSE_FRAME_BYTES));
  if (typeof value !== 'object' || value === null) throw new ProtocolError('MALFORMED', 'a greeting is a map');
  const head = Fields.open(value, 'greeting');
  if (head.oneOf('push', ['hello']) !== 'hello') throw new ProtocolError('MALFORMED', 'the Operator did not greet first');
  if (head.int('v') !== GREETING_VERSION) throw new ProtocolError('UNSUPPORTED_VERSION', 'the Operator speaks another protocol version');
  const f = Fields.of(value, 'greeting', ['push', 'v', 'operatorKey', 'challenge', 'world', 'ephemeral', 'key', 'sig']);
  return {
    operatorKey: readKey(f, 'operatorKey'),
    challenge: f.bytes('challenge', { min: CHALLENGE_BYTES, max: CHALLENGE_BYTES }),
    worldKey: readKey(f, 'world'),
    ephemeral: readKey(f, 'ephemeral'),
    wrappedKey: f.bytes('key', WRAPPED_KEY_BOUNDS),
    sig: f.bytes('sig', SIGNED_BOUNDS),
  };
}

/**
 * Checks a greeting against the key it must be signed with and this connection's client key, then
 * unwraps the session key (client side, AUTH-7, AUTH-8). The caller has already compared
 * `greeting.operatorKey` with its pin (KEY_CHANGED); `operatorKey` here is that pinned key.
 * @param greeting - from {@link decodeGreeting}
 * @param operatorKey - the pinned key (or, on first use, the greeting's own)
 * @param client - the ephemeral key pair named in this connection's client hello
 * @returns the checked hello and the client's end of the channel
 * @throws ProtocolError KEY_CHANGED (the greeting names another key), BAD_SIGNATURE (not signed by that
 *   key, or not for this client key: a replayed or altered greeting), DECRYPT_FAILED (the session key
 *   does not unwrap)
 */
export function acceptGreeting(greeting: Greeting, operatorKey: PublicKey, client: KeyPair): { hello: Hello; channel: Channel } {
  // AUTH-1: another key than the pinned one is a key change, whatever it signed.
  if (!greeting.operatorKey.equals(operatorKey)) throw new ProtocolError('KEY_CHANGED', 'the Operator greeted with another key than the pinned one');
  let signed: Uint8Array;
  try {
    signed = verify(operatorKey, greeting.sig);
  } catch (err) {
    throw asForged(err);
  }
  if (!bytesEqual(signed, helloMessage(greeting, client.publicKey))) throw forged();
  let session: SymmetricKey;
  try {
    session = SymmetricKey.from(decryptFrom(client.privateKey, greeting.ephemeral, greeting.wrappedKey));
  } catch (err) {
    throw asUnwrapFailure(err);
  }
  return accepted(greeting, session);
}

/**
 * {@link acceptGreeting}, asynchronously, on every crypto backend (CRY-18): the same steps in the same
 * order, the same codes.
 * @throws ProtocolError as {@link acceptGreeting}
 */
export async function acceptGreetingAsync(greeting: Greeting, operatorKey: PublicKey, client: KeyPair): Promise<{ hello: Hello; channel: Channel }> {
  if (!greeting.operatorKey.equals(operatorKey)) throw new ProtocolError('KEY_CHANGED', 'the Operator greeted with another key than the pinned one');
  let signed: Uint8Array;
  try {
    signed = await verifyAsync(operatorKey, greeting.sig);
  } catch (err) {
    throw asForged(err);
  }
  if (!bytesEqual(signed, helloMessage(greeting, client.publicKey))) throw forged();
  let session: SymmetricKey;
  try {
    session = SymmetricKey.from(await decryptFromAsync(client.privateKey, greeting.ephemeral, greeting.wrappedKey));
  } catch (err) {
    throw asUnwrapFailure(err);
  }
  return accepted(greeting, session);
}

function accepted(greeting: Greeting, session: SymmetricKey): { hello: Hello; channel: Channel } {
  return {
    hello: { operatorKey: greeting.operatorKey, challenge: greeting.challenge, worldKey: greeting.worldKey },
    channel: new Channel(session, 'client'),
  };
}

function asForged(err: unknown): unknown {
  return err instanceof ComradError ? forged() : err;
}

function asUnwrapFailure(err: unknown): unknown {
  return err instanceof ComradError ? new ProtocolError('DECRYPT_FAILED', 'the session key in the greeting does not open') : err;
}

function forged(): ProtocolError {
  return new ProtocolError('BAD_SIGNATURE', 'the greeting is not signed by the Operator for this connection (altered or replayed)');
}
