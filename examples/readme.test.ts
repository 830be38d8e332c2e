/**
 * The README's core API example is code people copy: it must run as printed, against the built package.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('README.md', () => {
  it('the core API example runs as printed and prints a fingerprint', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The core API'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'README has a ```ts block under "## The core API"').toBeTruthy();
    // Inside examples/ so that `@comrad/core` resolves to the workspace's built package.
    const dir = mkdtempSync(join(root, 'examples', '.readme-'));
    try {
      const file = join(dir, 'example.mjs');
      writeFileSync(file, code!);
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){7}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
