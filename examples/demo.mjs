#!/usr/bin/env node
// The Comrad demo: a real Operator (LMDB store in a temporary directory, an ephemeral loopback port)
// and three comrades in temporary homes, walking through the whole flow and printing what each sees.
//
//   npm run demo          (at the repository root: builds, then runs this file)
//
// Everything here uses the public APIs of the built packages: @comrad/operator and @comrad/client-node.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ready } from '@comrad/core';
import { loadOrCreateKeys, openStore, startOperator } from '@comrad/operator';
import { Comrade } from '@comrad/client-node';

// The node:crypto backend when this build has it, else the reference wasm backend (same bytes).
await ready().catch(() => ready({ backend: 'wasm' }));

const say = (who, text) => console.log(`${`[${who}]`.padEnd(11)} ${text}`);
const step = (text) => console.log(`\n== ${text}`);

const dir = await mkdtemp(join(tmpdir(), 'comrad-demo-'));
const comrades = [];
let operator;
let store;
try {
  step('An Operator starts');
  const { keys, publicInfo } = await loadOrCreateKeys({
    dataDir: join(dir, 'operator'),
    env: { COMRAD_OPERATOR_PASSPHRASE: 'demo operator passphrase' },
  });
  store = await openStore({ kind: 'lmdb', path: join(dir, 'operator', 'store') });
  operator = await startOperator({ store, keys, host: '127.0.0.1', port: 0 });
  say('operator', `listening on ${operator.url}`);
  say('operator', `key fingerprint ${publicInfo.fingerprint}`);

  step('Three comrades register (each pins the Operator key it was given)');
  const entry = { name: 'demo', url: operator.url, key: publicInfo.operatorKey };
  const join_ = async (name) => {
    const c = await Comrade.connect({ home: join(dir, name), operator: entry });
    comrades.push(c);
    const me = await c.register(name, `${name}'s long demo passphrase`);
    say(name, `registered @${me.name}, key fingerprint ${me.fingerprint}`);
    return c;
  };
  const alice = await join_('alice');
  const bob = await join_('bob');
  const carol = await join_('carol');

  step('Alice looks Bob up and compares fingerprints (out of band, in real life)');
  const bobSeen = await alice.lookup('bob');
  say('alice', `@bob has key ${bobSeen.key.fingerprint()} (${bobSeen.status === 'new' ? 'pinned now' : 'matches the pin'})`);
  say('alice', bobSeen.key.equals(bob.identity.publicKey) ? 'it matches what Bob reads to her: verified' : 'MISMATCH: do not trust it');

  step('Direct letters (end to end; the Operator never learns the sender)');
  await alice.send('bob', 'Meeting moved to the library, 6pm.');
  say('alice', 'sent a letter to @bob');
  await carol.send('@Bob', 'I will bring the banners.');
  say('carol', 'sent a letter to @bob');

  step("Bob reads his inbox (fetch → verify → store → ack)");
  const { received, rejected } = await bob.inbox();
  say('bob', `${received.length} new letters, ${rejected.length} rejected`);
  for (const l of received) say('bob', `from @${l.from} (verified, key ${l.authorFingerprint}): "${l.text}"`);
  say('bob', `inbox again: ${(await bob.inbox()).received.length} new letters (acknowledged mail is gone from the Operator)`);

  step('Posts to the world (@comrades): signed by the author, readable by every registered comrade');
  const alicePost = await alice.post('Solidarity with the strikers at the port!', { expiresInDays: 3 });
  say('alice', `posted to the world (post ${alicePost.id}, expires ${new Date(alicePost.expiresAt).toISOString().slice(0, 10)})`);
  await carol.post('Free legal advice on Saturday, 10am.');
  say('carol', 'posted to the world');

  step('Bob reads the feed (every post verified against its author)');
  for (const p of (await bob.feed()).posts) say('bob', `@${p.author}: "${p.text}"`);

  step('Alice deletes her post; Carol reads the feed');
  await alice.deletePost(alicePost.id);
  say('alice', `deleted post ${alicePost.id}`);
  const after = await carol.feed();
  say('carol', `the feed has ${after.posts.length} post${after.posts.length === 1 ? '' : 's'}`);
  for (const p of after.posts) say('carol', `@${p.author}: "${p.text}"`);

  step('An event: Alice hosts it, invites Bob with a sealed letter, Bob answers, Alice sees the answer');
  const start = Math.floor(Date.now() / 1000) + 86_400;
  const assembly = await alice.createEvent({ title: 'Tenants assembly', start, end: start + 7200, where: 'Library hall' });
  say('alice', `hosts "${assembly.title}" (event ${assembly.id.slice(0, 8)}), by invitation only`);
  await alice.inviteToEvent(assembly.id, ['bob']);
  say('alice', 'invited @bob');
  const invitation = (await bob.events()).find((e) => e.role === 'invited');
  say('bob', `invited by @${invitation.host} to "${invitation.title}" at ${invitation.where}`);
  await bob.rsvp(invitation.id, 'yes');
  say('bob', `answered yes (a sealed letter to @${invitation.host})`);
  for (const r of (await alice.events())[0].rsvps) say('alice', `@${r.name} answered ${r.answer}`);

  step('A collective: Alice founds @portland; a newcomer asks and is vouched in by the quorum');
  const share = (permille, cap = 100) => ({ permille, min: 1, cap });
  await alice.found('portland', { admit: share(600, 10), amend: share(500) });
  say('alice', 'founded @portland: 60% of members vouch to admit, half vote yes to amend');
  await alice.invite('portland', 'bob');
  await bob.request('portland', 'from the tenants union');
  say('bob', 'asked to join @portland (with the keys of Alice\'s invitation)');
  say('alice', `vouched for @bob: ${(await alice.vouch('portland', 'bob')).admitted ? 'admitted' : 'not yet admitted'}`);
  await bob.invite('portland', 'carol');
  await carol.request('portland');
  const needed = (await alice.requests('portland'))[0].needed;
  say('carol', `asked to join; ${needed} vouches of the 2 members admit her`);
  say('alice', `vouched for @carol: ${(await alice.vouch('portland', 'carol')).admitted ? 'admitted' : `1/${needed}, not yet admitted`}`);
  say('bob', `vouched for @carol: ${(await bob.vouch('portland', 'carol')).admitted ? 'the quorum is met, @carol is a member' : 'not yet admitted'}`);

  step('The constitution is amended by vote');
  const proposal = await carol.propose('portland', { admit: share(300, 10), amend: share(500) });
  say('carol', `proposed that 30% of members admit (proposal ${proposal})`);
  say('alice', `voted yes: ${(await alice.vote('portland', proposal, true)).passed ? 'passed' : 'not passed yet (2 of 3 needed)'}`);
  say('bob', `voted yes: ${(await bob.vote('portland', proposal, true)).passed ? 'passed, the new constitution is in force' : 'not passed yet'}`);
  const members = await carol.members('portland');
  say('carol', `${members.members.length} members (${members.members.map((m) => `@${m}`).join(', ')}), admission now ${members.constitution.admit.permille / 10}%`);

  step('Collective messages: sealed once, read by the members; a member who left reads nothing after');
  await alice.collectivePost('portland', 'General assembly on Thursday, 7pm.');
  say('alice', 'posted to @portland');
  for (const m of (await carol.collectiveFeed('portland')).messages) say('carol', `@${m.author}: "${m.text}"`);
  await carol.leave('portland');
  say('carol', 'left @portland');
  await alice.collectivePost('portland', 'The route of the march, members only.');
  say('alice', 'posted to @portland (a new key first: Carol held the old one)');
  for (const m of (await bob.collectiveFeed('portland')).messages) say('bob', `@${m.author}: "${m.text}"`);
  const hers = await carol.collectiveFeed('portland');
  say('carol', `reads ${hers.messages.length} message (from before she left); ${hers.unreadable.length} sealed after she left, under a key she never got`);

  step('A trusted circle: Alice trusts Bob and Carol, then stops trusting Carol (a new key she never gets)');
  await alice.trust('bob');
  await alice.trust('carol');
  for (const [name, c] of [['bob', bob], ['carol', carol]]) {
    for (const k of (await c.inbox()).circleKeys) say(name, `@${k.from} trusts me: got their circle key (key ${k.gen}) in a sealed letter`);
  }
  await alice.circlePost('Picnic at the park on Sunday, trusted comrades only.');
  say('alice', 'posted to her trusted circle');
  for (const p of (await carol.circleFeed()).posts) say('carol', `trusted, @${p.author}: "${p.text}"`);
  const rotated = await alice.untrust('carol');
  say('alice', `untrusted @carol: a new circle key (key ${rotated.gen}) went to ${rotated.sentTo.map((n) => `@${n}`).join(', ')}`);
  await alice.circlePost('The address of the safe house.');
  say('alice', 'posted to her trusted circle under the new key');
  for (const k of (await bob.inbox()).circleKeys) say('bob', `@${k.from}'s circle has a new key (key ${k.gen})`);
  for (const p of (await bob.circleFeed()).posts) say('bob', `trusted, @${p.author}: "${p.text}"`);
  const carolSees = (await carol.circleFeed()).posts;
  say('carol', `reads ${carolSees.length} trusted post (from before she was untrusted); the one after is under a key she never got`);

  step('Done');
  say('demo', 'all steps succeeded');
} finally {
  for (const c of comrades) await c.close();
  await operator?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
}
