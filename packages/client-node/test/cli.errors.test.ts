/**
 * ERR-2 at the CLI, with the real built bin: every error is one line on stderr (`comrad: error: … [CODE]`),
 * bounded, and never shows the passphrase or what it protects, for usage errors, a wrong passphrase, a
 * damaged home, an unreachable Operator and hostile arguments. No Operator needed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { comrad, ok, requireBuild, type CliResult } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { messageProblem } from '@comrad/test-kit/core/messages';

const PASS = 'erin keeps this passphrase to herself';
let root: { dir: string; remove(): Promise<void> };

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-errors-');
});
afterAll(() => root?.remove());

/** The one error line of a failed run, checked against ERR-2: at most 1000 characters and the line's frame. */
function errorLine(r: CliResult, secrets: string[]): string {
  expect(r.code, r.stderr).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  const line = lines[0]!;
  expect(line).toMatch(/^comrad: error: .* \[[A-Z_]+\]$/);
  expect(messageProblem(line, secrets, 1050), line).toBeUndefined();
  return line;
}

describe('ERR-2 CLI error lines (processes)', () => {
  it('ERR-2 usage errors, a wrong passphrase, a damaged home, an unreachable Operator and hostile arguments: one line each, no secret', { timeout: 90_000 }, async () => {
    const home = join(root.dir, 'erin');
    const as = (pass: string, ...args: string[]) => comrad(['--home', home, ...args], { COMRAD_PASSPHRASE: pass });
    ok(await as(PASS, 'init'));
    const secrets = [PASS, 'wrong horse battery staple'];
    // Independent runs side by side (each pays for node's start-up): a usage error, a hostile name, a wrong
    // passphrase, an Operator address nothing answers at (a port of 127.0.0.1 nobody listens on), one with a
    // line break and one of 3000 characters.
    const runs = await Promise.all([
      as(PASS, '--bogus'),
      as(PASS, 'whois', 'a\nb'),
      as('wrong horse battery staple', 'contacts'),
      as(PASS, '--timeout', '2', 'operator', 'add', 'ws://127.0.0.1:9'),
      as(PASS, 'operator', 'add', 'ws://127.0.0.1:9/\nx'),
      as(PASS, 'operator', 'add', `ws://${'x'.repeat(3000)}.example`),
    ]);
    const lines = runs.map((r) => errorLine(r, secrets));
    expect(lines[2]).toMatch(/\[WRONG_PASSPHRASE\]$/);
    // A damaged home key: the sealed file is garbage now.
    const files = await readdir(home);
    const homeKey = files.find((f) => f === 'home.key');
    expect(homeKey).toBeDefined();
    await writeFile(join(home, homeKey!), `${PASS}\n${'\u0000'.repeat(40)}`);
    errorLine(await as(PASS, 'contacts'), secrets);
  });
});
