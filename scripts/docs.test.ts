/**
 * `npm run docs` builds the API site of both published libraries, @comrad/core and @comrad/client-node,
 * and the client's whole public surface is in it: every export of `@comrad/client-node`, and the
 * `Comrade` class with every public method and what it returns. Run into a temporary directory, so a
 * test run never touches `docs/api/`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as clientNode from '@comrad/client-node';
import { Comrade } from '@comrad/client-node';

const repo = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'comrad-docs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A page of the site as plain text (tags dropped), to look for names and words in. */
function page(...path: string[]): string {
  return readFileSync(join(out, ...path), 'utf8').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe('npm run docs', () => {
  // typedoc reads both packages' sources: tens of seconds on a busy machine.
  it('builds one site with @comrad/core and @comrad/client-node; Comrade and every export are in it', { timeout: 240_000 }, () => {
    const r = spawnSync('npm', ['run', 'docs', '--', '--out', out], { cwd: repo, encoding: 'utf8', timeout: 230_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout + r.stderr).toContain('Found 0 errors');

    const modules = readdirSync(join(out, 'modules'));
    expect(modules).toEqual(expect.arrayContaining(['_comrad_core.html', '_comrad_client-node.html']));

    // Every value the package exports is documented on its module page (types are checked through them).
    const index = page('modules', '_comrad_client-node.html');
    for (const name of Object.keys(clientNode)) expect(index, name).toContain(name);
    for (const type of ['ComradeOptions', 'Identity', 'InboxReport', 'FeedPage', 'FeedEntry', 'StoredLetter', 'Contact']) expect(index, type).toContain(type);

    // Comrade: every public method (and connect), each with the shape of what it returns.
    const comrade = page('classes', '_comrad_client-node.Comrade.html');
    const methods = Object.getOwnPropertyNames(Comrade.prototype).filter((m) => m !== 'constructor');
    expect(methods).toEqual(expect.arrayContaining(['send', 'inbox', 'post', 'feed', 'register', 'lookup', 'close']));
    for (const m of ['connect', ...methods]) expect(comrade, m).toMatch(new RegExp(`\\b${m}\\b`));
    for (const shape of ['{ id }', '{ received, rejected, held, duplicates }', '{ posts, rejected, next? }', '{ id, expiresAt }', '{ name, publicKey, fingerprint }']) {
      expect(comrade, shape).toContain(shape);
    }
    expect(comrade).toContain('Returns');
  });
});
