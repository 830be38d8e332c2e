/**
 * The home's wallet of unspent tokens (TOK-12): one change at a time (two actions at once never take one
 * token), a token given back after a refusal is marked as shown and handed out after every unshown one,
 * and every change is in the file for the next process that opens the home.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeyPair, randomBytes, ready, toHex } from '@comrad/core';
import { TOKEN_BYTES } from '@comrad/core/tokens';
import { homePaths } from '../src/home/home.js';
import { TokenWallet } from '../src/store/token-wallet.js';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;
let dir: string | undefined;
beforeAll(async () => {
  await ready();
});
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function wallet(): Promise<{ open: () => TokenWallet; operator: KeyPair['publicKey'] }> {
  dir = await mkdtemp(join(tmpdir(), 'comrad-wallet-'));
  const me = KeyPair.generate();
  const paths = homePaths(dir);
  return { open: () => new TokenWallet(paths, me.privateKey), operator: KeyPair.generate().publicKey };
}

const tokens = (n: number, until = NOW + DAY) => Array.from({ length: n }, () => ({ token: new Uint8Array(randomBytes(TOKEN_BYTES)), until }));

describe('TOK-12 the token wallet', () => {
  it('TOK-12 takes made at once each get a token of their own, and each removal is on disk before the token is handed out', async () => {
    const { open, operator } = await wallet();
    const w = open();
    const held = tokens(12);
    await w.add(operator, held, NOW);
    const taken = await Promise.all(Array.from({ length: 12 }, () => w.take(operator, NOW)));
    expect(new Set(taken.map((t) => toHex(t!.token))).size).toBe(12);
    expect(await w.take(operator, NOW)).toBeUndefined();
    expect(await open().count(operator, NOW)).toBe(0);
  });

  it('TOK-7 TOK-12 a token given back is marked as shown, kept across a restart, and handed out after every unshown one', async () => {
    const { open, operator } = await wallet();
    const w = open();
    // The one given back expires first: without the mark it would come out first.
    const [early] = tokens(1, NOW + DAY / 2);
    await w.add(operator, [early!, ...tokens(2)], NOW);
    const first = await w.take(operator, NOW);
    expect(toHex(first!.token)).toBe(toHex(early!.token));
    await w.giveBack(operator, first!, NOW);
    // Another process opening the home finds it.
    const again = open();
    expect(await again.count(operator, NOW)).toBe(3);
    const order = [await again.take(operator, NOW), await again.take(operator, NOW), await again.take(operator, NOW)];
    expect(order.map((t) => t!.shown ?? false)).toEqual([false, false, true]);
    expect(toHex(order[2]!.token)).toBe(toHex(early!.token));
    // The file holds no token in the clear.
    expect((await readFile(join(dir!, 'tokens.cell'))).includes(Buffer.from(early!.token))).toBe(false);
  });

  it('TOK-12 a token given back after its key expired is not kept', async () => {
    const { open, operator } = await wallet();
    const w = open();
    const [t] = tokens(1, NOW + 10);
    await w.add(operator, [t!], NOW);
    const taken = await w.take(operator, NOW);
    await w.giveBack(operator, taken!, NOW + 10);
    expect(await w.count(operator, NOW)).toBe(0);
  });
});
