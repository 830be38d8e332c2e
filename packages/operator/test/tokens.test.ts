/**
 * The Operator's token issuer against the library that defines the format (TOK-2..TOK-9): what
 * node:crypto signs is what `@cloudflare/privacypass-ts` signs, bit for bit, and what it verifies is what
 * the library verifies; the budget, the key window and double spends, on the memory store.
 */
import { constants, privateDecrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicVerif, Token, TOKEN_TYPES, util } from '@cloudflare/privacypass-ts';
import { SymmetricKey, randomBytes, ready } from '@comrad/core';
import { TOKEN_BYTES, TOKEN_REQUEST_BYTES, blindTokens, parseToken, parseTokenRequest, tokenKeyId } from '@comrad/core/tokens';
import { TokenIssuer, actionDigest, openStore, resolveTokenOptions } from '@comrad/operator';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1, 12);

async function issuer(budget = 4) {
  await ready();
  const store = await openStore({ kind: 'memory' });
  return { store, issuer: new TokenIssuer(store, SymmetricKey.generate(), { budget }) };
}

async function tokens(i: TokenIssuer, n: number, now = NOW, name = 'alice'): Promise<Uint8Array[]> {
  const { keys } = await i.announce(now);
  const blinded = await blindTokens(keys[0]!.key, n);
  const { responses } = await i.issue(name, blinded.requests, now);
  return blinded.finish(responses);
}

describe('TOK tokens: the issuer against privacypass-ts', () => {
  it('TOK-2 TOK-3 a blind signature by node:crypto equals the library issuer\'s, and the library verifies the token', async () => {
    const { issuer: i } = await issuer();
    const { keys } = await i.announce(NOW);
    const key = keys[0]!.key;
    const internal = await i.key(i.periodOf(NOW));
    // The library issuer, on the same private key through WebCrypto.
    const pkcs8 = internal.privateKey.export({ type: 'pkcs8', format: 'der' });
    const params = { name: 'RSA-PSS', hash: 'SHA-384' };
    const sk = await crypto.subtle.importKey('pkcs8', pkcs8, params, true, ['sign']);
    const pk = await crypto.subtle.importKey('spki', new Uint8Array(util.convertRSASSAPSSToEnc(key)), params, true, ['verify']);
    const library = new publicVerif.Issuer(publicVerif.BlindRSAMode.PSS, 'comrad', sk, pk);
    const blinded = await blindTokens(key, 2);
    const ours = await i.issue('alice', blinded.requests, NOW);
    const theirs = await library.issue(publicVerif.TokenRequest.deserialize(TOKEN_TYPES.BLIND_RSA, blinded.requests[0]!));
    expect(Buffer.from(ours.responses[0]!).equals(Buffer.from(theirs.serialize()))).toBe(true);
    const [token] = await blinded.finish(ours.responses);
    expect(token!.length).toBe(TOKEN_BYTES);
    const origin = new publicVerif.Origin(publicVerif.BlindRSAMode.PSS);
    expect(await origin.verify(Token.deserialize(TOKEN_TYPES.BLIND_RSA, token!), pk)).toBe(true);
    // The key id in the token is SHA-256 of the announced key (RFC 9578).
    expect(Buffer.from(parseToken(token!).keyId).equals(Buffer.from(tokenKeyId(key)))).toBe(true);
    expect(internal.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('TOK-7 TOK-8 a token verifies and burns once; a retry of the same action is held; any other action is TOKEN_SPENT', async () => {
    const { issuer: i, store } = await issuer();
    const [token] = await tokens(i, 1);
    const a = actionDigest('vote', 'post-1', 'up');
    expect(await i.redeem(token!, a, NOW)).toBe('ok');
    expect(await i.redeem(token!, a, NOW)).toBe('held');
    const before = await store.dump();
    await expect(i.redeem(token!, actionDigest('vote', 'post-1', 'down'), NOW)).rejects.toMatchObject({ code: 'TOKEN_SPENT' });
    expect(await store.dump()).toEqual(before);
  });

  it('TOK-1 TOK-5 TOK-6 TOK-7 a malformed, tampered or foreign token (another type, another challenge) is TOKEN_INVALID and burns nothing', async () => {
    const { issuer: i, store } = await issuer();
    const [token] = await tokens(i, 1);
    const before = await store.dump();
    const bad = (t: Uint8Array) => expect(i.redeem(t, actionDigest('x'), NOW)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    await bad(token!.subarray(0, TOKEN_BYTES - 1));
    await bad(new Uint8Array([...token!, 0]));
    const wrongType = token!.slice();
    wrongType[1] = 1;
    await bad(wrongType);
    const tamperedNonce = token!.slice();
    tamperedNonce[5]! ^= 1;
    await bad(tamperedNonce);
    const tamperedSig = token!.slice();
    tamperedSig[TOKEN_BYTES - 1]! ^= 1;
    await bad(tamperedSig);
    const otherChallenge = token!.slice();
    otherChallenge[40]! ^= 1;
    await bad(otherChallenge);
    expect(await store.dump()).toEqual(before);
    // …and the genuine token still spends.
    expect(await i.redeem(token!, actionDigest('x'), NOW)).toBe('ok');
  });

  it('TOK-4 a token is accepted in its period and the next, then TOKEN_EXPIRED; keys rotate each period', async () => {
    const { issuer: i } = await issuer();
    const [t1, t2] = await tokens(i, 2);
    const next = NOW + DAY;
    expect(await i.redeem(t1!, actionDigest('a'), next)).toBe('ok');
    const after = NOW + 2 * DAY;
    await expect(i.redeem(t2!, actionDigest('b'), after)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    const k1 = (await i.announce(NOW)).keys[0]!;
    const k2 = (await i.announce(next)).keys[0]!;
    expect(Buffer.from(k1.key).equals(Buffer.from(k2.key))).toBe(false);
    expect(k1.until).toBe(k2.from + DAY - 1);
    // A request blinded for yesterday's key is refused, budget untouched.
    const stale = await blindTokens(k1.key, 1);
    await expect(i.issue('alice', stale.requests, next)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('TOK-4 TOK-7 the rotation window to the millisecond: accepted until the announced `until`, TOKEN_EXPIRED one ms later, nothing burned', async () => {
    const { issuer: i, store } = await issuer();
    const [t1, t2] = await tokens(i, 2);
    const { until } = (await i.announce(NOW)).keys[0]!;
    // The next period's key exists by then (it signs then), as on a running Operator.
    await i.announce(until);
    expect(await i.redeem(t1!, actionDigest('a'), until)).toBe('ok');
    const before = await store.dump();
    await expect(i.redeem(t2!, actionDigest('b'), until + 1)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    await expect(i.check(t2!, until + 1)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(await store.dump()).toEqual(before);
  });

  it('TOK-9 the budget per comrade per period: partial grants, then QUOTA_EXCEEDED; a new period refills it', async () => {
    const { issuer: i } = await issuer(3);
    const { keys } = await i.announce(NOW);
    const first = await blindTokens(keys[0]!.key, 2);
    expect((await i.issue('alice', first.requests, NOW)).left).toBe(1);
    const second = await blindTokens(keys[0]!.key, 2);
    const r = await i.issue('alice', second.requests, NOW);
    expect(r.responses.length).toBe(1);
    expect(r.left).toBe(0);
    expect((await second.finish(r.responses)).length).toBe(1);
    await expect(i.issue('alice', second.requests, NOW)).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    // Another comrade has a budget of their own.
    expect((await i.issue('bob', second.requests, NOW)).responses.length).toBe(2);
    expect((await tokens(i, 3, NOW + DAY)).length).toBe(3);
  });

  it('TOK-3 malformed requests are TOKEN_INVALID and cost no budget', async () => {
    const { issuer: i } = await issuer(2);
    const { keys } = await i.announce(NOW);
    const good = (await blindTokens(keys[0]!.key, 1)).requests[0]!;
    const huge = good.slice();
    huge.fill(0xff, 3);
    await expect(i.issue('alice', [good, huge], NOW)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect(() => parseTokenRequest(good.subarray(1))).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    const wrongType = good.slice();
    wrongType[1] = 1;
    await expect(i.issue('alice', [wrongType], NOW)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect(good.length).toBe(TOKEN_REQUEST_BYTES);
    expect((await i.issue('alice', [good, good], NOW)).responses.length).toBe(2);
  });

  it('TOK-3 a response under another key than the one blinded for fails to finish', async () => {
    const { issuer: i } = await issuer();
    const { issuer: other } = await issuer();
    const { keys } = await i.announce(NOW);
    const blinded = await blindTokens(keys[0]!.key, 1);
    const otherKey = await other.key(other.periodOf(NOW));
    // The other key signs the very blinded message (as a key kept for one comrade alone would).
    const m = parseTokenRequest(blinded.requests[0]!).blinded;
    let forged: Uint8Array;
    try {
      forged = new Uint8Array(privateDecrypt({ key: otherKey.privateKey, padding: constants.RSA_NO_PADDING }, m));
    } catch {
      forged = new Uint8Array(randomBytes(256)); // m above the other modulus: any answer is as wrong
    }
    await expect(blinded.finish([forged])).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('TOK-4 TOK-8 the sweep forgets the keys, budgets and nonces of periods over', async () => {
    const { issuer: i, store } = await issuer();
    const [token] = await tokens(i, 1);
    await i.redeem(token!, actionDigest('a'), NOW);
    expect((await store.dump()).some(([k]) => k.startsWith('spent/'))).toBe(true);
    expect(await i.sweep(NOW + DAY)).toBe(0);
    expect(await i.sweep(NOW + 2 * DAY)).toBe(1);
    expect((await store.dump()).filter(([k]) => /^(spent|taken|issuer)\//.test(k)).map(([k]) => k)).toEqual([]);
  });

  it('resolveTokenOptions refuses nonsense', () => {
    expect(() => resolveTokenOptions({ budget: -1 })).toThrow(RangeError);
    expect(() => resolveTokenOptions({ periodMs: 5 })).toThrow(RangeError);
    expect(() => resolveTokenOptions({ send: 'never' as 'accept' })).toThrow(RangeError);
  });
});
