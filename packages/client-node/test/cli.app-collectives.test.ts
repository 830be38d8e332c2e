/**
 * `comrad app`, the Collectives screen, end to end (COL-*): a real `comrad-op`, two homes registered
 * through the CLI, two `comrad app` processes and headless Chromium driving each page like a person.
 * Alice founds a collective and invites bob; bob sees the invitation arrive and asks to join; alice sees
 * his request waiting and vouches; bob, after a refresh, is a member; both see the members; bob proposes an
 * amendment and each votes, with the progress toward the quorum shown; each reads the other's message in
 * the collective's feed, and bob votes on one anonymously; alice votes bob out, and he keeps reading what he
 * read while a member. Screenshots go to .app-screens/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openTab, shot, startApp, unlockApp, type AppUnderTest } from '@comrad/test-kit/client-node/app';
import { passphraseOf, startCast, type Cast } from '@comrad/test-kit/client-node/cast';
import { launchChromium } from '@comrad/test-kit/chromium';

let cast: Cast;
let browser: Browser;
const apps: Record<'alice' | 'bob', AppUnderTest> = {} as never;

beforeAll(async () => {
  // Two tokens each: a vote costs one, and obtaining the default budget would cost seconds of blind signing.
  [cast, browser] = await Promise.all([startCast('comrad-app-col-', ['alice', 'bob'], ['--token-budget', '2']), launchChromium()]);
  [apps.alice, apps.bob] = await Promise.all([startApp(browser, join(cast.dir, 'alice'), 'alice'), startApp(browser, join(cast.dir, 'bob'), 'bob')]);
  await Promise.all((['alice', 'bob'] as const).map(async (n) => (await unlockApp(apps[n], passphraseOf(n)), await openTab(apps[n].page, 'Collectives'))));
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(apps).map((app) => app.stop()));
  await browser?.close();
  await cast?.stop();
});

/** The collective's status line, once it says `text`. */
const status = (page: Page, text: string) => page.locator('.collective [role=status]', { hasText: text }).waitFor();

describe('comrad app: collectives, two people in headless Chromium', () => {
  it('COL-25 COL-26 alice founds a collective and invites bob; bob sees the invitation arrive and asks to join', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await b.getByText('None yet: found one, or ask a member to invite you.').waitFor();
    const founding = a.getByRole('region', { name: 'Found a collective' });
    // Refused with its code, nothing registered: a name that is no name, and (sent as no person would) a
    // quorum above 100 %.
    await founding.getByLabel('Collective name').fill('two words');
    await founding.getByRole('button', { name: 'Found', exact: true }).click();
    await founding.getByRole('alert').filter({ hasText: /\[INVALID_NAME\]$/ }).waitFor();
    const bad = await a.evaluate(async () => {
      const r = await fetch('/api/collective/found', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'elsewhere', quorum: 150 }) });
      return { status: r.status, body: (await r.json()) as { error: { code: string } } };
    });
    expect(bad.body.error.code).toBe('BAD_ARGUMENT');
    expect(await a.evaluate(async () => ((await (await fetch('/api/collectives')).json()) as { collectives: unknown[] }).collectives)).toEqual([]);
    // Admission by 30 % (one vouch of one member), amendments by 100 %, expulsion allowed.
    await founding.getByLabel('Collective name').fill('@Portland');
    await founding.getByLabel('Yes votes to amend (% of members)').fill('100');
    await founding.getByLabel('Members may expel a member by vote').check();
    await a.getByRole('button', { name: 'Found', exact: true }).click();
    await a.getByRole('heading', { name: '@portland', exact: true }).waitFor();
    await status(a, 'you are a member · 1 member');
    await expect(a.locator('.collective .constitution').textContent()).resolves.toContain('amendments: 100% vote yes; expulsion: 67% vote');
    await a.getByLabel('Invite to @portland').fill('bob');
    await a.getByRole('button', { name: 'Invite', exact: true }).click();
    await a.getByText('Invited @bob').waitFor();

    // The invitation is a letter: it comes live (mail push → inbox → server-sent event → the list is read again).
    const invitation = b.locator('li.invitation', { hasText: '@portland' });
    await invitation.waitFor({ timeout: 20_000 });
    await expect(invitation.textContent()).resolves.toContain('invited by @alice');
    await b.getByLabel('A word to the members of @portland (optional)').fill('from the tenants union <b>hi</b>');
    await b.getByRole('button', { name: 'Ask to join @portland' }).click();
    await status(b, 'you asked to join');
    await b.getByText('Your request waits for vouches').waitFor();
    await expect(b.locator('.warning', { hasText: 'Your request waits' }).textContent()).resolves.toContain('0 of 1 vouches');
    await shot(b, '10-collective-request');
  });

  it('COL-11 COL-12 alice sees the request waiting and vouches; bob, after a refresh, is a member; both see the members', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await a.getByRole('button', { name: 'Refresh' }).click();
    const request = a.locator('.requests li', { hasText: '@bob' });
    await request.waitFor();
    // The note is remote text, shown as text: no element was made of it.
    await expect(request.textContent()).resolves.toContain('“from the tenants union <b>hi</b>”');
    expect(await request.locator('b').count()).toBe(0);
    await expect(request.getByRole('progressbar', { name: 'vouches for @bob' }).getAttribute('value')).resolves.toBe('0');
    await shot(a, '11-collective-waiting');
    await request.getByRole('button', { name: 'Vouch for @bob' }).click();
    await a.getByText('Vouched: @bob is a member now.').waitFor();
    await status(a, '2 members');
    await a.getByText('Nobody is waiting.').waitFor();

    await b.getByRole('button', { name: 'Refresh' }).click();
    await status(b, 'you are a member · 2 members');
    for (const page of [a, b]) await expect(page.locator('.members li').allTextContents()).resolves.toEqual([expect.stringMatching(/^@alice/), expect.stringMatching(/^@bob/)]);
    await b.locator('.list button', { hasText: '@portland · member, 2 members' }).waitFor();
  });

  it('COL-13 COL-14 bob proposes an amendment; the votes show their progress toward the quorum; the last yes puts it in force', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    const proposals = b.getByRole('region', { name: 'Proposals' });
    await proposals.getByText('Propose an amendment').click();
    // The form starts from the constitution in force.
    await expect(proposals.getByLabel('Yes votes to amend (% of members)').inputValue()).resolves.toBe('100');
    await expect(proposals.getByLabel('Votes to expel (% of the other members)').inputValue()).resolves.toBe('67');
    await proposals.getByLabel('Vouches to admit (% of members)').fill('100');
    await b.getByRole('button', { name: 'Propose', exact: true }).click();
    await b.getByText(/^Proposed \(proposal \d+\)\.$/).waitFor();
    const proposal = b.locator('.proposals li').first();
    await expect(proposal.textContent()).resolves.toMatch(/Proposal \d+ by @bob: Admission: 100% of members vouch/);
    const id = /Proposal (\d+)/.exec((await proposal.textContent())!)![1]!;
    // Amendment needs 100 % of two members: two yes votes.
    await proposal.getByRole('button', { name: `Vote yes on proposal ${id}` }).click();
    await b.getByText(`Voted yes on proposal ${id}.`).waitFor();
    await b.locator('.proposals li', { hasText: '1 of 2 yes votes; 0 no' }).waitFor();
    await expect(b.getByRole('progressbar', { name: `yes votes on proposal ${id}` }).getAttribute('value')).resolves.toBe('1');
    await shot(b, '12-collective-proposal');

    await a.getByRole('button', { name: 'Refresh' }).click();
    const seen = a.locator('.proposals li', { hasText: `Proposal ${id}` });
    await expect(seen.textContent()).resolves.toContain('1 of 2 yes votes');
    await seen.getByRole('button', { name: `Vote yes on proposal ${id}` }).click();
    await a.getByText(`Proposal ${id} passed: its constitution is in force.`).waitFor();
    await a.getByText('No proposal is pending.').waitFor();
    await expect(a.locator('.collective .constitution').textContent()).resolves.toContain('Admission: 100% of members vouch');
  });

  it('COL-32 COL-33 a message to the members: alice posts, bob reads it in the collective feed, and answers', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await a.getByLabel('Message to the members').fill('assembly on thursday, 7pm <i>back room</i>');
    await a.getByRole('button', { name: 'Post to the members' }).click();
    await a.locator('.posts li', { hasText: 'assembly on thursday' }).waitFor();
    await b.getByRole('button', { name: 'Refresh' }).click();
    const read = b.getByRole('list', { name: 'Messages of @portland' }).locator('li', { hasText: 'assembly on thursday' });
    await read.waitFor();
    await expect(read.locator('.text').textContent()).resolves.toBe('assembly on thursday, 7pm <i>back room</i>');
    expect(await read.locator('i').count()).toBe(0);
    await expect(read.locator('.meta').textContent()).resolves.toMatch(/^@alice · /);
    // VOTE-7: an anonymous vote on a collective's message, by a member who reads it.
    await expect(read.getByRole('status').textContent()).resolves.toBe(' 0 up, 0 down');
    await read.getByRole('button', { name: 'vote up the post by @alice' }).click();
    await read.getByText('1 up, 0 down').waitFor();
    await b.getByLabel('Message to the members').fill('I will bring the banner');
    await b.getByRole('button', { name: 'Post to the members' }).click();
    await a.getByRole('button', { name: 'Refresh' }).click();
    await a.locator('.posts li', { hasText: 'I will bring the banner' }).getByText('@bob').waitFor();
    await shot(a, '13-collective-feed');
    // A narrow window: one column, every control still there.
    await b.setViewportSize({ width: 380, height: 760 });
    await b.getByRole('button', { name: 'Post to the members' }).waitFor();
    await shot(b, '14-collective-narrow');
  });

  it('COL-17 COL-31 alice votes to expel bob (one vote of one other member is the quorum); bob, after a refresh, is outside', async () => {
    const a = apps.alice.page;
    const b = apps.bob.page;
    await a.getByRole('button', { name: 'Vote to expel @bob' }).click();
    // Two steps: the first click only asks.
    await a.getByRole('button', { name: 'Cancel' }).click();
    await a.getByRole('button', { name: 'Vote to expel @bob' }).click();
    await a.getByRole('button', { name: 'Confirm: vote to expel @bob' }).click();
    await a.getByText('@bob is expelled; the message key is rotated.').waitFor();
    await status(a, 'you are a member · 1 member');
    await b.setViewportSize({ width: 1000, height: 760 });
    await b.getByRole('button', { name: 'Refresh' }).click();
    await status(b, 'you are not a member · 1 member');
    // What bob read while a member stays readable to him; he can no longer post.
    await b.getByText('Only members post').waitFor();
    await b.locator('.posts li', { hasText: 'assembly on thursday' }).waitFor();
    await b.locator('.posts li', { hasText: 'I will bring the banner' }).getByText('@bob (no longer a member)').waitFor();
  });

  it('the page never received a passphrase or a key in hex', () => {
    for (const name of ['alice', 'bob'] as const) {
      const all = apps[name].bodies.join('\n');
      expect(all).toContain('portland');
      expect(all).not.toContain(passphraseOf(name));
      expect(all).not.toMatch(/[0-9a-f]{64}/);
    }
  });
});
