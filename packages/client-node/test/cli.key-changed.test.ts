/**
 * CT-2..CT-4 through the real `comrad` bin: an Operator that starts giving another key for a pinned name
 * (its registry rewritten, as a compromised Operator would) makes `whois` and `feed` refuse with exit 4,
 * keeps both signed statements as evidence anyone can check, and the change is accepted only with the
 * new key's full fingerprint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PublicKey } from '@comrad/core';
import { Keymaker } from '@comrad/core/keymaker';
import { verifyLookup } from '@comrad/core/wire';
import { openStore, type Store } from '@comrad/operator';
import { startCrypto } from '../src/crypto-ready.js';
import { saveKeystore } from '../src/files/keystore-file.js';
import { ensureHome } from '../src/home/home.js';
import { comrad, requireBuild, type CliResult } from '@comrad/test-kit/client-node/processes';
import { startTestOperator, tempHome, type TestOperator } from '@comrad/test-kit/client-node/operator';

let root: { dir: string; remove(): Promise<void> };
let op: TestOperator;
/** While set, the registry answers this key for `erin`. */
let swapped: PublicKey | undefined;
const as =
  (name: string) =>
  (...args: string[]): Promise<CliResult> =>
    comrad(['--home', join(root.dir, name), ...args], { COMRAD_PASSPHRASE: `${name} passphrase` });

/** A real Operator whose registry can be made to give another key for `erin`. */
async function rewritableStore(): Promise<Store> {
  const store = await openStore({ kind: 'memory' });
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'keyOf') return async (name: string) => (name === 'erin' && swapped ? swapped.bytes() : target.keyOf(name));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

beforeAll(async () => {
  requireBuild();
  await startCrypto();
  root = await tempHome('comrad-keychange-');
  op = await startTestOperator({ store: await rewritableStore() });
  for (const name of ['dave', 'erin']) {
    expect((await as(name)('operator', 'add', op.url)).code).toBe(0);
    expect((await as(name)('register', name)).code).toBe(0);
  }
});

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});

// Each step is a `comrad` process (node start, home unlock, a connection): seconds each on a busy machine.
// The one test took 47.8 s of the default 60 s on this shared 2-core machine at load 10, as cli.collective's
// steps do, whose files allow 120 s.
describe('a pinned key the Operator changes (processes)', { timeout: 120_000 }, () => {
  it('CT-2 CT-3 CT-4 whois and feed exit 4, both statements are kept, and only the full new fingerprint accepts', async () => {
    const erinFp = JSON.parse((await as('erin')('--json', 'whoami')).stdout).fingerprint as string;
    expect((await as('dave')('whois', 'erin')).stdout).toContain(erinFp);
    expect((await as('erin')('post', 'hello from the real erin')).code).toBe(0);
    expect((await as('dave')('feed')).stdout).toContain('hello from the real erin');

    // The Operator now says "erin" is someone else, who logs in and posts as erin.
    const impostor = Keymaker.generate('erin');
    swapped = impostor.publicKey;
    const impostorHome = await ensureHome(join(root.dir, 'impostor'));
    // A keystore as an older client kept it: the first command seals it into the home (HOME-7).
    await saveKeystore(impostorHome.legacy.keystore, impostor, 'impostor passphrase');
    const asImpostor = (...args: string[]) => comrad(['--home', impostorHome.root, ...args], { COMRAD_PASSPHRASE: 'impostor passphrase' });
    expect((await asImpostor('operator', 'add', op.url)).code).toBe(0);
    expect((await asImpostor('post', 'I am erin, send me the list')).code).toBe(0);
    const impostorFp = impostor.fingerprint();

    const feed = await as('dave')('feed');
    expect(feed.code).toBe(4);
    expect(feed.stdout).not.toContain('send me the list');
    expect(feed.stderr).toContain(erinFp);
    expect(feed.stderr).toContain(impostorFp);
    expect(feed.stderr).toContain('kept as evidence');

    const whois = await as('dave')('--json', 'whois', 'erin');
    expect(whois.code).toBe(4);
    const evidence = JSON.parse(whois.stdout);
    expect(evidence).toMatchObject({ name: 'erin', fingerprint: erinFp, status: 'key-changed' });
    expect(evidence.changes).toHaveLength(1);
    const operatorKey = op.keys.operator.publicKey;
    // Anyone holding the Operator's key can check that it said both.
    expect(verifyLookup(Buffer.from(evidence.changes[0].pinned.statement, 'hex'), operatorKey, 'erin').key.fingerprint()).toBe(erinFp);
    expect(verifyLookup(Buffer.from(evidence.changes[0].offered.statement, 'hex'), operatorKey, 'erin').key.fingerprint()).toBe(impostorFp);
    const human = await as('dave')('whois', 'erin');
    expect(human.code).toBe(4);
    expect(human.stdout).toContain(`${erinFp} → ${impostorFp}`);

    // No one-flag acceptance: the flag needs the new fingerprint, in full.
    expect((await as('dave')('whois', 'erin', '--accept-new-key')).code).toBe(2);
    for (const typed of [erinFp, impostorFp.slice(0, impostorFp.length - 5), 'yes']) {
      const r = await as('dave')('whois', 'erin', '--accept-new-key', typed);
      expect(r.code).toBe(2);
    }
    expect((await as('dave')('feed')).code).toBe(4);
    const accepted = await as('dave')('whois', 'erin', '--accept-new-key', impostorFp);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(`accepted the new key (was ${erinFp})`);
    const after = await as('dave')('--json', 'whois', 'erin');
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).changes[0]).toMatchObject({ pinned: { fingerprint: erinFp }, offered: { fingerprint: impostorFp }, acceptedAt: expect.any(Number) });
    expect((await as('dave')('feed')).stdout).toContain('send me the list');
  }, 120_000);
});
