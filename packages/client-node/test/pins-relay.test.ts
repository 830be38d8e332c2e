/**
 * Danger pins seen the way the Operator sees them (PIN-7, spec/17-pins.md): a recording relay between two
 * comrades' clients and a real Operator. Alice is logged in (her inbox session stays open) while she pins,
 * votes and asks for pins; no connection that carries a login carries a pin op, no pin op carries a name or
 * a key, and the question names cells of at least 4.9 km, never the point (PIN-8).
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '@comrad/core';
import { decodeRequest } from '@comrad/core/wire';
import { Comrade } from '../src/comrade/comrade.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { containsBytes, startRecordingRelay } from '@comrad/test-kit/client-node/recording-relay';
import { testScope } from '@comrad/test-kit/client-node/scope';

const scope = testScope();
const pass = (name: string) => `${name}'s passphrase, long enough`;
const PIN_OPS = ['pinPut', 'pinVote', 'pins'];

describe('PIN-7 PIN-8 pins seen from a recording relay', () => {
  it('PIN-7 no connection carries both a login and a pin, a vote or a question; none of those names anyone', async () => {
    // A budget of 4 tokens: blinding each costs the client tens of ms, and this test spends 2 per comrade.
    const op = await scope.operator({ tokens: { budget: 4 } });
    const relay = startRecordingRelay(op.url);
    scope.defer(() => relay.close());
    const comrades: Record<'alice' | 'bob', Comrade> = {} as never;
    for (const name of ['alice', 'bob'] as const) {
      const home = await tempHome();
      scope.defer(() => home.remove());
      const setup = await Comrade.connect({ home: home.dir, operator: { name: 'test', url: op.url } });
      await setup.register(`${name}_pr`, pass(name));
      await setup.close();
      comrades[name] = await Comrade.connect({ home: home.dir, operator: { name: 'test', url: await relay.listen(name) }, passphrase: pass(name) });
      scope.defer(() => comrades[name].close());
    }
    const { alice, bob } = comrades;
    await alice.inbox(); // logged in from here on
    const point = { lat: 48.8566, lon: 2.3522 };
    const { id } = await alice.pin({ ...point, kind: 'police', note: 'kettling at the square' });
    await bob.pin({ lat: 48.86, lon: 2.36, kind: 'medical' });
    const seen = await alice.pins({ ...point, radiusKm: 3 });
    expect(seen.map((p) => p.kind).sort()).toEqual(['medical', 'police']);
    await bob.votePin(id, 'confirm');
    await alice.votePin(id, 'confirm');
    await bob.inbox();
    await relay.settled();
    relay.resolve();

    const ups = (c: (typeof relay.connections)[number]) => c.frames.filter((f) => f.dir === 'up').map((f) => f.op);
    const withLogin = relay.connections.filter((c) => ups(c).includes('auth'));
    const withPins = relay.connections.filter((c) => ups(c).some((o) => PIN_OPS.includes(o!)));
    expect(withLogin.length).toBeGreaterThanOrEqual(2);
    expect(withPins.length).toBe(5); // two pins, one question, two votes
    expect(withPins.filter((c) => withLogin.includes(c))).toEqual([]);
    // One act per connection.
    for (const c of withPins) expect(ups(c).filter((o) => PIN_OPS.includes(o!))).toHaveLength(1);
    // No pin op names either comrade, by name or key, in either direction.
    const needles = (['alice', 'bob'] as const).flatMap((n) => [utf8(`${n}_pr`), comrades[n].identity!.publicKey.bytes(), comrades[n].identity!.publicKey.raw]);
    for (const c of withPins) for (const f of c.frames) for (const n of needles) expect(containsBytes(f.bytes, n)).toBe(false);
    // PIN-2, PIN-8: the pin names a 7-character cell, the question 5-character ones: the point itself is in neither.
    const requests = withPins.flatMap((c) => c.frames.filter((f) => f.dir === 'up' && PIN_OPS.includes(f.op!)).map((f) => decodeRequest(f.bytes)));
    const question = requests.find((r) => r.op === 'pins')!;
    expect(question.op === 'pins' && question.params.cells.every((cell) => cell.length === 5)).toBe(true);
    for (const f of withPins.flatMap((c) => c.frames)) expect(containsBytes(f.bytes, utf8('48.85'))).toBe(false);
  });
});
