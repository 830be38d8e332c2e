/**
 * Collective logs on the wire (COL-19, COL-20, COL-22, COL-23): `colAppend` compares and appends on the
 * position, only with the collective key's signature and only on a connection that is not logged in;
 * `colRead` pages entries; every refusal is typed and stores nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SymmetricKey, randomBytes } from '@comrad/core';
import { MAX_ENTRY_BYTES, signAppend, type CollectiveKeys } from '@comrad/core/collective';
import { encodeRequest } from '@comrad/core/wire';
import { refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A collective registered under `name`: its identity is the registered key pair (COL-25). */
async function collective(op: TestOperator, name: string): Promise<CollectiveKeys> {
  const me = await op.register(name);
  return { name, identity: me.keys, logKey: SymmetricKey.generate() };
}

const append = (keys: CollectiveKeys, pos: number, entry: Uint8Array) => ({ col: keys.name, pos, entry, sig: signAppend(keys, pos, entry) });

describe('COL-22 COL-23 collective logs on the wire', () => {
  it('COL-19 appends at the expected position; a stale position is OUT_OF_ORDER and stores nothing; reads page from a position', async () => {
    t = await startTestOperator({ limits: { logItems: 2 } });
    const keys = await collective(t, 'portland');
    const c = await t.connect();
    const entries = [randomBytes(600), randomBytes(700), randomBytes(800)];
    for (const [i, e] of entries.entries()) expect(await c.request('colAppend', append(keys, i, e))).toEqual({});
    await refusedWith(c.request('colAppend', append(keys, 1, randomBytes(600))), 'OUT_OF_ORDER');
    await refusedWith(c.request('colAppend', append(keys, 5, randomBytes(600))), 'OUT_OF_ORDER');
    // A retry of the same bytes at their own position (an answer lost) succeeds without a second copy.
    expect(await c.request('colAppend', append(keys, 2, entries[2]!))).toEqual({});
    const first = await c.request('colRead', { col: 'portland', from: 0 });
    expect(first.length).toBe(3);
    expect(first.entries.map((e) => [...e])).toEqual(entries.slice(0, 2).map((e) => [...e])); // logItems caps the page
    const rest = await c.request('colRead', { col: 'portland', from: 2, limit: 10 });
    expect(rest).toEqual({ entries: [entries[2]], length: 3 });
    expect(await c.request('colRead', { col: 'nobody', from: 0 })).toEqual({ entries: [], length: 0 });
  });

  it('COL-23 an append not signed by the collective key is BAD_SIGNATURE; an unregistered collective NOT_FOUND; nothing stored', async () => {
    t = await startTestOperator();
    const keys = await collective(t, 'portland');
    const other = await collective(t, 'seattle');
    const c = await t.connect();
    const entry = randomBytes(600);
    // Signed by another collective's key, for another position, or for other bytes.
    await refusedWith(c.request('colAppend', { ...append(other, 0, entry), col: 'portland' }), 'BAD_SIGNATURE');
    await refusedWith(c.request('colAppend', { ...append(keys, 1, entry), pos: 0 }), 'BAD_SIGNATURE');
    await refusedWith(c.request('colAppend', { ...append(keys, 0, entry), entry: randomBytes(600) }), 'BAD_SIGNATURE');
    await refusedWith(c.request('colAppend', { ...append(keys, 0, entry), col: 'nowhere' }), 'NOT_FOUND');
    expect(await t.store.readEntries('portland', 0, 10)).toEqual({ entries: [], length: 0 });
    expect(await t.store.readEntries('nowhere', 0, 10)).toEqual({ entries: [], length: 0 });
  });

  it('COL-20 appends and reads on a logged-in connection are FORBIDDEN', async () => {
    t = await startTestOperator();
    const keys = await collective(t, 'portland');
    const { client } = await t.login('alice');
    await refusedWith(client.request('colAppend', append(keys, 0, randomBytes(600))), 'FORBIDDEN');
    await refusedWith(client.request('colRead', { col: 'portland', from: 0 }), 'FORBIDDEN');
    expect((await t.store.readEntries('portland', 0, 10)).length).toBe(0);
  });

  it('COL-22 a full log is QUOTA_EXCEEDED, a full store STORAGE_FULL; an entry over MAX_ENTRY_BYTES is TOO_LARGE', async () => {
    t = await startTestOperator({ limits: { logEntries: 2, storageBytes: 2000 } });
    const keys = await collective(t, 'portland');
    const c = await t.connect();
    await c.request('colAppend', append(keys, 0, randomBytes(600)));
    await refusedWith(c.request('colAppend', append(keys, 1, randomBytes(1500))), 'STORAGE_FULL');
    await c.request('colAppend', append(keys, 1, randomBytes(600)));
    await refusedWith(c.request('colAppend', append(keys, 2, randomBytes(600))), 'QUOTA_EXCEEDED');
    expect((await t.store.readEntries('portland', 0, 10)).length).toBe(2);
    const big = randomBytes(MAX_ENTRY_BYTES + 1);
    c.sendRaw(encodeRequest(9, 'colAppend', { col: 'portland', pos: 2, entry: big, sig: signAppend(keys, 2, big) }));
    expect(await c.nextLoose()).toMatchObject({ type: 'err', code: 'TOO_LARGE' });
    expect((await t.store.readEntries('portland', 0, 10)).length).toBe(2);
  });
});
