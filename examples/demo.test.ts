/**
 * Runs the demo as `npm run demo` does (after the build) and checks that every step happened, and that
 * neither the demo nor the README's quickstart leaves anything in the checkout for `git status` to show.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });

const demo = fileURLToPath(new URL('./demo.mjs', import.meta.url));
const built = ['../packages/operator/dist/index.js', '../packages/client-node/dist/index.js'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

describe('examples/demo.mjs', () => {
  // Three registrations at the default proof of work (REG-6): about 2 s each on an idle core, several
  // times that on a busy CI machine, and the tail of a geometric number of tries is long.
  it('runs the whole flow against a real Operator and exits 0', { timeout: 130_000 }, () => {
    for (const f of built) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first (the root \`npm test\` does)`);
    // Run from the root, as `npm run demo` does: its Operator and homes must live in a temporary folder.
    const before = git('status', '--porcelain');
    expect(before.status, before.stderr).toBe(0);
    const r = spawnSync(process.execPath, [demo], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(git('status', '--porcelain').stdout).toBe(before.stdout);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/\[operator\] +listening on ws:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/\[alice\] +registered @alice, key fingerprint [0-9a-z]{4}(-[0-9a-z]{4}){7}/);
    expect(out).toContain('it matches what Bob reads to her: verified');
    expect(out).toContain('2 new letters, 0 rejected');
    expect(out).toContain('from @alice (verified');
    expect(out).toContain('"Meeting moved to the library, 6pm."');
    expect(out).toContain('from @carol (verified');
    expect(out).toContain('inbox again: 0 new letters');
    expect(out).toContain('[bob]       @alice: "Solidarity with the strikers at the port!"');
    expect(out).toContain('[carol]     the feed has 1 post');
    expect(out).toContain('[bob]       invited by @alice to "Tenants assembly" at Library hall');
    expect(out).toContain('[alice]     @bob answered yes');
    // CIR-5: the trusted step: Carol, untrusted, reads nothing posted after.
    expect(out).toContain('[carol]     trusted, @alice: "Picnic at the park on Sunday, trusted comrades only."');
    expect(out).toContain('[bob]       trusted, @alice: "The address of the safe house."');
    expect(out).toContain('[carol]     reads 1 trusted post (from before she was untrusted)');
    expect(out).toContain('[alice]     vouched for @bob: admitted');
    expect(out).toContain('[bob]       vouched for @carol: the quorum is met, @carol is a member');
    expect(out).toContain('[bob]       voted yes: passed, the new constitution is in force');
    expect(out).toContain('[carol]     3 members (@alice, @bob, @carol), admission now 30%');
    expect(out).toContain('[carol]     @alice: "General assembly on Thursday, 7pm."');
    expect(out).toContain('[bob]       @alice: "The route of the march, members only."');
    expect(out).toContain('[carol]     reads 1 message (from before she left); 1 sealed after she left, under a key she never got');
    expect(out).not.toMatch(/\[carol\] .*The route of the march/);
    expect(out).toContain('all steps succeeded');
  });

  it("ignores what the README's quickstart creates at the root (./data, ./alice, ./bob)", () => {
    const paths = ['data/store/data.mdb', 'alice/identity', 'bob/mail/x'];
    const r = git('check-ignore', ...paths);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(paths);
  });
});
