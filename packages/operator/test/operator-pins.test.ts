/**
 * Danger pins on the Operator (spec/17-pins.md): left, voted on and listed only on connections that are
 * not logged in (PIN-7); each pin and vote paid with an unlinkable token (PIN-10); no author anywhere; the
 * lifetime cut to the Operator's maximum (PIN-4); votes move it, once per nullifier (PIN-6); bad input is a
 * typed error with nothing changed and no token spent; the sweep.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '@comrad/core';
import { pinCell } from '@comrad/core/pins';
import { blindTokens } from '@comrad/core/tokens';
import type { TestClient } from '@comrad/test-kit/operator/client';
import { refusedWith, startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';
import type { ServerLimits } from '@comrad/operator';
import { dumpLines } from '@comrad/test-kit/operator/store-conformance/tokens';

let t: TestOperator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const HOUR = 3_600_000;
const cell = pinCell(52.52, 13.405);

/** An Operator, an anonymous connection, and `n` tokens a logged-in comrade obtained (TOK-3). */
async function start(n: number, limits: Partial<ServerLimits> = {}): Promise<{ anon: TestClient; logged: TestClient; tokens: Uint8Array[] }> {
  t = await startTestOperator({ tokens: { budget: 100 }, limits });
  const { client: logged } = await t.login('alice');
  const anon = await t.connect();
  const { keys } = await anon.request('tokenKeys', {});
  const blinded = await blindTokens(keys[0]!.key, n);
  const { responses } = await logged.request('tokens', { requests: blinded.requests });
  return { anon, logged, tokens: await blinded.finish(responses) };
}

describe('PIN-4..PIN-10 pins on the Operator', () => {
  it('PIN-5 PIN-7 PIN-8 PIN-10 a pin paid with a token is listed by prefix with its counts, and stored without any author', async () => {
    const { anon, logged, tokens } = await start(2);
    const put = await anon.request('pinPut', { cell, kind: 'police', note: 'two vans', ttl: 7200, token: tokens[0]! });
    expect(put.expiresAt).toBe(t!.clock.now() + 2 * HOUR);
    expect(put.id).toMatch(/^[0-9a-f]{32}$/);
    const reader = await t!.connect();
    const { pins } = await reader.request('pins', { cells: [cell.slice(0, 5)] });
    expect(pins).toEqual([{ id: put.id, cell, kind: 'police', note: 'two vans', createdAt: t!.clock.now(), expiresAt: put.expiresAt, confirms: 0, denies: 0 }]);
    // PIN-7: never on a logged-in connection, so no pin, vote or question is tied to a name.
    await refusedWith(logged.request('pinPut', { cell, kind: 'police', ttl: 600, token: tokens[1]! }), 'FORBIDDEN');
    await refusedWith(logged.request('pins', { cells: [cell] }), 'FORBIDDEN');
    await refusedWith(logged.request('pinVote', { pin: put.id, vote: 'confirm', nullifier: randomBytes(32), token: tokens[1]! }), 'FORBIDDEN');
    const pinEntries = (await t!.store.dump()).filter(([k]) => k.startsWith('pin'));
    expect(pinEntries.length).toBeGreaterThan(0);
    expect(JSON.stringify(pinEntries.map(([k, v]) => [k, Buffer.from(v).toString('latin1')]))).not.toMatch(/alice/);
  });

  it('PIN-10 TOK-8 no token is TOKEN_REQUIRED; a spent token pays for nothing else; the same paid pin again answers the pin it made', async () => {
    const { anon, tokens } = await start(1);
    await refusedWith(anon.request('pinPut', { cell, kind: 'danger', ttl: 600 }), 'TOKEN_REQUIRED');
    await refusedWith(anon.request('pinPut', { cell, kind: 'danger', ttl: 600, token: randomBytes(354) }), 'TOKEN_INVALID');
    expect((await anon.request('pins', { cells: [cell] })).pins).toEqual([]);
    const first = await anon.request('pinPut', { cell, kind: 'danger', ttl: 600, token: tokens[0]! });
    expect(await anon.request('pinPut', { cell, kind: 'danger', ttl: 600, token: tokens[0]! })).toEqual(first);
    await refusedWith(anon.request('pinPut', { cell, kind: 'fire', ttl: 600, token: tokens[0]! }), 'TOKEN_SPENT');
    await refusedWith(anon.request('pinVote', { pin: first.id, vote: 'confirm', nullifier: randomBytes(32), token: tokens[0]! }), 'TOKEN_SPENT');
    expect((await anon.request('pins', { cells: [cell] })).pins).toMatchObject([{ id: first.id, kind: 'danger', confirms: 0 }]);
  });

  it('PIN-4 a ttl above the Operator maximum is cut to it', async () => {
    const { anon, tokens } = await start(1, { maxPinTtlMs: HOUR });
    expect((await anon.request('pinPut', { cell, kind: 'danger', ttl: 86_400, token: tokens[0]! })).expiresAt).toBe(t!.clock.now() + HOUR);
  });

  it('PIN-6 PIN-10 a confirm extends, a deny shortens; a second vote by the same nullifier is DUPLICATE, changes nothing and spends no token', async () => {
    const { anon: c, tokens } = await start(5);
    const { id, expiresAt } = await c.request('pinPut', { cell, kind: 'medical', ttl: 3600, token: tokens[0]! });
    const n = randomBytes(32);
    expect(await c.request('pinVote', { pin: id, vote: 'confirm', nullifier: n, token: tokens[1]! })).toEqual({ expiresAt: expiresAt + HOUR / 2, confirms: 1, denies: 0 });
    const before = await dumpLines(t!.store);
    await refusedWith(c.request('pinVote', { pin: id, vote: 'confirm', nullifier: n, token: tokens[2]! }), 'DUPLICATE');
    await refusedWith(c.request('pinVote', { pin: id, vote: 'deny', nullifier: n, token: tokens[2]! }), 'DUPLICATE');
    expect(await dumpLines(t!.store)).toEqual(before);
    await refusedWith(c.request('pinVote', { pin: id, vote: 'deny', nullifier: randomBytes(32) }), 'TOKEN_REQUIRED');
    // tokens[2] was refused twice without being burned: it still pays for another comrade's deny.
    expect(await c.request('pinVote', { pin: id, vote: 'deny', nullifier: randomBytes(32), token: tokens[2]! })).toEqual({ expiresAt, confirms: 1, denies: 1 });
    expect((await c.request('pins', { cells: [cell] })).pins[0]).toMatchObject({ expiresAt, confirms: 1, denies: 1 });
    await refusedWith(c.request('pinVote', { pin: randomBytes(16).toString('hex'), vote: 'confirm', nullifier: randomBytes(32), token: tokens[3]! }), 'NOT_FOUND');
    expect(await c.request('pinVote', { pin: id, vote: 'confirm', nullifier: randomBytes(32), token: tokens[3]! })).toMatchObject({ confirms: 2 });
  });

  it('PIN-5 PIN-6 an expired pin: not listed, a vote on it is EXPIRED (its token kept), the sweep deletes it and its votes', async () => {
    const { anon: c, tokens } = await start(4);
    const { id } = await c.request('pinPut', { cell, kind: 'fire', ttl: 60, token: tokens[0]! });
    const n = randomBytes(32);
    await c.request('pinVote', { pin: id, vote: 'deny', nullifier: n, token: tokens[1]! });
    t!.clock.advance(60_000);
    expect((await c.request('pins', { cells: [cell] })).pins).toEqual([]);
    const before = await dumpLines(t!.store);
    await refusedWith(c.request('pinVote', { pin: id, vote: 'confirm', nullifier: randomBytes(32), token: tokens[2]! }), 'EXPIRED');
    expect(await dumpLines(t!.store)).toEqual(before);
    await t!.op.sweep();
    expect(JSON.stringify(await t!.store.dump())).not.toContain(id);
    await refusedWith(c.request('pinVote', { pin: id, vote: 'confirm', nullifier: randomBytes(32), token: tokens[2]! }), 'NOT_FOUND');
    expect((await c.request('pinPut', { cell, kind: 'fire', ttl: 600, token: tokens[2]! })).id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('PIN-5 bad input is a typed error and stores nothing: an unknown kind, a long note, a cell out of the alphabet, a full store', async () => {
    const { anon: c, tokens } = await start(2, { maxPins: 1 });
    const raw = async (fields: Record<string, unknown>) => {
      c.sendRaw(encode({ id: 9, op: 'pinPut', cell, kind: 'police', ttl: 600, token: tokens[0]!, ...fields }));
      return c.nextLoose();
    };
    expect(await raw({ kind: 'cops' })).toMatchObject({ type: 'err', code: 'UNSUPPORTED_KIND' });
    expect(await raw({ note: 'x'.repeat(141) })).toMatchObject({ type: 'err', code: 'TOO_LARGE' });
    expect(await raw({ cell: 'u33dcai' })).toMatchObject({ type: 'err', code: 'MALFORMED' });
    expect(await raw({ ttl: 10 })).toMatchObject({ type: 'err', code: 'MALFORMED' });
    expect((await t!.store.dump()).filter(([k]) => k.startsWith('pin'))).toEqual([]);
    await c.request('pinPut', { cell, kind: 'police', ttl: 600, token: tokens[0]! });
    await refusedWith(c.request('pinPut', { cell, kind: 'police', ttl: 600, token: tokens[1]! }), 'QUOTA_EXCEEDED');
    expect((await c.request('pins', { cells: [cell] })).pins).toHaveLength(1);
  });
});
