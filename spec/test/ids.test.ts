/**
 * The spec's rule ids (one rule, one place): `spec/scripts/check-ids.mjs` finds every id defined once, in a
 * numbered document (`spec/NN-*.md`) and nowhere else, and every id cited by code, tests and docs defined;
 * the ids no test names (and those of them that say MUST) are printed for the closing note.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@comrad/core';

const script = fileURLToPath(new URL('../scripts/check-ids.mjs', import.meta.url));

interface Report {
  documents: string[];
  defined: number;
  duplicates: Record<string, string[]>;
  undefined: Record<string, string>;
  stray: Record<string, string>;
  namedBy: { tests: number; vectors: number; vectorsOnly: number };
  untested: string[];
  untestedMust: string[];
}

/** Runs the check on a made-up tree, to see that it fails where it must. */
function checkTree(files: Record<string, string>): { status: number | null; report: Report } {
  const root = mkdtempSync(join(tmpdir(), 'comrad-ids-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const run = spawnSync(process.execPath, [script, '--json', '--root', root], { encoding: 'utf8' });
    return { status: run.status, report: JSON.parse(run.stdout) as Report };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// The made-up trees use the prefix ZQX, which no real document defines, so this file cites no real id.
const DOC = '# 01 — Made up\n\n- **ZQX-1** An implementation MUST do one thing.\n- **ZQX-2** It may do another.\n';

describe('spec rule ids', () => {
  it('every rule id is defined once, in a numbered document, and every cited id is defined', () => {
    let out: string;
    try {
      out = execFileSync(process.execPath, [script, '--json'], { encoding: 'utf8' });
    } catch (err) {
      throw new Error(`check-ids failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
    }
    const report = JSON.parse(out) as Report;
    expect(report.duplicates).toEqual({});
    expect(report.undefined).toEqual({});
    expect(report.stray).toEqual({});
    expect(report.documents).toContain('spec/00-overview.md');
    expect(report.defined).toBeGreaterThan(150);
    console.log(
      `spec: ${report.defined} rule ids in ${report.documents.length} documents; named by test files ${report.namedBy.tests}, ` +
        `by vectors ${report.namedBy.vectors}; no test names ${report.untested.length}: ` +
        `${report.untested.join(' ')}; of which MUST: ${report.untestedMust.join(' ') || 'none'}`,
    );
  });

  it('passes a tree whose ids are all defined once, and lists the untested MUST rules', () => {
    const { status, report } = checkTree({ 'spec/01-made-up.md': DOC, 'packages/x/test/x.test.ts': "it('ZQX-2 holds', () => {});\n" });
    expect(status).toBe(0);
    expect(report.untested).toEqual(['ZQX-1']);
    expect(report.untestedMust).toEqual(['ZQX-1']);
  });

  it('fails on an id defined twice, across two documents', () => {
    const { status, report } = checkTree({ 'spec/01-made-up.md': DOC, 'spec/02-other.md': '- **ZQX-2** Again.\n' });
    expect(status).toBe(1);
    expect(report.duplicates).toEqual({ 'ZQX-2': ['spec/01-made-up.md:4', 'spec/02-other.md:1'] });
  });

  it('fails on a rule defined outside a numbered document', () => {
    const { status, report } = checkTree({ 'spec/01-made-up.md': DOC, 'spec/README.md': '- **ZQX-3** A rule in the index.\n' });
    expect(status).toBe(1);
    expect(report.stray).toEqual({ 'spec/README.md:1': 'ZQX-3' });
  });

  it('fails on an id cited that no document defines', () => {
    const { status, report } = checkTree({ 'spec/01-made-up.md': DOC, 'packages/x/src/x.ts': "export const why = 'ZQX-9';\n" });
    expect(status).toBe(1);
    expect(report.undefined).toEqual({ 'ZQX-9': 'packages/x/src/x.ts' });
  });

  it('counts an id a vector lists in its rules as tested, and fails on a vector naming an undefined id', () => {
    const vectors = JSON.stringify({ valid: [{ name: 'v', rules: ['ZQX-1'] }], invalid: [{ name: 'w', rules: ['ZQX-2', 'ZQX-*'], error: 'MALFORMED' }] });
    const ok = checkTree({ 'spec/01-made-up.md': DOC, 'spec/vectors/made-up.json': vectors });
    expect(ok.status).toBe(0);
    expect(ok.report.untested).toEqual([]);
    const bad = checkTree({ 'spec/01-made-up.md': DOC, 'spec/vectors/made-up.json': JSON.stringify({ valid: [{ rules: ['ZQX-7'] }] }) });
    expect(bad.status).toBe(1);
    expect(bad.report.undefined).toEqual({ 'ZQX-7': 'spec/vectors' });
  });

  it('ERR-1 the closed list of codes in 08-errors.md is exactly the one the code throws from', () => {
    const table = readFileSync(fileURLToPath(new URL('../08-errors.md', import.meta.url)), 'utf8');
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...ERROR_CODES].sort());
  });
});
