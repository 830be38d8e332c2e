/**
 * Danger pins on the Operator (spec/17-pins.md): left, voted on and listed only on connections that are
 * not logged in (PIN-7); no author anywhere; the lifetime cut to the Operator's maximum (PIN-4); votes
 * move it, once per nullifier (PIN-6); bad input is a typed error with nothing changed; the sweep.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '@comrad/core';
import { pinCell } from '@comrad/core/pins';
import { refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const HOUR = 3_600_000;
const cell = pinCell(52.52, 13.405);

describe('PIN-4..PIN-8 pins on the Operator', () => {
  it('PIN-5 PIN-7 PIN-8 a pin left anonymously is listed by prefix with its counts, and stored without any author', async () => {
    t = await startTestOperator();
    const { client: logged } = await t.login('alice');
    const anon = await t.connect();
    const put = await anon.request('pinPut', { cell, kind: 'police', note: 'two vans', ttl: 7200 });
    expect(put.expiresAt).toBe(t.clock.now() + 2 * HOUR);
    expect(put.id).toMatch(/^[0-9a-f]{32}$/);
    const reader = await t.connect();
    const { pins } = await reader.request('pins', { cells: [cell.slice(0, 5)] });
    expect(pins).toEqual([{ id: put.id, cell, kind: 'police', note: 'two vans', createdAt: t.clock.now(), expiresAt: put.expiresAt, confirms: 0, denies: 0 }]);
    // PIN-7: never on a logged-in connection, so no pin, vote or question is tied to a name.
    await refusedWith(logged.request('pinPut', { cell, kind: 'police', ttl: 600 }), 'FORBIDDEN');
    await refusedWith(logged.request('pins', { cells: [cell] }), 'FORBIDDEN');
    await refusedWith(logged.request('pinVote', { pin: put.id, vote: 'confirm', nullifier: randomBytes(32) }), 'FORBIDDEN');
    const pinEntries = (await t.store.dump()).filter(([k]) => k.startsWith('pin'));
    expect(pinEntries.length).toBeGreaterThan(0);
    expect(JSON.stringify(pinEntries.map(([k, v]) => [k, Buffer.from(v).toString('latin1')]))).not.toMatch(/alice/);
  });

  it('PIN-4 a ttl above the Operator maximum is cut to it', async () => {
    t = await startTestOperator({ limits: { maxPinTtlMs: HOUR } });
    const c = await t.connect();
    expect((await c.request('pinPut', { cell, kind: 'danger', ttl: 86_400 })).expiresAt).toBe(t.clock.now() + HOUR);
  });

  it('PIN-6 a confirm extends, a deny shortens, a second vote by the same nullifier is DUPLICATE with nothing changed', async () => {
    t = await startTestOperator();
    const c = await t.connect();
    const { id, expiresAt } = await c.request('pinPut', { cell, kind: 'medical', ttl: 3600 });
    const n = randomBytes(32);
    expect(await c.request('pinVote', { pin: id, vote: 'confirm', nullifier: n })).toEqual({ expiresAt: expiresAt + HOUR / 2, confirms: 1, denies: 0 });
    await refusedWith(c.request('pinVote', { pin: id, vote: 'confirm', nullifier: n }), 'DUPLICATE');
    await refusedWith(c.request('pinVote', { pin: id, vote: 'deny', nullifier: n }), 'DUPLICATE');
    expect(await c.request('pinVote', { pin: id, vote: 'deny', nullifier: randomBytes(32) })).toEqual({ expiresAt, confirms: 1, denies: 1 });
    expect((await c.request('pins', { cells: [cell] })).pins[0]).toMatchObject({ expiresAt, confirms: 1, denies: 1 });
    await refusedWith(c.request('pinVote', { pin: randomBytes(16).toString('hex'), vote: 'confirm', nullifier: randomBytes(32) }), 'NOT_FOUND');
  });

  it('PIN-5 PIN-6 an expired pin: not listed, a vote on it is EXPIRED, the sweep deletes it and its votes', async () => {
    t = await startTestOperator();
    const c = await t.connect();
    const { id } = await c.request('pinPut', { cell, kind: 'fire', ttl: 60 });
    const n = randomBytes(32);
    await c.request('pinVote', { pin: id, vote: 'deny', nullifier: n });
    t.clock.advance(60_000);
    expect((await c.request('pins', { cells: [cell] })).pins).toEqual([]);
    await refusedWith(c.request('pinVote', { pin: id, vote: 'confirm', nullifier: randomBytes(32) }), 'EXPIRED');
    await t.op.sweep();
    expect(JSON.stringify(await t.store.dump())).not.toContain(id);
    await refusedWith(c.request('pinVote', { pin: id, vote: 'confirm', nullifier: randomBytes(32) }), 'NOT_FOUND');
  });

  it('PIN-5 bad input is a typed error and stores nothing: an unknown kind, a long note, a cell out of the alphabet, a full store', async () => {
    t = await startTestOperator({ limits: { maxPins: 1 } });
    const c = await t.connect();
    const raw = async (fields: Record<string, unknown>) => {
      c.sendRaw(encode({ id: 9, op: 'pinPut', cell, kind: 'police', ttl: 600, ...fields }));
      return c.nextLoose();
    };
    expect(await raw({ kind: 'cops' })).toMatchObject({ type: 'err', code: 'UNSUPPORTED_KIND' });
    expect(await raw({ note: 'x'.repeat(141) })).toMatchObject({ type: 'err', code: 'TOO_LARGE' });
    expect(await raw({ cell: 'u33dcai' })).toMatchObject({ type: 'err', code: 'MALFORMED' });
    expect(await raw({ ttl: 10 })).toMatchObject({ type: 'err', code: 'MALFORMED' });
    expect(await t.store.dump()).toEqual([]);
    await c.request('pinPut', { cell, kind: 'police', ttl: 600 });
    await refusedWith(c.request('pinPut', { cell, kind: 'police', ttl: 600 }), 'QUOTA_EXCEEDED');
    expect((await c.request('pins', { cells: [cell] })).pins).toHaveLength(1);
  });
});
