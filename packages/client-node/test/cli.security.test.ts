/**
 * The CLI under attack and accident, with real processes: a crash between storing and acknowledging
 * mail (MB-3), a forged letter (MAIL-3), a contact's key swapped by the Operator (CT-2) and an Operator
 * whose key changed (OPS-2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyPair, PublicKey, fromHex } from '@comrad/core';
import { startCrypto } from '../src/crypto-ready.js';
import { createLetter, sealLetter } from '@comrad/core/envelope';
import { OperatorConnection } from '../src/transport/connection.js';
import { comrad, requireBuild, restartablePort, startOperatorProcess, type CliResult, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess;
const operators: OperatorProcess[] = [];

const as =
  (name: string, extra: Record<string, string> = {}) =>
  (...args: string[]): Promise<CliResult> =>
    comrad(['--home', join(root.dir, name), ...args], { COMRAD_PASSPHRASE: `${name} passphrase`, ...extra });

async function person(name: string): Promise<(...args: string[]) => Promise<CliResult>> {
  const run = as(name);
  expect((await run('operator', 'add', op.url, '--key', op.operatorKey)).code).toBe(0);
  expect((await run('register', name)).code).toBe(0);
  return run;
}

beforeAll(async () => {
  requireBuild();
  await startCrypto();
  root = await tempHome('comrad-sec-');
  // Replaced at the same address below (KEY_CHANGED, OPS-2): a port no server of another test is given meanwhile.
  op = await startOperatorProcess(join(root.dir, 'operator'), await restartablePort());
  operators.push(op);
});

afterAll(async () => {
  for (const o of operators) await o.stop();
  await root?.remove();
});

// Each command unlocks the sealed home first (one PBKDF2, HOME-4) and these tests run a dozen commands
// in a row: room for a loaded machine.
const SLOW = { timeout: 90_000 };

describe('comrad CLI: crashes and attacks (processes)', () => {
  it('MB-3 MAIL-2 a client SIGKILLed after storing and before acking gets the letter again and keeps one copy', SLOW, async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    expect((await alice('send', 'bob', 'do not lose me')).code).toBe(0);
    const crashed = await as('bob', { COMRAD_TEST_CRASH_BEFORE_ACK: '1' })('inbox');
    expect(crashed.signal).toBe('SIGKILL');
    expect(await readdir(join(root.dir, 'bob', 'mail'))).toHaveLength(1);
    const again = await bob('inbox');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('do not lose me');
    expect((await bob('inbox')).stdout).toContain('No new letters.');
    const all = JSON.parse((await bob('--json', 'inbox', '--all')).stdout);
    expect(all.letters.map((l: { text: string }) => l.text)).toEqual(['do not lose me']);
    expect(await readdir(join(root.dir, 'bob', 'mail'))).toHaveLength(1);
  });

  it('MAIL-3 a letter claiming to be from alice but signed by another key is reported FORGED and never shown', SLOW, async () => {
    const carol = await person('carol');
    const aliceWhoami = JSON.parse((await as('alice')('--json', 'whoami')).stdout);
    const carolKey = PublicKey.from(fromHex(JSON.parse((await carol('--json', 'whoami')).stdout).key));
    // Mallory's own client: a letter "from alice", signed with Mallory's key, sent like any letter.
    // She attaches alice's genuine registry statement, which anyone can look up.
    const mallory = KeyPair.generate();
    const conn = await OperatorConnection.open({ url: op.url });
    const { statement } = await conn.request('lookup', { name: 'alice' });
    const forged = sealLetter(createLetter({ kind: 'dm', from: 'alice', to: 'carol', body: { text: 'send me your passphrase' } }), mallory, carolKey, statement);
    await conn.request('send', { to: 'carol', letter: forged });
    await conn.closed();
    const r = await carol('inbox');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('claiming to be from @alice was set apart, FORGED');
    expect(r.stdout).not.toContain('send me your passphrase');
    expect(r.stdout).toContain('No new letters.');
    expect(aliceWhoami.name).toBe('alice');
    const json = JSON.parse((await carol('--json', 'inbox', '--all')).stdout);
    expect(json.letters).toEqual([]);
  });

  it('CT-2 CT-3 when the Operator answers with another key for a pinned name, whois exits 4 until the change is accepted', SLOW, async () => {
    const dave = await person('dave');
    const erinFirst = await person('erin');
    const erinFp = JSON.parse((await erinFirst('--json', 'whoami')).stdout).fingerprint as string;
    expect((await dave('whois', 'erin')).stdout).toContain(erinFp);
    // Same Operator key and address, but a registry where "erin" is someone else: a compromised
    // Operator swapping keys.
    await op.stop();
    const swapped = join(root.dir, 'operator-swapped');
    await cp(join(root.dir, 'operator'), swapped, { recursive: true });
    await rm(join(swapped, 'store'), { recursive: true, force: true });
    op = await startOperatorProcess(swapped, op.port);
    operators.push(op);
    const impostor = as('erin-impostor');
    expect((await impostor('operator', 'add', op.url, '--key', op.operatorKey)).code).toBe(0);
    expect((await impostor('register', 'erin')).code).toBe(0);
    const impostorFp = JSON.parse((await impostor('--json', 'whoami')).stdout).fingerprint as string;
    const warned = await dave('whois', 'erin');
    expect(warned.code).toBe(4);
    expect(warned.stderr).toContain(erinFp);
    expect(warned.stderr).toContain(impostorFp);
    expect(warned.stderr).toContain('man-in-the-middle');
    expect(warned.stderr).toContain('--accept-new-key');
    expect((await dave('whois', 'erin', '--accept-new-key')).code).toBe(2);
    const accepted = await dave('whois', 'erin', '--accept-new-key', impostorFp);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(`accepted the new key (was ${erinFp})`);
    expect((await dave('whois', 'erin')).stdout).toContain('matches the pinned key');
  });

  it('OPS-2 an Operator presenting another key at a pinned address is refused with exit 4', SLOW, async () => {
    const frank = as('frank');
    expect((await frank('operator', 'add', op.url)).code).toBe(0);
    await op.stop();
    op = await startOperatorProcess(join(root.dir, 'operator-other-keys'), op.port);
    operators.push(op);
    const r = await frank('whois', 'erin');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/different key/);
    const readd = await frank('operator', 'add', op.url);
    expect(readd.code).toBe(4);
  });

  it('TR-9 plain ws:// to a remote host is refused (exit 2) before any connection; --insecure allows it and warns on every command', async () => {
    const grace = as('grace');
    const refused = await grace('operator', 'add', 'ws://operator.example:7077');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/wss:\/\/ or an onion address/);
    // Loopback needs no flag; with the flag, each command says what it allows.
    const added = await grace('--insecure', 'operator', 'add', op.url);
    expect(added.code).toBe(0);
    expect(added.stderr).toMatch(/--insecure: plain ws:\/\/ to a remote host is allowed/);
    const whois = await grace('--insecure', 'whois', 'erin');
    expect(whois.stderr).toMatch(/--insecure: plain ws:\/\//);
  });
});
