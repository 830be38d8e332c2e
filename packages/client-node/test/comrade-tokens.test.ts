/**
 * The Comrade's tokens (TOK-3, TOK-10, TOK-11, TOK-12): the budget obtained logged in and kept sealed in the
 * home, an anonymous action paid with one token on a fresh connection, a letter paid with a token where the
 * Operator requires it.
 */
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ComradError, randomBytes } from '@comrad/core';
import { TOKEN_BYTES, parseToken } from '@comrad/core/tokens';
import { Comrade } from '../src/comrade/comrade.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { testScope } from '@comrad/test-kit/client-node/scope';
import { clearOfUtcMidnight } from '@comrad/test-kit/client-node/utc-day';

const PASS = 'correct horse battery staple';
const scope = testScope();

async function registered(op: { url: string }, name: string, home?: string): Promise<Comrade> {
  const c = await Comrade.connect({ home: home ?? (await tempHome()).dir, operator: { name: 'test', url: op.url } });
  scope.defer(() => c.close());
  await c.register(name, PASS);
  return c;
}

describe('Comrade tokens', () => {
  it('TOK-3 TOK-12 obtains the budget, keeps it sealed in the home, and spends one per anonymous action', async () => {
    // The budget is a UTC day's (TOK-9): taken, then refused, never across a midnight refill.
    await clearOfUtcMidnight(20_000);
    const op = await scope.operator({ tokens: { budget: 3 } });
    const { dir } = await tempHome();
    const alice = await registered(op, 'alice', dir);
    const bob = await registered(op, 'bob');
    expect(await alice.tokenCount()).toBe(0);
    expect(await alice.obtainTokens()).toEqual({ obtained: 3, held: 3, left: 0 });
    expect(ComradError.is(await alice.obtainTokens().catch((e: unknown) => e), 'QUOTA_EXCEEDED')).toBe(true);
    // TOK-12: sealed at rest: no token nonce in the file.
    const file = await readFile(join(dir, 'tokens.cell'));
    const dump = (await op.store.dump()).filter(([k]) => k.startsWith('taken/'));
    expect(dump.map(([k]) => k)).toEqual([expect.stringMatching(/^taken\/\d+\/alice$/)]);
    expect(file.length).toBeGreaterThan(3 * TOKEN_BYTES);
    // TOK-10: a letter as an anonymous action, paid with one token.
    await alice.anonymous('send', { to: 'bob', letter: randomBytes(120) });
    expect(await alice.tokenCount()).toBe(2);
    const spent = (await op.store.dump()).filter(([k]) => k.startsWith('spent/'));
    expect(spent).toHaveLength(1);
    const nonce = spent[0]![0].split('/')[2]!;
    expect(file.includes(Buffer.from(nonce, 'hex'))).toBe(false);
    // Another process on the same home finds the remaining tokens after login.
    await alice.close();
    const again = await Comrade.connect({ home: dir, operator: { name: 'test', url: op.url }, passphrase: PASS });
    scope.defer(() => again.close());
    expect(await again.tokenCount()).toBe(2);
    await bob.inbox();
  });

  it('TOK-11 an Operator that requires tokens for letters gets one: the wallet pays, empty or not', async () => {
    await clearOfUtcMidnight(20_000); // the budget is taken, then refused: within one UTC day (TOK-9)
    const op = await scope.operator({ tokens: { budget: 2, send: 'require' } });
    const alice = await registered(op, 'alice');
    const bob = await registered(op, 'bob');
    await alice.send('bob', 'paid with a token');
    expect(await alice.tokenCount()).toBe(1); // the budget of 2 was obtained when the wallet ran dry
    await alice.send('bob', 'and again');
    expect(await alice.tokenCount()).toBe(0);
    expect((await bob.inbox()).received.map((l) => l.text).sort()).toEqual(['and again', 'paid with a token']);
    expect(ComradError.is(await alice.send('bob', 'one too many').catch((e: unknown) => e), 'QUOTA_EXCEEDED')).toBe(true);
  });

  it('TOK-7 TOK-12 a token the Operator refused without burning goes back to the wallet; one it burned or spent does not', async () => {
    const op = await scope.operator({ tokens: { budget: 6 }, limits: { mailboxItems: 1 } });
    const { dir } = await tempHome();
    const alice = await registered(op, 'alice', dir);
    await registered(op, 'bob');
    await alice.obtainTokens();
    const burned = async () => (await op.store.dump()).filter(([k]) => k.startsWith('spent/')).length;
    const refused = async (action: Promise<unknown>, code: string) => expect(ComradError.is(await action.catch((e: unknown) => e), code as 'NOT_FOUND')).toBe(true);
    // Refused before the burn: no such post, no such pin; refused by the store's own step: a full mailbox.
    await refused(alice.votePost('00zzzzzzzz00000000000000aa', 'up'), 'NOT_FOUND');
    await refused(alice.votePin('0'.repeat(32), 'confirm'), 'NOT_FOUND');
    await alice.anonymous('send', { to: 'bob', letter: randomBytes(120) });
    await refused(alice.anonymous('send', { to: 'bob', letter: randomBytes(120) }), 'QUOTA_EXCEEDED');
    expect(await burned()).toBe(1);
    expect(await alice.tokenCount()).toBe(5);
    // A vote that counts burns its token; the same vote again is refused and keeps the next.
    const { id } = await alice.post('vote on me');
    expect(await alice.votePost(id, 'up')).toEqual({ up: 1, down: 0 });
    await refused(alice.votePost(id, 'up'), 'DUPLICATE');
    expect(await alice.tokenCount()).toBe(4);
    expect(await burned()).toBe(2);
    // A copy of the home holds the same tokens: what the original spends, the copy finds TOKEN_SPENT,
    // drops, and pays with the next one.
    const copy = (await tempHome()).dir;
    await cp(dir, copy, { recursive: true });
    const twin = await Comrade.connect({ home: copy, operator: { name: 'test', url: op.url }, passphrase: PASS });
    scope.defer(() => twin.close());
    expect(await twin.tokenCount()).toBe(4);
    await alice.votePost(id, 'down');
    expect(await twin.votePost(id, 'none')).toEqual({ up: 0, down: 0 });
    expect(await twin.tokenCount()).toBe(2);
    expect(await alice.tokenCount()).toBe(3);
    expect(await burned()).toBe(4);
  });

  it('TOK-6 tokens in the wallet are well-formed Privacy Pass tokens', async () => {
    const op = await scope.operator({ tokens: { budget: 1 } });
    const alice = await registered(op, 'alice');
    await alice.obtainTokens();
    expect(await alice.tokenCount()).toBe(1);
    expect(() => parseToken(new Uint8Array(TOKEN_BYTES))).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
  });
});
