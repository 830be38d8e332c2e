/**
 * Events end to end, as people would run them (14-events, EVT-*, CLI-*): a `comrad-op` process on LMDB and
 * four `comrad` homes. Alice hosts an event by invitation and invites Bob and Carol; Bob reads the
 * invitation in his inbox and answers; Alice sees his answer and who has not answered; an event posted to
 * the world is seen and answered by Dave, never invited; an event in the past, a title too long and an
 * answer to an unknown event are refused with their codes and change nothing. Every command of the
 * README's Events section runs here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '@comrad/test-kit/client-node/processes';
import { readmeSection, startCast, type Cast, type Run } from '@comrad/test-kit/client-node/cast';

let cast: Cast;
const person = (name: string): Run => (...args) => cast.as(name)(...args);
const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(person) as [Run, Run, Run, Run];
const json = async (run: Run, ...args: string[]) => JSON.parse(ok(await run('--json', ...args))) as Record<string, unknown>;
/** The README's date, moved to tomorrow so the test runs on any day: same form, `YYYY-MM-DDTHH:MMZ/HH:MM`. */
const tomorrow = `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T18:00Z/20:00`;
let id = '';

beforeAll(async () => {
  cast = await startCast('comrad-events-', ['alice', 'bob', 'carol', 'dave']);
}, 120_000);

afterAll(async () => {
  await cast?.stop();
});

describe('comrad event (processes, LMDB)', { timeout: 120_000 }, () => {
  it('EVT-9 the README\'s Events section shows the commands this file runs', async () => {
    const section = await readmeSection('Events');
    for (const command of [
      'event create --title "Tenants assembly" --when 2026-12-01T18:00Z/20:00 --where "Library hall"',
      'event invite 3f2a9c01 bob carol',
      'comrad --home ./bob inbox',
      'event rsvp 3f2a9c01 yes',
      'comrad --home ./alice events',
      'event create --title "March for housing" --when +2d/+3h --where "City hall steps" --to world',
      'comrad --home ./dave events',
      'event create --title "Blockade at the port" --when +1d/+4h --where "Gate 3" --anonymous',
      'event prove <the event id> bob',
      'event create --title "General assembly" --when +3d/+2h --where "Union hall" --to collective portland',
      'event create --title "Dinner for the strike fund" --when +2d/+3h --where "Alice\'s place" --to trusted',
      '[EXPIRED]',
      '[TOO_LARGE]',
      '[NOT_FOUND]',
    ]) {
      expect(section).toContain(command);
    }
  });

  it('EVT-5 EVT-6 an event by invitation: invited, answered, and the host sees who answered what', async () => {
    const created = ok(await alice('event', 'create', '--title', 'Tenants assembly', '--when', tomorrow, '--where', 'Library hall'));
    const m = /^Event ([0-9a-f]{8}) created: "Tenants assembly", \d{4}-\d{2}-\d{2} 18:00–20:00 UTC, at Library hall, for those you invite$/m.exec(created);
    expect(m, created).not.toBeNull();
    id = m![1]!;
    expect(ok(await alice('event', 'invite', id, 'bob', 'carol'))).toContain(`Invited @bob, @carol to event ${id}.`);

    const inbox = ok(await bob('inbox'));
    expect(inbox).toContain('@alice');
    expect(inbox).toContain('invites you to "Tenants assembly"');
    expect(inbox).toContain(`To answer: comrad event rsvp ${id} yes|no|maybe`);
    expect(ok(await bob('event', 'rsvp', id, 'yes'))).toContain(`Answered yes to @alice's event ${id}.`);

    // Two homes, two processes side by side (one home is never opened by two runs at once).
    const bobs = json(bob, 'events');
    const listed = ok(await alice('events'));
    expect(listed).toContain(`${id}  "Tenants assembly" by @alice`);
    expect(listed).toContain('1 answer');
    expect(listed).toMatch(/@bob: yes/);
    expect(listed).toContain('not answered: @carol');
    const mine = (await json(alice, 'events')).events as Array<Record<string, unknown>>;
    expect(mine).toEqual([expect.objectContaining({ role: 'host', title: 'Tenants assembly', invited: ['bob', 'carol'], rsvps: [expect.objectContaining({ name: 'bob', answer: 'yes' })] })]);
    expect(((await bobs).events as unknown[])[0]).toMatchObject({ role: 'invited', host: 'alice', answer: 'yes' });
  });

  it('EVT-7 an event posted to the world: dave, never invited, sees it and answers', async () => {
    const created = ok(await alice('event', 'create', '--title', 'March for housing', '--when', '+2d/+3h', '--where', 'City hall steps', '--to', 'world'));
    expect(created).toMatch(/created: "March for housing", .*, posted to the world$/m);
    const seen = ok(await dave('events'));
    expect(seen).toContain('"March for housing" by @alice');
    expect(seen).toContain('in the world feed; answer: comrad event rsvp');
    const world = ((await json(dave, 'events')).events as Array<{ id: string; role: string }>)[0]!;
    expect(world.role).toBe('seen');
    ok(await dave('event', 'rsvp', world.id, 'maybe'));
    const [hosted, feed] = await Promise.all([json(alice, 'events'), dave('feed')]);
    expect((hosted.events as Array<{ title: string; rsvps: unknown[] }>).find((e) => e.title === 'March for housing')!.rsvps).toEqual([expect.objectContaining({ name: 'dave', answer: 'maybe' })]);
    // The feed shows posts; the event is listed by `events`, not shown as a post or as a failure.
    expect(ok(feed)).toContain('The feed is empty.');
  });

  it('EVT-10 EVT-12 an anonymous event: dave sees it without its host and answers; alice reads the answer', async () => {
    const created = ok(await alice('event', 'create', '--title', 'Blockade at the port', '--when', '+1d/+4h', '--where', 'Gate 3', '--anonymous'));
    expect(created).toMatch(/created: "Blockade at the port", .*, posted to the world anonymously$/m);
    const seen = ok(await dave('events'));
    expect(seen).toContain('"Blockade at the port" by an anonymous host');
    expect(seen).toContain('in the world, hosted anonymously');
    const anon = ((await json(dave, 'events')).events as Array<{ id: string; title: string; host: string }>).find((e) => e.title === 'Blockade at the port')!;
    expect(anon.host).toBe('');
    ok(await dave('event', 'rsvp', anon.id, 'yes'));
    expect(ok(await alice('events'))).toMatch(/you host it anonymously, posted to the world; 1 answer\n\s+@dave: yes/);
    // EVT-17: alice shows bob, and only bob, that she hosts it.
    expect(ok(await alice('event', 'prove', anon.id.slice(0, 8), 'bob'))).toContain(`Sent @bob a proof that you host the anonymous event ${anon.id.slice(0, 8)}.`);
    const [toBob, toDave] = (await Promise.all([bob('events'), dave('events')])).map(ok);
    expect(toBob).toContain('"Blockade at the port" by @alice');
    expect(toBob).toContain('@alice proved they host this anonymous event');
    expect(toDave).toContain('"Blockade at the port" by an anonymous host');
  });

  it('EVT-14 an event for a collective: bob, a member, sees it; carol, outside, does not', async () => {
    ok(await alice('collective', 'found', 'portland'));
    ok(await alice('collective', 'invite', 'portland', 'bob'));
    ok(await bob('collective', 'request', 'portland'));
    ok(await alice('collective', 'vouch', 'portland', 'bob'));
    const created = ok(await alice('event', 'create', '--title', 'General assembly', '--when', '+3d/+2h', '--where', 'Union hall', '--to', 'collective', 'portland'));
    expect(created).toMatch(/created: "General assembly", .*, posted to the members of @portland$/m);
    const [seen, outside] = (await Promise.all([bob('events'), carol('events')])).map(ok);
    expect(seen).toContain('"General assembly" by @alice');
    expect(seen).toContain('for the members of @portland; answer: comrad event rsvp');
    expect(outside).not.toContain('General assembly');
  });

  it('EVT-16 an event for those alice trusts: carol, trusted, sees it', async () => {
    ok(await alice('trust', 'carol'));
    // Carol takes the circle key from her inbox while alice posts the event under it.
    const [, created] = (await Promise.all([carol('inbox'), alice('event', 'create', '--title', 'Dinner for the strike fund', '--when', '+2d/+3h', '--where', "Alice's place", '--to', 'trusted')])).map(ok);
    expect(created).toMatch(/created: "Dinner for the strike fund", .*, posted to those you trust$/m);
    const seen = ok(await carol('events'));
    expect(seen).toContain('"Dinner for the strike fund" by @alice');
    expect(seen).toContain('for those @alice trusts; answer: comrad event rsvp');
  });

  it('EVT-9 an event in the past, a title too long, an answer to an unknown event: typed errors, nothing changed', async () => {
    const before = JSON.stringify(await json(alice, 'events'));
    // Carol's and dave's refused answers run beside alice's refused creations (other homes); alice's
    // events are compared once all are done: had any refusal changed them, they would differ.
    const [unknown, notInvited] = await Promise.all([
      carol('event', 'rsvp', 'deadbeef', 'yes'),
      // Carol was invited; dave was not: his answer to the invitation-only event is refused and not sent.
      dave('event', 'rsvp', id, 'yes'),
      (async () => {
        const past = await alice('event', 'create', '--title', 'Last year', '--when', '2020-01-01T18:00Z/20:00', '--where', 'Park', '--to', 'world');
        expect(past.code).toBe(1);
        expect(past.stderr).toMatch(/^comrad: error: .* \[EXPIRED\]$/m);
        const long = await alice('event', 'create', '--title', 't'.repeat(121), '--when', tomorrow, '--where', 'Park');
        expect(long.code).toBe(1);
        expect(long.stderr).toMatch(/^comrad: error: .*120.* \[TOO_LARGE\]$/m);
        expect((await alice('event', 'rsvp', id, 'perhaps')).code).toBe(2);
        expect((await alice('event', 'create', '--title', 'x', '--when', 'tomorrow', '--where', 'y')).code).toBe(2);
      })(),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[NOT_FOUND]');
    expect(notInvited.code).toBe(1);
    expect(notInvited.stderr).toContain('[NOT_FOUND]');
    expect(JSON.stringify(await json(alice, 'events'))).toBe(before);
  });
});
