/**
 * Events through the Comrade API against a real Operator (14-events, EVT-*): an event by invitation only,
 * invitations and answers as sealed letters (EVT-5, EVT-6), the host seeing each comrade's latest
 * answer, a world event seen and answered by a comrade never invited (EVT-7), bad input refused with
 * nothing sent or kept (EVT-9), and everything forgotten when the event ends, by the clients and by the
 * Operator (EVT-8).
 */
import { describe, expect, it } from 'vitest';
import { ComradError } from '@comrad/core';
import { MAX_EVENT_TITLE_CHARS } from '@comrad/core/envelope';
import { Comrade } from '../src/comrade/comrade.js';
import { UsageError } from '../src/errors.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { testScope } from '@comrad/test-kit/client-node/scope';

const PASS = 'correct horse battery staple';
const scope = testScope();
const HOUR = 3600;

async function registered(op: { url: string }, name: string, now?: () => number): Promise<Comrade> {
  const c = await Comrade.connect({ home: (await tempHome()).dir, operator: { name: 'test', url: op.url }, ...(now ? { now } : {}) });
  scope.defer(() => c.close());
  await c.register(name, PASS);
  return c;
}

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (ComradError.is(e) || e instanceof UsageError ? e.code : String(e)));
const nowS = () => Math.floor(Date.now() / 1000);

describe('Comrade events (EVT-*)', () => {
  it('EVT-5 EVT-6 EVT-9 an event by invitation: the invitee sees it and answers; the host sees the latest answer; others cannot answer', async () => {
    const op = await scope.operator();
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    const start = nowS() + 24 * HOUR;
    const e = await alice.createEvent({ title: 'Tenants assembly', start, end: start + 2 * HOUR, where: 'Library hall', note: 'Bring the rent notices.' });
    expect(e).toMatchObject({ role: 'host', host: 'alice', to: 'invited', invited: [], rsvps: [] });
    // EVT-9: bob knows of no such event yet: nothing is sent.
    expect(await codeOf(bob.rsvp(e.id, 'yes'))).toBe('NOT_FOUND');
    expect(await op.store.listMail('alice', Date.now(), 10)).toHaveLength(0);

    expect(await alice.inviteToEvent(e.id.slice(0, 8), ['@Bob'])).toEqual({ id: e.id, invited: ['bob'] });
    // EVT-8: the Operator deletes the invitation at the event's end if bob never fetches it.
    expect(await op.store.listMail('bob', (start + 2 * HOUR) * 1000 - 5000, 10)).toHaveLength(1);
    expect(await op.store.listMail('bob', (start + 2 * HOUR) * 1000 + 5000, 10)).toHaveLength(0);
    const { received } = await bob.inbox();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'alice', kind: 'invite' });
    expect(received[0]!.text).toContain('invites you to "Tenants assembly"');
    expect(received[0]!.text).toContain(`comrad event rsvp ${e.id.slice(0, 8)}`);
    expect(await bob.events()).toEqual([expect.objectContaining({ id: e.id, role: 'invited', host: 'alice', title: 'Tenants assembly', start, where: 'Library hall', note: 'Bring the rent notices.' })]);

    expect(await bob.rsvp(e.id.slice(0, 10), 'yes')).toEqual({ id: e.id, host: 'alice', answer: 'yes' });
    expect((await bob.events())[0]).toMatchObject({ answer: 'yes' });
    expect((await alice.events())[0]!.rsvps).toEqual([expect.objectContaining({ name: 'bob', answer: 'yes' })]);
    // EVT-6: bob changes his mind a second later; the latest answer counts.
    await new Promise((r) => setTimeout(r, 1100));
    await bob.rsvp(e.id, 'maybe');
    const [hosted] = await alice.events();
    expect(hosted!.rsvps).toEqual([expect.objectContaining({ name: 'bob', answer: 'maybe' })]);
    expect(hosted!.invited).toEqual(['bob']);

    // EVT-9: carol was not invited and cannot answer; alice cannot answer her own event.
    expect(await codeOf(carol.rsvp(e.id, 'yes'))).toBe('NOT_FOUND');
    expect(await carol.events()).toEqual([]);
    expect(await codeOf(alice.rsvp(e.id, 'yes'))).toBe('NOT_FOUND');
    expect(await codeOf(alice.inviteToEvent('00000000', ['bob']))).toBe('NOT_FOUND');
    expect(await codeOf(bob.inviteToEvent(e.id, ['carol']))).toBe('NOT_FOUND');
  });

  it('EVT-7 a world event: in the feed, seen and answered by a comrade never invited; not a post', async () => {
    const op = await scope.operator();
    const [alice, carol] = [await registered(op, 'alice'), await registered(op, 'carol')];
    const start = nowS() + 3 * 24 * HOUR;
    await alice.post('the assembly is on');
    const e = await alice.createEvent({ title: 'March for housing', start, end: start + 3 * HOUR, where: 'City hall steps', to: 'world' });
    const page = await carol.feed();
    expect(page.posts.map((p) => p.text)).toEqual(['the assembly is on']);
    expect(page.rejected).toEqual([]);
    expect(page.events?.map((x) => x.body.title)).toEqual(['March for housing']);
    expect(await carol.events()).toEqual([expect.objectContaining({ id: e.id, role: 'seen', host: 'alice', title: 'March for housing' })]);
    await carol.rsvp(e.id, 'yes');
    expect((await alice.events())[0]).toMatchObject({ role: 'host', to: 'world', rsvps: [expect.objectContaining({ name: 'carol', answer: 'yes' })] });
    // EVT-8: the Operator's copy expires at the end (a ttl, FEED-4), not up to a day later as whole days
    // would have it: only the request's own latency separates the two.
    const stored = await op.store.listPosts(Date.now(), 10);
    const world = stored.find((p) => p.author === 'alice' && p.expiresAt >= (start + 3 * HOUR) * 1000);
    expect(world!.expiresAt).toBeLessThanOrEqual((start + 3 * HOUR) * 1000 + 10_000);
  });

  it('EVT-9 an event in the past, a title too long, an expiry after the end: typed errors, nothing posted or kept', async () => {
    const op = await scope.operator();
    const alice = await registered(op, 'alice');
    const start = nowS() + HOUR;
    expect(await codeOf(alice.createEvent({ title: 'Last week', start: nowS() - 10 * HOUR, end: nowS() - 8 * HOUR, where: 'Park', to: 'world' }))).toBe('EXPIRED');
    expect(await codeOf(alice.createEvent({ title: 't'.repeat(MAX_EVENT_TITLE_CHARS + 1), start, end: start + HOUR, where: 'Park', to: 'world' }))).toBe('TOO_LARGE');
    expect(await codeOf(alice.createEvent({ title: 'Picnic', start, end: start + HOUR, where: 'Park', to: 'world', expires: start + 2 * HOUR }))).toBe('BAD_ARGUMENT');
    expect(await codeOf(alice.createEvent({ title: 'Picnic', start, end: start, where: 'Park' }))).toBe('MALFORMED');
    expect(await op.store.listPosts(Date.now(), 10)).toEqual([]);
    expect(await alice.events()).toEqual([]);
  });

  it('EVT-8 when the event ends, the host and the invitee forget it: no event, no invitation, no answer', async () => {
    const op = await scope.operator();
    let skew = 0;
    const clock = () => Date.now() + skew;
    const [alice, bob] = [await registered(op, 'alice', clock), await registered(op, 'bob', clock)];
    const start = nowS() + HOUR;
    const e = await alice.createEvent({ title: 'Picnic', start, end: start + HOUR, where: 'Park' });
    await alice.inviteToEvent(e.id, ['bob']);
    await bob.rsvp(e.id, 'yes');
    expect((await alice.events())[0]!.rsvps).toHaveLength(1);
    expect((await bob.letters()).filter((l) => l.kind === 'invite')).toHaveLength(1);
    // Three hours later, on both clocks (the sessions are open already: no new login with a skewed time).
    skew = 3 * HOUR * 1000;
    expect(await bob.events()).toEqual([]);
    expect((await bob.letters()).filter((l) => l.kind === 'invite')).toEqual([]);
    expect(await alice.events()).toEqual([]);
    expect(await codeOf(bob.rsvp(e.id, 'no'))).toBe('NOT_FOUND');
    expect(await codeOf(alice.inviteToEvent(e.id, ['bob']))).toBe('NOT_FOUND');
  });

  it('EVT-10 EVT-12 EVT-13 an anonymous event: seen without its host, answered into its one-time mailbox, the answers read by the host alone', async () => {
    const op = await scope.operator();
    const [alice, carol, dave] = [await registered(op, 'alice'), await registered(op, 'carol'), await registered(op, 'dave')];
    const start = nowS() + 24 * HOUR;
    expect(await alice.tokenCount()).toBe(0);
    const e = await alice.createEvent({ title: 'Blockade at the port', start, end: start + 4 * HOUR, where: 'Gate 3', anonymous: true });
    expect(e).toMatchObject({ role: 'host', anonymous: true, to: 'world' });
    // EVT-15: paid with one token of the day's budget (obtained when the wallet was empty), not with work.
    const left = await alice.tokenCount();
    expect(left).toBeGreaterThan(0);
    await alice.createEvent({ title: 'Second blockade', start, end: start + HOUR, where: 'Gate 4', anonymous: true });
    expect(await alice.tokenCount()).toBe(left - 1);
    // EVT-13: an invitation would be signed by alice.
    expect(await codeOf(alice.inviteToEvent(e.id, ['carol']))).toBe('BAD_ARGUMENT');
    // Not in the world feed (no author there), in the day's channel of anonymous events.
    expect((await carol.feed()).events).toBeUndefined();
    const seenAll = await carol.events();
    expect(seenAll).toHaveLength(2);
    const seen = seenAll.find((x) => x.id === e.id);
    expect(seen).toMatchObject({ id: e.id, role: 'seen', anonymous: true, host: '', title: 'Blockade at the port', where: 'Gate 3' });
    await carol.rsvp(e.id, 'yes');
    await dave.rsvp(e.id.slice(0, 8), 'maybe');
    const hosted = (await alice.events()).find((x) => x.id === e.id);
    expect(hosted!.rsvps).toEqual([expect.objectContaining({ name: 'carol', answer: 'yes' }), expect.objectContaining({ name: 'dave', answer: 'maybe' })]);
    // EVT-13: nothing the Operator keeps names alice beside the event: no world post by her, no mail to
    // her, and every byte it holds that is not her registry record lacks her name and her key.
    expect(await op.store.listPosts(Date.now(), 10)).toEqual([]);
    expect(await op.store.listMail('alice', Date.now(), 10)).toEqual([]);
    const aliceKey = Buffer.from(alice.identity!.publicKey.bytes());
    for (const [key, value] of await op.store.dump()) {
      if (typeof value === 'string' || key.includes('alice')) continue;
      expect(Buffer.from(value).includes(aliceKey), key).toBe(false);
      expect(Buffer.from(value).includes(Buffer.from('alice')), key).toBe(false);
    }
  });

  it('EVT-14 an event for a collective: its members see it and answer; a comrade outside does not see it', async () => {
    const op = await scope.operator();
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    const rule = { permille: 300, min: 1, cap: 10 };
    await alice.found('portland', { admit: rule, amend: rule });
    await alice.invite('portland', 'bob');
    await bob.request('portland');
    expect((await alice.vouch('portland', 'bob')).admitted).toBe(true);
    const start = nowS() + 24 * HOUR;
    const e = await alice.createEvent({ title: 'General assembly', start, end: start + 2 * HOUR, where: 'Union hall', to: 'collective', collective: 'Portland' });
    expect(e).toMatchObject({ role: 'host', to: 'collective', collective: 'portland' });
    // Not a message for the members' feed, not in the world feed.
    expect((await bob.collectiveFeed('portland')).messages).toEqual([]);
    expect((await bob.feed()).events).toBeUndefined();
    const [seen] = await bob.events();
    expect(seen).toMatchObject({ id: e.id, role: 'seen', host: 'alice', collective: 'portland', title: 'General assembly' });
    await bob.rsvp(e.id, 'yes');
    expect((await alice.events())[0]!.rsvps).toEqual([expect.objectContaining({ name: 'bob', answer: 'yes' })]);
    expect(await carol.events()).toEqual([]);
    expect(await codeOf(carol.rsvp(e.id, 'yes'))).toBe('NOT_FOUND');
    // Only a member posts to the members.
    expect(await codeOf(carol.createEvent({ title: 'Intrusion', start, end: start + HOUR, where: 'x', to: 'collective', collective: 'portland' }))).toBe('NOT_MEMBER');
    expect(await carol.events()).toEqual([]);
  });

  it('EVT-16 an event for those one trusts: the trusted see it and answer; others do not; without a circle nothing is kept', async () => {
    const op = await scope.operator();
    const [alice, bob, carol] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'carol')];
    const start = nowS() + 24 * HOUR;
    expect(await codeOf(alice.createEvent({ title: 'Dinner', start, end: start + 2 * HOUR, where: 'My place', to: 'trusted' }))).toBe('NO_CIRCLE');
    expect(await alice.events()).toEqual([]);
    await alice.trust('bob');
    await bob.inbox(); // the circle key arrives as a letter (CIR-2)
    const e = await alice.createEvent({ title: 'Dinner', start, end: start + 2 * HOUR, where: 'My place', to: 'trusted' });
    expect(e).toMatchObject({ role: 'host', to: 'trusted' });
    // Listed with the events, not among the trusted posts.
    expect((await bob.circleFeed()).posts.filter((p) => p.kind === 'post')).toEqual([]);
    const [seen] = await bob.events();
    expect(seen).toMatchObject({ id: e.id, role: 'seen', host: 'alice', circle: 'alice', title: 'Dinner' });
    // EVT-8: the channel's copy goes at the end too (CHAN-7's ttl).
    const [post] = (await bob.circleFeed()).posts.filter((p) => p.kind === 'event');
    expect(post!.expiresAt).toBeGreaterThanOrEqual((start + 2 * HOUR) * 1000);
    expect(post!.expiresAt).toBeLessThanOrEqual((start + 2 * HOUR) * 1000 + 10_000);
    await bob.rsvp(e.id, 'yes');
    expect((await alice.events())[0]!.rsvps).toEqual([expect.objectContaining({ name: 'bob', answer: 'yes' })]);
    expect(await carol.events()).toEqual([]);
  });

  it('EVT-17 the host of an anonymous event proves it to one comrade, who sees the host; the others still do not', async () => {
    const op = await scope.operator();
    const [alice, bob, mallory] = [await registered(op, 'alice'), await registered(op, 'bob'), await registered(op, 'mallory')];
    const start = nowS() + 24 * HOUR;
    const e = await alice.createEvent({ title: 'Blockade at the port', start, end: start + 4 * HOUR, where: 'Gate 3', anonymous: true });
    expect(await alice.proveHost(e.id.slice(0, 8), 'bob')).toEqual({ id: e.id, to: 'bob' });
    const [proven] = await bob.events();
    expect(proven).toMatchObject({ id: e.id, role: 'invited', host: 'alice', anonymous: true, hostProof: 'verified' });
    // Mallory sees the event, without its host.
    expect((await mallory.events())[0]).toMatchObject({ id: e.id, role: 'seen', host: '', anonymous: true });
    // Proving a world event, or one not hosted here: NOT_FOUND, nothing sent.
    expect(await codeOf(bob.proveHost(e.id, 'mallory'))).toBe('NOT_FOUND');
    const world = await alice.createEvent({ title: 'Open day', start, end: start + HOUR, where: 'Hall', to: 'world' });
    expect(await codeOf(alice.proveHost(world.id, 'bob'))).toBe('NOT_FOUND');
  });
});
