/**
 * The README's quickstart section, run: every command in its `sh` blocks is executed in order (the Operator as the
 * built `comrad-op`, each `comrad` line through the built bin), and every `# → …` line under a command is
 * checked against what that command printed. A command this test does not know how to run fails it, so
 * the quickstart cannot grow an untested step.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMRAD_BIN, OPERATOR_BIN, comrad, requireBuild, startOperatorProcess, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const ROOT_PACKAGE = fileURLToPath(new URL('../../../package.json', import.meta.url));

interface Step {
  command: string;
  expect: string[];
}

/** The README's `## Quickstart` section, up to the next second-level heading. */
function quickstartSection(readme: string): string {
  const start = readme.indexOf('\n## Quickstart');
  if (start < 0) throw new Error('README.md has no "## Quickstart" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The `sh` blocks of the quickstart as commands, each with the `# → …` expectations under it. */
function parseQuickstart(markdown: string): Step[] {
  const steps: Step[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      if (line.startsWith('# →')) {
        const last = steps[steps.length - 1];
        if (!last) throw new Error('an expectation before any command');
        last.expect.push(...line.slice(3).split('…').map((s) => s.trim()).filter(Boolean));
      } else if (!line.startsWith('#')) steps.push({ command: line, expect: [] });
    }
  }
  return steps;
}

/** Splits a command line like a shell would for these simple cases: spaces, '…' and "…" quoting. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

let op: OperatorProcess | undefined;
let work: { dir: string; remove(): Promise<void> } | undefined;
afterAll(async () => {
  await op?.stop();
  await work?.remove();
});

describe('README.md quickstart', () => {
  it('QS-1 every command in the quickstart runs, in order, and prints what the quickstart says', { timeout: 300_000 }, async () => {
    requireBuild();
    const steps = parseQuickstart(quickstartSection(await readFile(README, 'utf8')));
    expect(steps.length).toBeGreaterThan(10);
    work = await tempHome('comrad-quickstart-');
    let aliased = false;
    let lastOutput = '';
    const ran: string[] = [];
    for (const step of steps) {
      const [program, ...rest] = words(step.command);
      if (step.command === 'npm ci') {
        // Done before this test runs (it is how the test got its dependencies).
      } else if (step.command === 'npm start') {
        // `npm start` is `comrad-op --data ./data --port 7077` after the build: run exactly that bin,
        // on a free port (7077 may be taken on this machine), in a scratch directory.
        const scripts = JSON.parse(await readFile(ROOT_PACKAGE, 'utf8')).scripts as Record<string, string>;
        expect(scripts['start']).toContain('packages/operator/dist/cli.js --data ./data --port 7077');
        expect(OPERATOR_BIN.endsWith(join('packages', 'operator', 'dist', 'cli.js'))).toBe(true);
        // As a person runs it: with the default proof of work for registration (REG-6).
        op = await startOperatorProcess(join(work.dir, 'data'), 0, [], {}, { defaultPow: true });
      } else if (program === 'alias') {
        expect(step.command).toBe('alias comrad="node $PWD/packages/client-node/dist/cli.js"');
        expect(COMRAD_BIN.endsWith(join('packages', 'client-node', 'dist', 'cli.js'))).toBe(true);
        aliased = true;
      } else if (program === 'comrad') {
        expect(aliased, 'the quickstart defines `comrad` before using it').toBe(true);
        expect(op, 'the quickstart starts the Operator before using it').toBeDefined();
        const args = rest.map((w) => w.replace('ws://127.0.0.1:7077', op!.url));
        const placeholder = args.findIndex((a) => a.startsWith('<'));
        if (placeholder >= 0) {
          // `<the post id from the feed>`, `<the proposal number>`: what a person would copy from the previous output.
          const id = step.command.includes('<the proposal') ? /proposal (\d+)/.exec(lastOutput)?.[1] : /post (\S+?)\)?$/m.exec(lastOutput)?.[1];
          expect(id, `an id for ${step.command}`).toBeDefined();
          const end = args.findIndex((a, i) => i >= placeholder && a.endsWith('>'));
          args.splice(placeholder, end - placeholder + 1, id!);
        }
        const r = await comrad(args, { COMRAD_PASSPHRASE: 'a long quickstart passphrase' }, work.dir);
        expect(r.code, `${step.command}\n${r.stderr}`).toBe(0);
        for (const text of step.expect) expect(r.stdout, step.command).toContain(text);
        lastOutput = r.stdout;
      } else {
        throw new Error(`the quickstart has a command this test does not run: ${step.command}`);
      }
      ran.push(step.command);
    }
    expect(ran).toEqual(steps.map((s) => s.command));
  });

  it('QS-2 CLI-5 what the quickstart says about the passphrase holds: init refuses a weak one unless --weak-passphrase', { timeout: 60_000 }, async () => {
    requireBuild();
    const section = quickstartSection(await readFile(README, 'utf8'));
    for (const claim of ['--weak-passphrase', 'a lost passphrase cannot be recovered', 'comrad passphrase']) expect(section).toContain(claim);
    const scratch = await tempHome('comrad-quickstart-weak-');
    try {
      const home = join(scratch.dir, 'h');
      const weak = await comrad(['--home', home, 'init'], { COMRAD_PASSPHRASE: 'password123' });
      expect(weak.code).toBe(2);
      expect(weak.stderr).toContain('[WEAK_PASSPHRASE]');
      const accepted = await comrad(['--home', home, 'init', '--weak-passphrase'], { COMRAD_PASSPHRASE: 'password123' });
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain('Home ready');
      expect(accepted.stderr).toContain('your name is lost with it');
    } finally {
      await scratch.remove();
    }
  });
});
