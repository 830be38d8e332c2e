/**
 * Profiles end to end (spec/12-profiles.md, PROF-*), as people use them: a `comrad-op` process and two
 * `comrad` processes through the built bins. Alice sets a profile with a photo full of metadata; Bob reads
 * it with `comrad profile` and `whois`, saves the photo and finds none of the metadata; a refresh replaces
 * it; a bio too long and the pending `trusted` visibility are refused with their codes, storing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { MAX_BIO_CHARS, MAX_PROFILE_PHOTO_BYTES, MAX_PROFILE_PHOTO_SIDE } from '@comrad/core/envelope';
import { comrad, ok, requireBuild, startOperatorProcess, type CliResult, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { metadataMarkersIn, PLANTED, taggedJpeg } from '@comrad/test-kit/client-node/tagged-jpeg';
import { readmeSection } from '@comrad/test-kit/client-node/cast';

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess;
let alice: (...args: string[]) => Promise<CliResult>;
let bob: (...args: string[]) => Promise<CliResult>;

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-profiles-');
  op = await startOperatorProcess(join(root.dir, 'operator'));
  const as = (name: string) => (...args: string[]) => comrad(['--home', join(root.dir, name), ...args], { COMRAD_PASSPHRASE: `${name}'s long passphrase for profiles` });
  alice = as('alice');
  bob = as('bob');
  for (const [who, name] of [[alice, 'alice'], [bob, 'bob']] as const) {
    ok(await who('operator', 'add', op.url, '--key', op.fingerprint));
    ok(await who('register', name));
  }
}, 120_000);

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});

describe('comrad profile (PROF-*), two people and one Operator (processes)', () => {
  it('PROF-13 the README\'s Profiles section shows the commands this file runs', async () => {
    const section = await readmeSection('Profiles');
    for (const command of ['profile set --name "Alice" --bio "Tenant organiser." --photo me.jpg --visibility world', 'profile alice --save-photo ./photos', 'whois alice', '[TOO_LARGE]', '[NO_CIRCLE]', '[FORBIDDEN]']) {
      expect(section).toContain(command);
    }
  });

  it('PROF-6 PROF-8 PROF-13 CLI-4 alice sets a profile with a tagged photo; bob reads it, saves the photo, and its metadata is gone', async () => {
    const photo = join(root.dir, 'me.jpg');
    await writeFile(photo, await taggedJpeg({ width: 1600, height: 1200, noise: true }));
    const set = await alice('--json', 'profile', 'set', '--name', 'Alice ✊', '--bio', 'Tenant organiser.\nAsk me about the rent strike.', '--photo', photo, '--visibility', 'world');
    const mine = JSON.parse(ok(set));
    expect(mine).toMatchObject({ name: 'alice', display: 'Alice ✊', visibility: 'world', photo: { mime: 'image/jpeg', saved: false } });
    expect(mine.expiresAt - mine.at).toBeGreaterThan(29 * 86_400);

    const dir = join(root.dir, 'photos');
    const shown = ok(await bob('profile', 'alice', '--save-photo', dir));
    expect(shown).toContain('Alice ✊');
    expect(shown).toContain('@alice');
    // CLI-4: the bio is a body, indented: its second line cannot pass for a line of the CLI's own.
    expect(shown).toMatch(/^\s+Ask me about the rent strike\.$/m);
    expect(shown.split('\n').some((line) => line.startsWith('Ask me'))).toBe(false);
    const [file] = await readdir(dir);
    expect(file).toBe('profile-alice.jpg');
    const saved = await readFile(join(dir, file!));
    expect(metadataMarkersIn(saved)).toEqual([]);
    for (const planted of Object.values(PLANTED)) expect(saved.includes(Buffer.from(planted, 'latin1'))).toBe(false);
    expect(saved.length).toBeLessThanOrEqual(MAX_PROFILE_PHOTO_BYTES);
    const meta = await sharp(saved).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(MAX_PROFILE_PHOTO_SIDE);
    expect(meta.exif).toBeUndefined();

    const json = JSON.parse(ok(await bob('--json', 'profile', '@Alice')));
    expect(json).toMatchObject({ name: 'alice', display: 'Alice ✊', bio: 'Tenant organiser.\nAsk me about the rent strike.', visibility: 'world', photo: { mime: 'image/jpeg', bytes: saved.length } });
    expect(json.validUntil - json.at).toBe(30 * 86_400);
  }, 120_000);

  it('PROF-8 whois shows the profile, verified against the key it pins', async () => {
    const whois = ok(await bob('whois', 'alice'));
    expect(whois).toMatch(/@alice \S+/);
    expect(whois).toContain('Alice ✊');
    expect(whois).toContain('Tenant organiser.');
    expect(JSON.parse(ok(await bob('--json', 'whois', 'alice'))).profile).toMatchObject({ display: 'Alice ✊' });
    // Someone without a profile: said plainly.
    expect(ok(await alice('whois', 'bob'))).toContain('no profile');
  }, 60_000);

  it('PROF-10 a refresh replaces the old profile', async () => {
    ok(await alice('profile', 'set', '--name', 'Alice', '--bio', 'Moved to the housing committee.'));
    const shown = JSON.parse(ok(await bob('--json', 'profile', 'alice')));
    expect(shown).toMatchObject({ display: 'Alice', bio: 'Moved to the housing committee.' });
    expect(shown.photo).toBeUndefined();
  }, 60_000);

  it('PROF-3 PROF-12 CIR-9 a bio too long, and visibility trusted before trusting anyone, are refused with their codes, and nothing is stored', async () => {
    const long = await alice('profile', 'set', '--name', 'Alice', '--bio', 'b'.repeat(MAX_BIO_CHARS + 1));
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/^comrad: error: .*280.* \[TOO_LARGE\]$/m);
    const trusted = await alice('profile', 'set', '--name', 'Alice', '--visibility', 'trusted');
    expect(trusted.code).toBe(2);
    expect(trusted.stderr).toContain('[NO_CIRCLE]');
    expect(ok(await bob('profile', 'alice'))).toContain('Moved to the housing committee.');
    const none = await bob('profile', 'nobody');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('[NOT_FOUND]');
    expect((await bob('profile')).code).toBe(2);
    expect((await bob('profile', 'set', '--bio', 'no name')).code).toBe(2);
  }, 60_000);
});
