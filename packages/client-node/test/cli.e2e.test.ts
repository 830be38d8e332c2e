/**
 * End to end, as a person would: a `comrad-op` process and two `comrad` processes in separate homes,
 * through the built bins, checking what they print and how they exit (CLI-*, and the main flow).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { comrad, requireBuild, startOperatorProcess, type CliResult, ok, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { metadataMarkersIn, taggedJpeg } from '@comrad/test-kit/client-node/tagged-jpeg';

let root: { dir: string; remove(): Promise<void> };
let op: OperatorProcess;
let alice: (...args: string[]) => Promise<CliResult>;
let bob: (...args: string[]) => Promise<CliResult>;

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-e2e-');
  op = await startOperatorProcess(join(root.dir, 'operator'));
  const as = (name: string) => (...args: string[]) => comrad(['--home', join(root.dir, name), ...args], { COMRAD_PASSPHRASE: `${name}'s long passphrase` });
  alice = as('alice');
  bob = as('bob');
});

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});


describe('comrad CLI, two people and one Operator (processes)', () => {
  it('CLI-1 OPS-1 init, then add the Operator: with its key (alice) and by trust on first use (bob)', async () => {
    expect(ok(await alice('init'))).toContain('Home ready');
    expect(ok(await alice('operator', 'add', op.url, '--key', op.fingerprint))).toContain(`${op.fingerprint} (matches the key you gave)`);
    expect(ok(await bob('init'))).toContain('Next: comrad register NAME');
    const tofu = ok(await bob('operator', 'add', op.url));
    expect(tofu).toContain(op.fingerprint);
    expect(tofu).toContain('pinned on first use');
    expect(ok(await bob('operator', 'list'))).toContain(`* default  ${op.url}  ${op.fingerprint}`);
  });

  it('OPS-1 a --key that does not match what the Operator presents is refused (exit 2)', async () => {
    const r = await comrad(['--home', join(root.dir, 'carol'), 'operator', 'add', op.url, '--key', '0000-0000-0000-0000-0000-0000-0000-0000'], { COMRAD_PASSPHRASE: "carol's long passphrase" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not the one given with --key/);
  });

  it('REG-3 both register; whoami shows the name and fingerprint', async () => {
    const reg = ok(await alice('register', 'Alice'));
    expect(reg).toMatch(/Registered @alice/);
    const aliceFp = /Your key fingerprint: (\S+)/.exec(reg)![1]!;
    expect(ok(await alice('whoami'))).toContain(aliceFp);
    ok(await bob('register', '@bob'));
    const carol = (...args: string[]) => comrad(['--home', join(root.dir, 'carol2'), ...args], { COMRAD_PASSPHRASE: 'carol' });
    // CLI-5: a weak new passphrase is refused, and nothing is created, unless the person accepts the risk.
    const weak = await carol('operator', 'add', op.url);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('[WEAK_PASSPHRASE]');
    expect(await readdir(root.dir)).not.toContain('carol2');
    ok(await carol('operator', 'add', op.url, '--weak-passphrase'));
    const taken = await carol('register', 'alice');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('[NAME_TAKEN]');
  });

  it('CT-1 whois shows the fingerprint (pinned now, then matching) and a QR code on request', async () => {
    const bobFp = JSON.parse(ok(await bob('--json', 'whoami'))).fingerprint as string;
    const first = ok(await alice('whois', 'bob'));
    expect(first).toContain(`@bob ${bobFp}`);
    expect(first).toContain('pinned now');
    const again = ok(await alice('whois', 'bob', '--qr'));
    expect(again).toContain('matches the pinned key');
    expect(again).toMatch(/[▄▀█]/);
    const nobody = await alice('whois', 'nobody_here');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('[NOT_FOUND]');
  });

  it('MB-1 SEAL-6 alice writes, bob reads the letter decrypted and verified; a second read finds nothing new', async () => {
    expect(ok(await alice('send', 'bob', 'meet at the library at noon'))).toMatch(/Sent to @bob/);
    const inbox = ok(await bob('inbox'));
    expect(inbox).toContain('From @alice');
    expect(inbox).toContain('verified');
    expect(inbox).toContain('meet at the library at noon');
    expect(ok(await bob('inbox'))).toContain('No new letters.');
    expect(ok(await bob('inbox', '--all'))).toContain('meet at the library at noon');
    const json = JSON.parse(ok(await bob('--json', 'inbox', '--all')));
    expect(json.letters).toEqual([expect.objectContaining({ from: 'alice', text: 'meet at the library at noon', verified: true })]);
  });

  it('IMG-1 CLI-16 an image sent with --image arrives without EXIF, GPS, XMP, ICC or comments; inbox hints at --save-images', async () => {
    const photo = join(root.dir, 'photo.jpg');
    await writeFile(photo, await taggedJpeg({ width: 1200, height: 800 }));
    ok(await alice('send', 'bob', 'look at this', '--image', photo));
    // Read without --save-images: the image is summarised, and one line on stderr says how to keep it.
    const plain = await bob('inbox');
    expect(ok(plain)).toMatch(/\[image image\/jpeg, [\d.]+ KiB\]/);
    expect(plain.stderr).toBe('hint: a letter holds an image not saved: `comrad inbox --all --save-images DIR` writes it into DIR\n');
    // --json says it in a field, never in a hint.
    const json = await bob('--json', 'inbox', '--all');
    expect(json.stderr).toBe('');
    const withImage = (stdout: string) => (JSON.parse(stdout) as { letters: { image?: unknown }[] }).letters.find((l) => l.image)?.image;
    expect(withImage(json.stdout)).toEqual({ mime: 'image/jpeg', bytes: expect.any(Number), saved: false });
    // The hint's command works: the letter was shown (marked seen) but the home still holds it.
    const saveDir = join(root.dir, 'bob-images');
    const saving = await bob('inbox', '--all', '--save-images', saveDir);
    const out = ok(saving);
    expect(saving.stderr).not.toContain('hint:');
    expect(out).toContain('look at this');
    expect(out).toMatch(/\[image image\/jpeg, [\d.]+ KiB → /);
    expect(withImage(ok(await bob('--json', 'inbox', '--all', '--save-images', saveDir)))).toEqual(expect.objectContaining({ saved: true, path: expect.stringContaining(saveDir) }));
    const [file] = await readdir(saveDir);
    const received = await readFile(join(saveDir, file!));
    const meta = await sharp(received).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(metadataMarkersIn(received)).toEqual([]);
    expect([meta.width, meta.height]).toEqual([1200, 800]);
  });

  it('FEED-3 FEED-7 alice posts, bob reads the feed, alice deletes the post', async () => {
    const posted = JSON.parse(ok(await alice('--json', 'post', 'hello world', '--expires', '3d')));
    expect(posted.id).toEqual(expect.any(String));
    const feed = ok(await bob('feed'));
    expect(feed).toContain('@alice');
    expect(feed).toContain('hello world');
    expect(ok(await alice('delete', posted.id))).toContain('Deleted');
    expect(ok(await bob('feed'))).toContain('The feed is empty.');
  });

  it('CLI-3 usage errors exit 2 with one line and no stack trace; --debug adds the stack', async () => {
    const missing = await alice('send', 'bob');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('comrad: error: no letter text: give it as an argument, - to read it from standard input, or --file FILE [EMPTY_TEXT]\n');
    const badExpiry = await alice('post', 'x', '--expires', 'soon');
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr.trim().split('\n')).toHaveLength(1);
    expect(badExpiry.stderr).not.toMatch(/\n\s+at /);
    const debug = await alice('--debug', 'post', 'x', '--expires', 'soon');
    expect(debug.stderr).toMatch(/\n\s+at /);
    const help = await alice('send', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--image <file>');
  });

  it('CLI-2 without a passphrase source and no terminal, commands that need one say how to give it (exit 2)', async () => {
    const r = await comrad(['--home', join(root.dir, 'alice'), 'whoami']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('COMRAD_PASSPHRASE');
    const wrong = await comrad(['--home', join(root.dir, 'alice'), 'whoami'], { COMRAD_PASSPHRASE: 'wrong' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('[WRONG_PASSPHRASE]');
    const file = join(root.dir, 'alice.pass');
    await writeFile(file, "alice's long passphrase\n", { mode: 0o600 });
    expect(ok(await comrad(['--home', join(root.dir, 'alice'), '--passphrase-file', file, 'whoami']))).toContain('@alice');
  });
});
