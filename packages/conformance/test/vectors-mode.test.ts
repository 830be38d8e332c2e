/**
 * `comrad-conformance vectors`, the real process from the build, against real adapter processes
 * (ADAPTER.md): the reference adapter on @comrad/core passes every client-side vector; a deliberately
 * wrong one (an unpad that checks nothing, SEAL-4 broken) is caught by rule id; an adapter that offers
 * nothing is a failure unless unsupported ops are allowed; one that dies is a failure, not a hang.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFORMANCE_BIN, conformanceDir, requireKit } from './_kit.js';

interface Line {
  type: 'note' | 'rule' | 'summary';
  rule?: string;
  status?: 'pass' | 'fail' | 'skip';
  cases?: { name: string; expected?: unknown; got?: unknown }[];
  ok?: boolean;
  failed?: number;
  skipped?: number;
  rules?: number;
}

/** Runs the kit with `args` and parses its JSON lines. */
function kit(args: string[]): Promise<{ code: number | null; lines: Line[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CONFORMANCE_BIN, 'vectors', '--json', ...args], { cwd: conformanceDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('close', (code) => resolve({ code, stderr: err, lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) }));
  });
}

const rules = (lines: Line[], status: Line['status']) => lines.filter((l) => l.type === 'rule' && l.status === status).map((l) => l.rule);
const summary = (lines: Line[]) => lines.find((l) => l.type === 'summary')!;

let paddingOnly: string;
beforeAll(() => {
  requireKit();
  paddingOnly = mkdtempSync(join(tmpdir(), 'comrad-conformance-vectors-'));
  copyFileSync(join(conformanceDir, 'dist', 'vectors', 'padding.json'), join(paddingOnly, 'padding.json'));
});
afterAll(() => rmSync(paddingOnly, { recursive: true, force: true }));

describe('comrad-conformance vectors', () => {
  it('CONF-1 CONF-7 the reference adapter on @comrad/core passes every client-side vector, reported by rule id', { timeout: 60_000 }, async () => {
    const r = await kit(['--adapter', 'node adapters/reference.mjs']);
    expect(r.stderr).toBe('');
    expect(rules(r.lines, 'fail')).toEqual([]);
    expect(rules(r.lines, 'skip')).toEqual([]);
    // One rule per vector family at least: letters, signing, padding, sealing, posts, keys, keystores, home
    // key, handshake, names, the Operator protocol's frames, signed maps, proof of work, world keys, and the
    // recorded conversation, collective logs.
    for (const id of ['LET-1', 'SIG-2', 'SEAL-3', 'SEAL-4', 'SEAL-5', 'POST-3', 'KEY-1', 'KEY-2', 'KS-3', 'HOME-4', 'AUTH-7', 'AUTH-10', 'NAME-1', 'OP-3', 'REG-3', 'MB-9', 'FEED-2', 'MB-6', 'COL-1', 'COL-7']) {
      expect(rules(r.lines, 'pass')).toContain(id);
    }
    expect(summary(r.lines)).toMatchObject({ ok: true, failed: 0, skipped: 0 });
    expect(r.code).toBe(0);
  });

  it('CONF-6 SEAL-4 a wrong adapter (unpad trusts the length prefix) fails SEAL-4 with each failing case, and only that rule', { timeout: 30_000 }, async () => {
    const r = await kit(['--adapter', 'node test/adapters/accepts-bad-padding.mjs', '--vectors', paddingOnly]);
    expect(rules(r.lines, 'fail')).toEqual(['SEAL-4']);
    expect(rules(r.lines, 'pass')).toEqual(['SEAL-3']);
    const seal4 = r.lines.find((l) => l.rule === 'SEAL-4')!;
    expect(seal4.cases!.map((c) => c.name)).toContain('padding.json invalid: a non-zero padding byte (padding.unpad)');
    expect(seal4.cases!.every((c) => c.expected === 'error BAD_PADDING')).toBe(true);
    expect(r.code).toBe(1);
  });

  it('POW-1 a wrong adapter (proof-of-work bits counted from the low end) fails REG-6, MB-9 and POW-1 on operator.json', { timeout: 60_000 }, async () => {
    const only = mkdtempSync(join(tmpdir(), 'comrad-conformance-vectors-'));
    try {
      copyFileSync(join(conformanceDir, 'dist', 'vectors', 'operator.json'), join(only, 'operator.json'));
      const r = await kit(['--adapter', 'node test/adapters/pow-bits-reversed.mjs', '--vectors', only]);
      expect(rules(r.lines, 'fail')).toEqual(['MB-9', 'POW-1', 'REG-6']);
      expect(rules(r.lines, 'pass')).toContain('OP-1');
      expect(r.code).toBe(1);
    } finally {
      rmSync(only, { recursive: true, force: true });
    }
  });

  it('CONF-1 CONF-6 an adapter that offers only some ops has those rules skipped, which fail the run unless --allow-unsupported', { timeout: 30_000 }, async () => {
    const strict = await kit(['--adapter', 'node test/adapters/pad-only.mjs', '--vectors', paddingOnly]);
    // SEAL-3's pad checks pass, its unpad checks cannot be asked: not proven.
    expect(rules(strict.lines, 'skip')).toEqual(['SEAL-3', 'SEAL-4']);
    expect(strict.code).toBe(1);
    const allowed = await kit(['--adapter', 'node test/adapters/pad-only.mjs', '--vectors', paddingOnly, '--allow-unsupported']);
    expect(summary(allowed.lines)).toMatchObject({ ok: true, skipped: 2, failed: 0 });
    expect(allowed.code).toBe(0);
  });

  it('CONF-5 an adapter that exits mid-run fails every check it did not answer, at once', { timeout: 30_000 }, async () => {
    const r = await kit(['--adapter', `node -e "process.stdin.once('data', () => process.exit(3))"`, '--vectors', paddingOnly]);
    expect(rules(r.lines, 'fail')).toEqual(['SEAL-3', 'SEAL-4']);
    const got = r.lines.find((l) => l.rule === 'SEAL-4')!.cases![0]!.got;
    expect(String(got)).toMatch(/the adapter exited before answering/);
    expect(r.code).toBe(1);
  });
});
