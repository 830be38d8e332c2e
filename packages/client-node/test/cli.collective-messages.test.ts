/**
 * Messages to a collective end to end, as people would run them (COL-28..COL-35, CLI-*): a `comrad-op`
 * process on LMDB and four `comrad` homes. Members post, text and an image, and read each other's
 * messages; a member is expelled and one leaves; the next messages are read by the members and by neither
 * of them, who still read what was posted while they belonged. Every command the README's collective
 * messages part shows runs here: `comrad collective post`, `feed`, `expel`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ok } from '@comrad/test-kit/client-node/processes';
import { startCast, type Cast, type Run } from '@comrad/test-kit/client-node/cast';
import { taggedJpeg } from '@comrad/test-kit/client-node/tagged-jpeg';

let cast: Cast;
const person = (name: string): Run => (...args) => cast.as(name)(...args);
const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map(person) as [Run, Run, Run, Run];
type Message = { author: string; text: string; former: boolean; epoch: number; image?: { mime: string } };
const feed = async (run: Run) => JSON.parse(ok(await run('--json', 'collective', 'feed', 'portland'))) as { messages: Message[]; unreadable: { code: string }[] };
const texts = async (run: Run) => (await feed(run)).messages.map((m) => m.text);

beforeAll(async () => {
  cast = await startCast('comrad-colmsg-', ['alice', 'bob', 'carol', 'dave']);
  // @portland: one vouch admits (30 %, at least 1), half the other members expel.
  ok(await alice('collective', 'found', 'portland', '--quorum', '0.3', '--expel', '0.5'));
  for (const who of ['bob', 'carol']) {
    ok(await alice('collective', 'invite', 'portland', who));
    ok(await cast.as(who)('collective', 'request', 'portland'));
    ok(await alice('collective', 'vouch', 'portland', who));
  }
}, 180_000);

afterAll(async () => {
  await cast?.stop();
});

// Each step is a `comrad` process (node start, home unlock, connections): seconds each on a busy machine.
describe('comrad collective post and feed (processes, LMDB)', { timeout: 120_000 }, () => {
  it('COL-32 COL-33 COL-34 members post, text and an image, and every member reads every message, verified', async () => {
    expect(ok(await alice('collective', 'post', 'portland', 'General assembly on Thursday, 7pm, at the union hall'))).toMatch(/^Posted to @portland \(message \S+\): its members read it/);
    const photo = join(cast.dir, 'banner.jpg');
    await writeFile(photo, await taggedJpeg({ width: 640, height: 480 }));
    ok(await bob('collective', 'post', 'portland', 'the banner for Thursday', '--image', photo));
    // Two homes, two processes side by side (one home is never opened by two runs at once).
    const [carols, page] = await Promise.all([carol('collective', 'feed', 'portland', '--save-images', join(cast.dir, 'saved')), feed(alice)]);
    const shown = ok(carols);
    expect(shown).toMatch(/@bob · .* UTC message \S+\n {2}the banner for Thursday\n {2}\[image image\/jpeg, [\d.]+ KiB → /);
    expect(shown).toContain('General assembly on Thursday, 7pm, at the union hall');
    expect((await readdir(join(cast.dir, 'saved'))).length).toBe(1);
    expect(page.messages.map((m) => [m.author, m.text, m.former])).toEqual([
      ['bob', 'the banner for Thursday', false],
      ['alice', 'General assembly on Thursday, 7pm, at the union hall', false],
    ]);
    expect(page.messages[0]!.image?.mime).toBe('image/jpeg');
    expect(page.unreadable).toEqual([]);
  });

  it('COL-17 COL-31 COL-35 an expelled member reads nothing posted after the expulsion, and still what came before', async () => {
    expect(ok(await bob('collective', 'expel', 'portland', 'carol'))).toContain('@carol is expelled from @portland: the message key is rotated');
    expect((JSON.parse(ok(await alice('--json', 'collective', 'members', 'portland'))) as { members: string[] }).members).toEqual(['alice', 'bob']);
    ok(await alice('collective', 'post', 'portland', 'the route of the march, members only'));
    const [his, hers] = await Promise.all([texts(bob), feed(carol)]);
    expect(his).toContain('the route of the march, members only');
    expect(hers.messages.map((m) => m.text)).not.toContain('the route of the march, members only');
    expect(hers.messages.map((m) => m.text)).toContain('General assembly on Thursday, 7pm, at the union hall');
    expect(hers.unreadable).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
    // An expelled member cannot post either: she is no member (COL-29, COL-33).
    const refused = await carol('collective', 'post', 'portland', 'let me back in');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[NOT_MEMBER]');
  });

  it('COL-16 COL-31 COL-35 a member who left reads nothing posted after: the next member to post rotates the key first', async () => {
    ok(await bob('collective', 'leave', 'portland'));
    ok(await alice('collective', 'post', 'portland', 'after bob left'));
    const [his, alices] = await Promise.all([texts(bob), alice('collective', 'feed', 'portland')]);
    expect(his).not.toContain('after bob left');
    expect(his).toContain('the route of the march, members only');
    // Alice reads it, and his own words stay readable, marked as a former member's.
    const shown = ok(alices);
    expect(shown).toContain('after bob left');
    expect(shown).toMatch(/@bob \(no longer a member\) · .*\n {2}the banner for Thursday/);
  });

  it('COL-35 a newcomer reads from the moment of admission on, not before', async () => {
    // What an outsider is told about the messages it holds no key to (the expelled carol), while dave is invited.
    const [outsider, invited] = await Promise.all([carol('collective', 'feed', 'portland'), alice('collective', 'invite', 'portland', 'dave')]);
    expect(ok(outsider)).toContain('2 messages sealed while you were not a member');
    ok(invited);
    ok(await dave('collective', 'request', 'portland'));
    ok(await alice('collective', 'vouch', 'portland', 'dave'));
    ok(await dave('collective', 'post', 'portland', 'glad to be here'));
    const [page, alices] = await Promise.all([feed(dave), texts(alice)]);
    expect(page.messages.map((m) => m.text)).toEqual(['glad to be here']);
    expect(page.unreadable.every((u) => u.code === 'NOT_FOUND')).toBe(true);
    expect(page.unreadable).toHaveLength(4);
    expect(alices).toContain('glad to be here');
  });
});
