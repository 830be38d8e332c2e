/**
 * A seized laptop (HOME-4..HOME-6), with the real `comrad` bin: after a session with contacts, an Operator
 * and letters, no file of either home holds a name, an Operator address or a key; and `comrad passphrase`
 * killed with SIGKILL at random moments always leaves a home that opens with the old passphrase or the
 * new one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComradError } from '@comrad/core';
import { startCrypto } from '../src/crypto-ready.js';
import { SealedHome } from '../src/home/sealed-home.js';
import { COMRAD_BIN, comrad, requireBuild, startOperatorProcess, type CliResult, ok, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess;
const pass = (name: string) => `${name} keeps a long passphrase`;
const home = (name: string) => join(root.dir, name);
const as =
  (name: string) =>
  (...args: string[]) =>
    comrad(['--home', home(name), ...args], { COMRAD_PASSPHRASE: pass(name) });

beforeAll(async () => {
  requireBuild();
  await startCrypto();
  root = await tempHome('comrad-rest-');
  op = await startOperatorProcess(join(root.dir, 'operator'));
});

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});


/** Every file under `dir`, with its bytes. */
async function everyFile(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) for (const [p, b] of await everyFile(path)) out.set(p, b);
    else out.set(path, await readFile(path));
  }
  return out;
}

describe('a seized home reveals no one (HOME-4, HOME-5, processes)', () => {
  it('HOME-5 after init, operator add, register, whois, send and inbox, no file holds a name, the Operator address or a key', async () => {
    const alice = as('alicewonder');
    const bob = as('bobrovsky');
    for (const c of [alice, bob]) {
      ok(await c('init'));
      ok(await c('operator', 'add', op.url));
    }
    const aliceKey = JSON.parse(ok(await alice('--json', 'register', 'alicewonder'))) as { key: string; fingerprint: string };
    const bobKey = JSON.parse(ok(await bob('--json', 'register', 'bobrovsky'))) as { key: string; fingerprint: string };
    ok(await alice('whois', 'bobrovsky'));
    ok(await alice('send', 'bobrovsky', 'the leaflets are under the stairs'));
    expect(ok(await bob('inbox'))).toContain('the leaflets are under the stairs');

    const privateKeys: Buffer[] = [];
    for (const name of ['alicewonder', 'bobrovsky']) {
      const h = await SealedHome.unlock(home(name), pass(name));
      privateKeys.push(Buffer.from((await h.identity()).keys.privateKey.bytes()));
      expect((await h.contacts()).list((await h.operators()).get().key!).map((c) => c.name).length).toBeGreaterThan(0);
      h.wipe();
    }
    const url = new URL(op.url);
    const needles: [string, Buffer][] = [
      ['a name', Buffer.from('alicewonder')],
      ['a name', Buffer.from('bobrovsky')],
      ['the Operator address', Buffer.from(url.host)],
      ['the Operator address', Buffer.from(`:${url.port}`)],
      ['the letter', Buffer.from('leaflets')],
      ...[op.operatorKey, aliceKey.key, bobKey.key].flatMap((hex): [string, Buffer][] => [
        ['a public key (hex)', Buffer.from(hex)],
        ['a public key (bytes)', Buffer.from(hex, 'hex')],
        ['a public key (point)', Buffer.from(hex, 'hex').subarray(12)],
      ]),
      ...[op.fingerprint, aliceKey.fingerprint, bobKey.fingerprint].map((fp): [string, Buffer] => ['a fingerprint', Buffer.from(fp)]),
      ...privateKeys.flatMap((k): [string, Buffer][] => [
        ['a private key', k],
        ['a private key (scalar)', k.subarray(13)],
      ]),
    ];
    let files = 0;
    for (const name of ['alicewonder', 'bobrovsky']) {
      for (const [file, bytes] of await everyFile(home(name))) {
        files++;
        for (const [what, needle] of needles) expect(bytes.includes(needle), `${file} holds ${what}`).toBe(false);
      }
    }
    expect(files).toBeGreaterThanOrEqual(9); // 4 sealed files per home, and a letter
  }, 120_000);
});

/** Killed runs of `comrad passphrase`: each costs a run and one or two unlocks (PBKDF2) to check. */
const ROUNDS = 4;

describe('comrad passphrase (HOME-6, CLI-5, processes)', () => {
  /** Runs `comrad passphrase` and kills it with SIGKILL after `killAfterMs` (never, when undefined). */
  function change(from: string, to: string, killAfterMs?: number): Promise<{ code: number | null; signal: string | null; ms: number }> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, [COMRAD_BIN, '--home', home('alicewonder'), 'passphrase'], {
        env: { ...process.env, NO_COLOR: '1', COMRAD_PASSPHRASE: from, COMRAD_NEW_PASSPHRASE: to },
        stdio: 'ignore',
      });
      const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, ms: performance.now() - t0 });
      });
    });
  }

  /** Which of the two passphrases opens the home now; fails if neither does. */
  async function opensWith(a: string, b: string): Promise<string> {
    for (const p of [a, b]) {
      try {
        const h = await SealedHome.unlock(home('alicewonder'), p);
        expect((await h.identity()).name).toBe('alicewonder');
        h.wipe();
        return p;
      } catch (err) {
        if (!ComradError.is(err, 'WRONG_PASSPHRASE')) throw err;
      }
    }
    throw new Error('the home opens with neither passphrase');
  }

  it('HOME-6 a weak new passphrase is refused; a change killed at random moments leaves the old or the new passphrase, never neither', async () => {
    const weak = await comrad(['--home', home('alicewonder'), 'passphrase'], { COMRAD_PASSPHRASE: pass('alicewonder'), COMRAD_NEW_PASSPHRASE: 'password1' });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('[WEAK_PASSPHRASE]');
    const wrong = await comrad(['--home', home('alicewonder'), 'passphrase'], { COMRAD_PASSPHRASE: 'not the passphrase', COMRAD_NEW_PASSPHRASE: 'orbit plaster wander seventeen' });
    expect(wrong.stderr).toContain('[WRONG_PASSPHRASE]');
    expect(await opensWith(pass('alicewonder'), 'x')).toBe(pass('alicewonder'));

    // One whole run, to know how long a change takes here.
    let current = pass('alicewonder');
    let other = 'orbit plaster wander seventeen';
    const full = await change(current, other);
    expect(full.code).toBe(0);
    expect(await opensWith(other, current)).toBe(other);
    [current, other] = [other, current];

    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const run = await change(current, other, Math.random() * full.ms * 1.1);
      const now = await opensWith(current, other);
      outcomes.push(`${run.signal ?? run.code}:${now === current ? 'old' : 'new'}`);
      if (run.code === 0) expect(now).toBe(other);
      if (now === other) [current, other] = [other, current];
    }
    // The home still holds its contacts under whichever passphrase it opens with.
    const h = await SealedHome.unlock(home('alicewonder'), current);
    expect((await h.contacts()).list((await h.operators()).get().key!).map((c) => c.name)).toContain('bobrovsky');
    h.wipe();
    console.log(`comrad passphrase: one run ${Math.round(full.ms)} ms; killed runs: ${outcomes.join(' ')}`);
    expect(outcomes).toHaveLength(ROUNDS);
  }, 180_000);
});
