/**
 * `@comrad/core/tokens` — unlinkable tokens (TOK-*): Privacy Pass (RFC 9578) publicly verifiable tokens,
 * type 0x0002 (blind RSA, 2048-bit, RSABSSA-SHA384-PSS-Deterministic), through `@cloudflare/privacypass-ts`.
 * A logged-in comrade blinds token inputs and the Operator signs them without seeing them (`tokens` op);
 * later, on a connection that is not logged in, each token pays for one anonymous action, and the Operator
 * can check its signature and burn its nonce but cannot tell whose it was (`spec/15-tokens.md`).
 *
 * This module holds what both sides share: the token and request formats with strict parsers, the
 * challenge every Comrad token is bound to, the key id, and the client's blinding and finishing. The
 * Operator's signing and verification (node:crypto) live in `@comrad/operator`.
 *
 * @example
 * ```ts
 * import { blindTokens, parseToken } from '@comrad/core/tokens';
 * const { keys } = await anonymousConnection.request('tokenKeys', {});
 * const blinded = await blindTokens(keys[0].key, 4);                    // on this machine only
 * const { responses } = await loggedIn.request('tokens', { requests: blinded.requests });
 * const tokens = await blinded.finish(responses);                        // each 354 bytes, unlinkable
 * await freshConnection.request('vote', { ...vote, token: tokens[0] }); // one token, one action
 * ```
 * @module @comrad/core/tokens
 */
import { TokenChallenge, publicVerif, util } from '@cloudflare/privacypass-ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { ProtocolError } from '../errors.js';

// The sizes live apart from the Privacy Pass library, so the wire schemas can bound token fields without
// pulling the library (about 160 KB) into every bundle that speaks the wire (BRW-4).
import { TOKEN_TYPE, TOKEN_NONCE_BYTES, TOKEN_KEY_ID_BYTES, TOKEN_AUTHENTICATOR_BYTES, TOKEN_INPUT_BYTES, TOKEN_BYTES, TOKEN_REQUEST_BYTES, TOKEN_RESPONSE_BYTES, TOKEN_ISSUER_NAME, TOKEN_KEY_BOUNDS } from './_sizes.js';
export { TOKEN_TYPE, TOKEN_NONCE_BYTES, TOKEN_KEY_ID_BYTES, TOKEN_AUTHENTICATOR_BYTES, TOKEN_INPUT_BYTES, TOKEN_BYTES, TOKEN_REQUEST_BYTES, TOKEN_RESPONSE_BYTES, TOKEN_ISSUER_NAME, TOKEN_KEY_BOUNDS };

/** The token challenge TOK-5 fixes: type 0x0002, issuer `comrad`, an empty redemption context, no origin. */
function challenge(): TokenChallenge {
  return new TokenChallenge(TOKEN_TYPE, TOKEN_ISSUER_NAME, new Uint8Array(0));
}

let digest: Uint8Array | undefined;

/**
 * TOK-5: SHA-256 of the one token challenge every Comrad token answers. An empty redemption context lets
 * tokens be obtained ahead of the actions they pay for, which is what keeps the two moments apart (TOK-10).
 * @returns 32 bytes (a copy)
 */
export function tokenChallengeDigest(): Uint8Array {
  digest ??= sha256(challenge().serialize());
  return digest.slice();
}

/**
 * The key id of a token key (RFC 9578): SHA-256 of its encoding as sent in `tokenKeys`.
 * @param key - the issuer's public key, SPKI with the RSASSA-PSS OID
 * @returns 32 bytes
 */
export function tokenKeyId(key: Uint8Array): Uint8Array {
  return sha256(key);
}

/**
 * RFC 9578 §6.5: the token key as announced: an RSA public key's SubjectPublicKeyInfo re-labelled with the
 * RSASSA-PSS OID and its parameters (SHA-384, MGF1-SHA-384, salt 48), from the rsaEncryption form that
 * WebCrypto and node:crypto export.
 * @param spki - an RSA public key, SPKI DER with the rsaEncryption OID
 * @returns the token key bytes
 * @throws ProtocolError INVALID_KEY when `spki` is not one
 */
export function tokenKeyFromSpki(spki: Uint8Array): Uint8Array {
  try {
    return util.convertEncToRSASSAPSS(spki);
  } catch (cause) {
    throw new ProtocolError('INVALID_KEY', 'not an RSA public key', { cause });
  }
}

/** A token, read but not verified. */
export interface TokenParts {
  /** The client's random nonce: unique per token, what the Operator burns. */
  readonly nonce: Uint8Array;
  /** Must equal {@link tokenChallengeDigest}. */
  readonly challengeDigest: Uint8Array;
  /** Which issuer key signed it. */
  readonly keyId: Uint8Array;
  /** The RSA-PSS signature over {@link TokenParts.input}. */
  readonly authenticator: Uint8Array;
  /** The authenticator input (the first 98 bytes): what the signature covers. */
  readonly input: Uint8Array;
}

const invalid = (why: string) => new ProtocolError('TOKEN_INVALID', why);

/**
 * TOK-6, TOK-7 steps 1–2: reads a token strictly: exactly {@link TOKEN_BYTES} bytes, type 0x0002, this
 * challenge. The signature is the Operator's to check.
 * @param token - the token bytes
 * @returns its parts (views into `token`)
 * @throws ProtocolError TOKEN_INVALID
 */
export function parseToken(token: Uint8Array): TokenParts {
  if (!(token instanceof Uint8Array) || token.length !== TOKEN_BYTES) throw invalid(`a token is ${TOKEN_BYTES} bytes`);
  if (token[0] !== TOKEN_TYPE >> 8 || token[1] !== (TOKEN_TYPE & 0xff)) throw invalid('not a token of type 0x0002');
  let at = 2;
  const take = (n: number) => token.subarray(at, (at += n));
  const nonce = take(TOKEN_NONCE_BYTES);
  const challengeDigest = take(32);
  const keyId = take(TOKEN_KEY_ID_BYTES);
  const authenticator = take(TOKEN_AUTHENTICATOR_BYTES);
  if (!equal(challengeDigest, tokenChallengeDigest())) throw invalid('the token answers another challenge');
  return { nonce, challengeDigest, keyId, authenticator, input: token.subarray(0, TOKEN_INPUT_BYTES) };
}

/** A token request, read but not signed. */
export interface TokenRequestParts {
  /** The last byte of the key id the client blinded for. */
  readonly truncatedKeyId: number;
  /** The blinded message, 256 bytes, an integer below the key's modulus. */
  readonly blinded: Uint8Array;
}

/**
 * TOK-3: reads a token request strictly: exactly {@link TOKEN_REQUEST_BYTES} bytes of type 0x0002.
 * @throws ProtocolError TOKEN_INVALID
 */
export function parseTokenRequest(bytes: Uint8Array): TokenRequestParts {
  if (!(bytes instanceof Uint8Array) || bytes.length !== TOKEN_REQUEST_BYTES) throw invalid(`a token request is ${TOKEN_REQUEST_BYTES} bytes`);
  if (bytes[0] !== TOKEN_TYPE >> 8 || bytes[1] !== (TOKEN_TYPE & 0xff)) throw invalid('not a token request of type 0x0002');
  return { truncatedKeyId: bytes[2]!, blinded: bytes.subarray(3) };
}

/** Token requests made on this machine, waiting for the Operator's blind signatures. */
export interface BlindedTokens {
  /** The requests to send in one `tokens` op, each {@link TOKEN_REQUEST_BYTES} bytes. */
  readonly requests: readonly Uint8Array[];
  /**
   * Unblinds the Operator's responses into tokens and checks each signature against the key the requests
   * were made for (TOK-3: a response under any other key — one kept for this comrade alone — fails).
   * @param responses - the blind signatures, in request order; fewer than the requests when the budget ran out
   * @returns the tokens, each {@link TOKEN_BYTES} bytes
   * @throws ProtocolError TOKEN_INVALID when a response is malformed or does not verify; TOO_LARGE when more come back than were asked
   */
  finish(responses: readonly Uint8Array[]): Promise<Uint8Array[]>;
}

/**
 * TOK-3: blinds `n` fresh token inputs for the issuer key `key` (as `tokenKeys` announced it, asked on a
 * connection that is not logged in). Costs about 10–50 ms of one core per token (RSA blinding in JavaScript).
 * @param key - the issuer key (SPKI with the RSASSA-PSS OID)
 * @param n - how many tokens, 1 or more
 * @returns the requests and the step that finishes them
 * @throws ProtocolError INVALID_KEY when `key` is not an RSA-PSS public key
 */
export async function blindTokens(key: Uint8Array, n: number): Promise<BlindedTokens> {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError('n must be a positive integer');
  const chl = challenge();
  const clients: publicVerif.Client[] = [];
  const requests: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const client = new publicVerif.Client(publicVerif.BlindRSAMode.PSS);
    let request: publicVerif.TokenRequest;
    try {
      request = await client.createTokenRequest(chl, key);
    } catch (cause) {
      throw new ProtocolError('INVALID_KEY', 'the token key is not an RSA-PSS public key', { cause });
    }
    clients.push(client);
    requests.push(request.serialize());
  }
  return {
    requests,
    async finish(responses) {
      if (responses.length > clients.length) throw new ProtocolError('TOO_LARGE', 'more token responses than requests');
      const out: Uint8Array[] = [];
      for (let i = 0; i < responses.length; i++) {
        const r = responses[i]!;
        if (!(r instanceof Uint8Array) || r.length !== TOKEN_RESPONSE_BYTES) throw invalid(`a token response is ${TOKEN_RESPONSE_BYTES} bytes`);
        let token;
        try {
          // finalize verifies the unblinded signature with the key the request was blinded for.
          token = await clients[i]!.finalize(new publicVerif.TokenResponse(r));
        } catch (cause) {
          throw new ProtocolError('TOKEN_INVALID', 'a token response does not verify under the announced key', { cause });
        }
        out.push(token.serialize());
      }
      return out;
    },
  };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
