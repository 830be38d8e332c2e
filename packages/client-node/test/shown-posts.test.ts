/**
 * The home's memory of shown channel posts (16-votes, Clients): sealed at rest under a key derived from
 * the identity key, per Operator, forgotten when a post expires and, beyond MAX_SHOWN, oldest first.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPair, ready } from '@comrad/core';
import { homePaths } from '../src/home/home.js';
import { MAX_SHOWN, ShownPosts } from '../src/store/shown-posts.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';

beforeAll(() => ready());

const T0 = 1_700_000_000_000;

describe('shown channel posts', () => {
  it('remembers where a post came from, per Operator, until it expires; the file is sealed and opens only with the identity key', async () => {
    const { dir } = await tempHome();
    const me = KeyPair.generate();
    const [op, other] = [KeyPair.generate().publicKey, KeyPair.generate().publicKey];
    const shown = new ShownPosts(homePaths(dir), me.privateKey);
    await shown.remember(op, [
      { id: 'p1', expiresAt: T0 + 10, source: { via: 'circle', owner: 'alice', gen: 2 } },
      { id: 'p2', expiresAt: T0 + 20, source: { via: 'collective', name: 'portland' } },
    ], T0);
    expect(await shown.find(op, 'p1', T0)).toEqual({ via: 'circle', owner: 'alice', gen: 2 });
    expect(await shown.find(op, 'p2', T0)).toEqual({ via: 'collective', name: 'portland' });
    expect(await shown.find(other, 'p1', T0)).toBeUndefined();
    expect(await shown.find(op, 'p1', T0 + 10)).toBeUndefined();
    const file = await readFile(join(dir, 'shown-posts.cell'));
    for (const clear of ['p1', 'alice', 'portland']) expect(file.includes(Buffer.from(clear))).toBe(false);
    // Another identity's key does not open it.
    await expect(new ShownPosts(homePaths(dir), KeyPair.generate().privateKey).find(op, 'p1', T0)).rejects.toThrow();
    // The next write drops what expired.
    await shown.remember(op, [{ id: 'p3', expiresAt: T0 + 30, source: { via: 'circle', owner: 'bob', gen: 1 } }], T0 + 15);
    expect(await shown.find(op, 'p1', T0)).toBeUndefined();
    expect(await shown.find(op, 'p2', T0)).toEqual({ via: 'collective', name: 'portland' });
  });

  it(`keeps at most ${MAX_SHOWN} posts, forgetting first the one shown longest ago`, async () => {
    const { dir } = await tempHome();
    const me = KeyPair.generate();
    const op = KeyPair.generate().publicKey;
    const shown = new ShownPosts(homePaths(dir), me.privateKey);
    const source = { via: 'collective', name: 'portland' } as const;
    await shown.remember(op, Array.from({ length: MAX_SHOWN }, (_, i) => ({ id: `a${i}`, expiresAt: T0 + 1000, source })), T0);
    await shown.remember(op, [{ id: 'a0', expiresAt: T0 + 1000, source }], T0); // shown again: the newest now
    await shown.remember(op, [{ id: 'b', expiresAt: T0 + 1000, source }], T0);
    expect(await shown.find(op, 'a0', T0)).toEqual(source);
    expect(await shown.find(op, 'a1', T0)).toBeUndefined();
    expect(await shown.find(op, 'a2', T0)).toEqual(source);
    expect(await shown.find(op, 'b', T0)).toEqual(source);
  });
});
