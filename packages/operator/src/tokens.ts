/**
 * The Operator's side of unlinkable tokens (TOK-*): one blind-RSA issuer key per period, created once
 * across every process sharing the store and kept sealed at rest; blind signing of a logged-in comrade's
 * requests within the period's budget; and, on connections that are not logged in, verification and
 * burning of the token that pays for an anonymous action. The RSA work is node:crypto's (OpenSSL: CRT,
 * blinding, constant time), on the same bytes `@cloudflare/privacypass-ts` makes and checks.
 * @module
 */
import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPair, privateDecrypt, publicEncrypt, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ProtocolError, cellOpen, cellSeal, toHex, utf8, type SymmetricKey } from '@comrad/core';
import { TOKEN_AUTHENTICATOR_BYTES, parseToken, parseTokenRequest, tokenKeyFromSpki, tokenKeyId } from '@comrad/core/tokens';
import { WIRE_MAX_TOKEN_REQUESTS, type SendTokenRule, type TokenKeysResult, type TokensResult } from '@comrad/core/wire';
import type { SpendResult, Store } from './store/types.js';

const generateRsa = promisify(generateKeyPair);

/** How the Operator hands out and takes tokens (TOK-4, TOK-9, TOK-11). */
export interface TokenOptions {
  /** TOK-9: tokens each comrade may obtain per period; default {@link DEFAULT_TOKEN_BUDGET}. */
  readonly budget: number;
  /** TOK-4: the length of one issuer key's signing period (ms); default one UTC day. */
  readonly periodMs: number;
  /** TOK-11: `accept` (default: a token, or proof of work when asked) or `require` (a letter needs a token). */
  readonly send: SendTokenRule;
}

/** TOK-9: 32 anonymous actions per comrade per day: votes, pins and events of an active day, not a flood. */
export const DEFAULT_TOKEN_BUDGET = 32;
/** TOK-4: one issuer key per UTC day. */
export const DEFAULT_TOKEN_PERIOD_MS = 86_400_000;

/**
 * The options with their defaults, checked.
 * @throws RangeError naming the option
 */
export function resolveTokenOptions(o: Partial<TokenOptions> = {}): TokenOptions {
  const out: TokenOptions = { budget: DEFAULT_TOKEN_BUDGET, periodMs: DEFAULT_TOKEN_PERIOD_MS, send: 'accept', ...o };
  if (!Number.isSafeInteger(out.budget) || out.budget < 0 || out.budget > WIRE_MAX_TOKEN_REQUESTS) throw new RangeError(`token budget must be an integer in 0..${WIRE_MAX_TOKEN_REQUESTS}`);
  if (!Number.isSafeInteger(out.periodMs) || out.periodMs < 60_000 || out.periodMs > 366 * 86_400_000) throw new RangeError('token period must be 1 minute to 366 days (ms)');
  if (out.send !== 'accept' && out.send !== 'require') throw new RangeError("send tokens must be 'accept' or 'require'");
  return out;
}

/**
 * TOK-8: the action digest a token is burned for: SHA-256 over the op and each part (length first, so no
 * two lists of parts share an input), hex. A retry of the very same action with the same token is then
 * recognised (`held`), and the same token for anything else is a double spend.
 * @param op - the op the token pays for
 * @param parts - what identifies the action (the post and the choice, the recipient and the letter, …)
 * @returns 64 hex digits
 */
export function actionDigest(op: string, ...parts: Array<Uint8Array | string>): string {
  const hash = createHash('sha256');
  for (const part of [op, ...parts]) {
    const bytes = typeof part === 'string' ? utf8(part) : part;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  }
  return hash.digest('hex');
}

/** One period's issuer key, opened. */
interface IssuerKey {
  readonly period: number;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** As announced: SPKI with the RSASSA-PSS OID (RFC 9578 §6.5). */
  readonly encoded: Uint8Array;
  /** SHA-256 of `encoded`. */
  readonly id: Uint8Array;
  /** The modulus, big-endian, 256 bytes: a blinded message must be below it (RFC 9474 §4.3). */
  readonly modulus: Uint8Array;
}

/** A token that verified, not yet burned. */
export interface CheckedToken {
  /** The period of the key that signed it. */
  readonly period: number;
  /** Its nonce, hex: what is burned. */
  readonly nullifier: string;
}

/** The issuer and verifier of tokens of one Operator process. */
export class TokenIssuer {
  readonly options: TokenOptions;
  readonly #keys = new Map<number, Promise<IssuerKey>>();

  /**
   * @param store - where issuer keys, budgets and burned nonces live
   * @param atRestKey - seals issuer keys in the store (a dump alone does not reveal them)
   * @param options - budget, period, send rule
   */
  constructor(
    private readonly store: Store,
    private readonly atRestKey: SymmetricKey,
    options: Partial<TokenOptions> = {},
  ) {
    this.options = resolveTokenOptions(options);
  }

  /** TOK-4: the period a time falls in. */
  periodOf(now: number): number {
    return Math.floor(now / this.options.periodMs);
  }

  /**
   * TOK-4: what `tokenKeys` answers: the key signing now, from the start of this period until its tokens
   * stop being accepted (the end of the next period), the budget and the send rule.
   */
  async announce(now: number): Promise<TokenKeysResult> {
    const period = this.periodOf(now);
    const key = await this.key(period);
    const { periodMs, budget, send } = this.options;
    return { keys: [{ key: key.encoded, from: period * periodMs, until: (period + 2) * periodMs - 1 }], budget, periodMs, send };
  }

  /**
   * TOK-3, TOK-9: blind-signs `name`'s requests with the current key, as many as the budget has left.
   * Every request is checked before any is counted, so a bad one costs no budget.
   * @throws ProtocolError TOKEN_INVALID (a malformed request, or a blinded message not below the modulus),
   *   TOKEN_EXPIRED (made for another key: ask `tokenKeys` again), QUOTA_EXCEEDED (the budget is spent)
   */
  async issue(name: string, requests: readonly Uint8Array[], now: number): Promise<TokensResult> {
    const key = await this.key(this.periodOf(now));
    const parsed = requests.map((r) => parseTokenRequest(r));
    for (const r of parsed) {
      if (r.truncatedKeyId !== key.id[key.id.length - 1]) throw new ProtocolError('TOKEN_EXPIRED', 'the request is for another issuer key: ask tokenKeys again');
      if (Buffer.compare(Buffer.from(r.blinded), Buffer.from(key.modulus)) >= 0) throw new ProtocolError('TOKEN_INVALID', 'a blinded message is not below the modulus');
    }
    const { granted, left } = await this.store.takeTokens(key.period, name, parsed.length, this.options.budget);
    if (granted === 0) throw new ProtocolError('QUOTA_EXCEEDED', `at most ${this.options.budget} tokens per period`);
    return { responses: parsed.slice(0, granted).map((r) => blindSign(key, r.blinded)), left };
  }

  /**
   * TOK-7: checks a token without burning it: well formed, this challenge, signed by the key of this
   * period or the previous one.
   * @throws ProtocolError TOKEN_INVALID, TOKEN_EXPIRED
   */
  async check(token: Uint8Array, now: number): Promise<CheckedToken> {
    const parts = parseToken(token);
    const period = this.periodOf(now);
    for (const p of [period, period - 1]) {
      // Reads only: a refusal creates no key (nothing changes, TOK-7).
      const key = p < 0 ? undefined : await this.existingKey(p);
      if (!key || !Buffer.from(key.id).equals(Buffer.from(parts.keyId))) continue;
      const ok = verify('sha384', parts.input, { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, parts.authenticator);
      if (!ok) throw new ProtocolError('TOKEN_INVALID', 'the token does not verify');
      return { period: p, nullifier: toHex(parts.nonce) };
    }
    // TOK-4: a key older than the previous period is over; an id that was never a key is refused alike.
    throw new ProtocolError('TOKEN_EXPIRED', 'the token is not signed by an issuer key accepted now');
  }

  /**
   * TOK-7, TOK-8: checks a token and burns it for `action` in one atomic store step — for an action with
   * no write of its own. An action that writes passes {@link check}'s answer to its store write instead,
   * which burns the token in the same step, so a write the store refuses burns nothing.
   * @param action - {@link actionDigest} of what it pays for
   * @returns `ok` (burned now) or `held` (burned before for this very action: a retry)
   * @throws ProtocolError TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_SPENT
   */
  async redeem(token: Uint8Array, action: string, now: number): Promise<Exclude<SpendResult, 'spent'>> {
    const { period, nullifier } = await this.check(token, now);
    const spent = await this.store.spendToken(period, nullifier, action);
    if (spent === 'spent') throw new ProtocolError('TOKEN_SPENT', 'this token is spent');
    return spent;
  }

  /** TOK-4: deletes the keys, budgets and burned nonces no token can need any more. */
  async sweep(now: number): Promise<number> {
    const keep = this.periodOf(now) - 1;
    for (const p of this.#keys.keys()) if (p < keep) this.#keys.delete(p);
    return this.store.expireTokens(keep);
  }

  /** The issuer key of `period`, created once across every process sharing the store. */
  key(period: number): Promise<IssuerKey> {
    let key = this.#keys.get(period);
    if (!key) {
      key = this.#load(period);
      this.#keys.set(period, key);
      key.catch(() => this.#keys.delete(period));
    }
    return key;
  }

  /** The issuer key of `period` if one was ever created (by any process), without creating one. */
  async existingKey(period: number): Promise<IssuerKey | undefined> {
    const cached = this.#keys.get(period);
    if (cached) return cached;
    const sealed = await this.store.issuerKey(period);
    return sealed ? this.key(period) : undefined;
  }

  async #load(period: number): Promise<IssuerKey> {
    // The context binds each stored key to its period: a swapped or replayed value does not open (as FEED-1).
    const context = issuerContext(period);
    const sealed = await this.store.issuerKey(period, async () => {
      const { privateKey } = await generateRsa('rsa', { modulusLength: 2048, publicExponent: 65537 });
      return cellSeal(this.atRestKey, new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })), context);
    });
    const der = cellOpen(this.atRestKey, sealed, context);
    const privateKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    der.fill(0);
    const publicKey = createPublicKey(privateKey);
    const encoded = tokenKeyFromSpki(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
    const jwk = publicKey.export({ format: 'jwk' });
    const modulus = new Uint8Array(Buffer.from(jwk.n!, 'base64url'));
    if (modulus.length !== TOKEN_AUTHENTICATOR_BYTES) throw new Error('an issuer key is not RSA-2048');
    return { period, privateKey, publicKey, encoded, id: tokenKeyId(encoded), modulus };
  }
}

function issuerContext(period: number): Uint8Array {
  return utf8(`comrad/token-issuer-key/v1/${period}`);
}

/**
 * RFC 9474 §4.3 BlindSign: s = m^d mod n (OpenSSL's raw RSA, with CRT and blinding), then the check that
 * s^e mod n = m, so a fault in the computation never hands out a signature that leaks the key.
 */
function blindSign(key: IssuerKey, blinded: Uint8Array): Uint8Array {
  let s: Buffer;
  try {
    s = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, blinded);
  } catch (cause) {
    throw new ProtocolError('TOKEN_INVALID', 'a blinded message cannot be signed', { cause });
  }
  const back = publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, s);
  if (!back.equals(Buffer.from(blinded))) throw new ProtocolError('INTERNAL', 'blind signing failed its check');
  return new Uint8Array(s);
}
