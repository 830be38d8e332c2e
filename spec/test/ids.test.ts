/**
 * The spec's rule ids (one rule, one place): `spec/scripts/check-ids.mjs` finds every id defined once and
 * every id cited by code, tests and docs defined; the ids no test names are printed for the closing note.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/check-ids.mjs', import.meta.url));

describe('spec rule ids', () => {
  it('every rule id is defined once, and every cited id is defined', () => {
    let out: string;
    try {
      out = execFileSync(process.execPath, [script, '--json'], { encoding: 'utf8' });
    } catch (err) {
      throw new Error(`check-ids failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
    }
    const report = JSON.parse(out) as { defined: number; duplicates: object; undefined: object; untested: string[] };
    expect(report.duplicates).toEqual({});
    expect(report.undefined).toEqual({});
    expect(report.defined).toBeGreaterThan(150);
    console.log(`spec: ${report.defined} rule ids; no test names ${report.untested.length}: ${report.untested.join(' ')}`);
  });
});
