/**
 * Channels through the Comrade API against a real Operator (CHAN-*): a post sealed under a channel key is
 * read, verified, by every holder of the key and by no one else; posting and reading pay the Operator's
 * proof of work and never log in (CHAN-6); bad input is refused before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { ComradError, SymmetricKey, toHex } from '@comrad/core';
import { createLetter, deriveChannel } from '@comrad/core/envelope';
import { Comrade } from '../src/comrade/comrade.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { testScope } from '@comrad/test-kit/client-node/scope';
import { PLANTED, metadataMarkersIn, taggedJpeg } from '@comrad/test-kit/client-node/tagged-jpeg';

const PASS = 'correct horse battery staple';
const scope = testScope();

async function registered(op: { url: string }, name: string): Promise<Comrade> {
  const c = await Comrade.connect({ home: (await tempHome()).dir, operator: { name: 'test', url: op.url } });
  scope.defer(() => c.close());
  await c.register(name, PASS);
  return c;
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (ComradError.is(e) || (e as { name?: string }).name === 'UsageError' ? (e as { code: string }).code : String(e)));

describe('Comrade channels (CHAN-*)', () => {
  it('CHAN-4 CHAN-5 CHAN-7 CHAN-8 holders of the key read each other, verified and newest first; another key reads nothing', async () => {
    const op = await scope.operator({ limits: { sendPowBits: 4 } });
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    const key = SymmetricKey.generate();
    const first = await alice.channelPost(key, { text: 'the flyer', image: await taggedJpeg({ width: 64, height: 48 }) }, { expiresInDays: 2 });
    const second = await bob.channelPost(key, 'printed 200');
    const page = await carol.channelFeed(SymmetricKey.from(key.bytes()));
    expect(page.rejected).toEqual([]);
    expect(page.posts.map((p) => [p.author, p.text, p.kind])).toEqual([
      ['bob', 'printed 200', 'post'],
      ['alice', 'the flyer', 'post'],
    ]);
    // IMG-1: re-encoded, the planted metadata gone.
    const image = page.posts[1]!.image!;
    expect(metadataMarkersIn(image.data)).toEqual([]);
    expect(Buffer.from(image.data).toString('latin1')).not.toContain(PLANTED.comment);
    expect(page.posts.map((p) => p.id)).toEqual([second.id, first.id]);
    expect(page.posts[1]!.expiresAt).toBe(first.expiresAt);
    // Paged: one at a time.
    const one = await bob.channelFeed(key, { limit: 1 });
    expect(one.posts.map((p) => p.author)).toEqual(['bob']);
    expect((await bob.channelFeed(key, { before: one.next! })).posts.map((p) => p.author)).toEqual(['alice']);
    expect(await carol.channelFeed(SymmetricKey.generate())).toEqual({ posts: [], rejected: [] });
    // CHAN-9: the Operator holds the channel id and the sealed bytes, never the text nor an author.
    const dump = await op.store.dump();
    const id = toHex(deriveChannel(key).id);
    expect(dump.some(([k]) => k.includes(id))).toBe(true);
    for (const [k, v] of dump.filter(([k]) => k.includes(id))) {
      expect(k).not.toMatch(/alice|bob/);
      expect(Buffer.from(typeof v === 'string' ? v : v).toString('latin1')).not.toContain('printed 200');
    }
  });

  it('CHAN-6 channel ops never log in: a comrade unlocked by passphrase posts and reads with no logged-in connection', async () => {
    const op = await scope.operator();
    const home = (await tempHome()).dir;
    const first = await Comrade.connect({ home, operator: { name: 'test', url: op.url } });
    await first.register('alice', PASS);
    await first.close();
    const alice = await Comrade.connect({ home, operator: { name: 'test', url: op.url }, passphrase: PASS });
    scope.defer(() => alice.close());
    const key = SymmetricKey.generate();
    await alice.channelPost(key, 'no login needed');
    expect((await alice.channelFeed(key)).posts.map((p) => p.text)).toEqual(['no login needed']);
    expect(op.server.loggedIn()).toBe(0);
  });

  it('CHAN-7 CIR-3 bad input is refused before anything is sent: a lifetime out of bounds, a letter from someone else, an oversized text, a circle key', async () => {
    const op = await scope.operator();
    const alice = await registered(op, 'alice');
    const key = SymmetricKey.generate();
    expect(await codeOf(alice.channelPost(key, 'x', { expiresInDays: 0 }))).toBe('BAD_ARGUMENT');
    expect(await codeOf(alice.channelPost(key, 'x', { expiresInDays: 31 }))).toBe('BAD_ARGUMENT');
    expect(await codeOf(alice.channelPostLetter(key, createLetter({ kind: 'post', from: 'bob', body: { text: 'x' } })))).toBe('BAD_ARGUMENT');
    expect(await codeOf(alice.channelPost(key, 'x'.repeat(1001)))).toBe('TOO_LARGE');
    // CIR-3: a circle key is never posted to a channel.
    expect(await codeOf(alice.channelPostLetter(key, createLetter({ kind: 'circle-key', from: 'alice', to: 'bob', body: { gen: 1, key: new Uint8Array(32) } })))).toBe('BAD_ARGUMENT');
    expect(await op.store.storedBytes()).toBe(0);
  });
});
