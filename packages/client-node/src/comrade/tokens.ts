/**
 * The client's side of unlinkable tokens (TOK-3, TOK-10, TOK-12): obtaining the period's budget on the
 * logged-in session (the issuer key asked for where nothing names us), and spending one token per
 * anonymous action on a fresh connection that never logs in.
 * @internal
 */
import { ComradError, ProtocolError, type PublicKey } from '@comrad/core';
import { WIRE_MAX_TOKEN_REQUESTS, type TokenKeysResult } from '@comrad/core/wire';
import type { TokenWallet } from '../store/token-wallet.js';
import type { OperatorConnection } from '../transport/connection.js';
import type { Session } from '../transport/session.js';

/** What the token helpers need from the Comrade. */
export interface TokenHost {
  readonly operatorKey: PublicKey;
  readonly wallet: TokenWallet;
  now(): number;
  /** The logged-in session (opened if needed). */
  privateSession(): Promise<Session>;
  /** A fresh connection that never logs in, closed after `use`. */
  oneShot<T>(use: (conn: OperatorConnection) => Promise<T>): Promise<T>;
  /** True when the logged-in session is open (or opening). */
  loggedIn(): boolean;
  /** Closes the logged-in session (the next op that needs it opens it again). */
  logOut(): Promise<void>;
}

/** What {@link obtainTokens} did. */
export interface ObtainedTokens {
  /** Tokens obtained now. */
  readonly obtained: number;
  /** Unspent tokens held now, these included. */
  readonly held: number;
  /** What is left of this period's budget on the Operator. */
  readonly left: number;
}

/**
 * TOK-3, TOK-12: obtains up to `want` tokens (default: the whole budget) and keeps them sealed in the home.
 * The issuer key comes from `tokenKeys` on a fresh connection that does not name us (TOK-4); only the
 * blinded requests travel on the logged-in session; each signature is checked against that key.
 * @throws ProtocolError QUOTA_EXCEEDED (the period's budget is spent), TOKEN_INVALID, TOKEN_EXPIRED (the key
 *   changed between the two requests: call again)
 */
export async function obtainTokens(host: TokenHost, want?: number): Promise<ObtainedTokens> {
  const announced: TokenKeysResult = await host.oneShot((conn) => conn.request('tokenKeys', {}));
  const key = announced.keys[0]!;
  const n = Math.min(want ?? announced.budget, announced.budget, WIRE_MAX_TOKEN_REQUESTS);
  if (n < 1) throw new ProtocolError('QUOTA_EXCEEDED', 'this Operator hands out no tokens');
  // Loaded here, not at start: the Privacy Pass library costs every `comrad` run a tenth of a second.
  const { blindTokens } = await import('@comrad/core/tokens');
  const blinded = await blindTokens(key.key, n);
  const session = await host.privateSession();
  const { responses, left } = await session.request('tokens', { requests: blinded.requests });
  const tokens = await blinded.finish(responses);
  await host.wallet.add(host.operatorKey, tokens.map((token) => ({ token, until: key.until })), host.now());
  return { obtained: tokens.length, held: await host.wallet.count(host.operatorKey, host.now()), left };
}

const transport = (err: unknown) => ComradError.is(err) && (err.code === 'TIMEOUT' || err.code === 'CONNECTION_CLOSED');
/** TOK-7: the refusals after which the token is burned (`TOKEN_SPENT`) or worthless (expired, invalid). */
const unusable = (err: unknown) => ComradError.is(err) && (err.code === 'TOKEN_SPENT' || err.code === 'TOKEN_EXPIRED' || err.code === 'TOKEN_INVALID');
/**
 * TOK-7, TOK-12: whether the Operator may have burned the token of an action that failed with `err`: when
 * it said so (or that the token is worthless), when no answer came (it may have done the action), or
 * when it failed inside (`INTERNAL`, after a write perhaps). Every other refusal is answered before or
 * instead of the burn, and a local error may come before the token was ever sent.
 */
const mayBeBurned = (err: unknown) => unusable(err) || transport(err) || ComradError.is(err, 'INTERNAL');

/**
 * TOK-10: runs one anonymous action paid with one token, on a fresh connection that never logs in. The
 * token leaves the wallet before it is shown. A connection lost before the answer is retried once with
 * the same token (the Operator answers a repeat of the same action as done, TOK-8); a token the Operator
 * refuses as spent, expired or invalid is dropped and the next one tried (at most three). A token of an
 * action the Operator refused without burning it (TOK-7: a post or pin not found, a duplicate vote, a full
 * mailbox) goes back to the wallet, marked as shown (TOK-12). When the wallet is empty, the budget is
 * obtained first — on the logged-in session, just before the action: the Operator sees both moments
 * (spec/15-tokens.md TOK-12 says how to keep them apart).
 * @param act - sends the request with `token` on `conn`
 * @throws whatever the action throws; ProtocolError QUOTA_EXCEEDED when no token can be had
 */
export async function payWithToken<T>(host: TokenHost, act: (conn: OperatorConnection, token: Uint8Array) => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    let held = await host.wallet.take(host.operatorKey, host.now());
    if (!held) {
      // TOK-12: obtained right before the action, on a login this action alone needed: that login is
      // closed before the action's connection opens, so the two are never open at once.
      const wasLoggedIn = host.loggedIn();
      try {
        await obtainTokens(host);
      } finally {
        if (!wasLoggedIn) await host.logOut();
      }
      held = await host.wallet.take(host.operatorKey, host.now());
      if (!held) throw new ProtocolError('QUOTA_EXCEEDED', 'no token left in this period');
    }
    const token = held.token;
    try {
      try {
        return await host.oneShot((conn) => act(conn, token));
      } catch (err) {
        if (!transport(err)) throw err;
        return await host.oneShot((conn) => act(conn, token));
      }
    } catch (err) {
      if (unusable(err) && tries < 2) continue;
      // A failure to write the token back loses it, and must not hide why the action failed.
      if (!mayBeBurned(err)) await host.wallet.giveBack(host.operatorKey, held, host.now()).catch(() => undefined);
      throw err;
    }
  }
}
