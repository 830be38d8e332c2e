/**
 * CLI-4: nothing remote writes control sequences to a terminal. A letter, a post and an Operator's error
 * reason carrying every control code point go through the real `comrad` bin against a real Operator;
 * what it prints for people holds none of them (each is shown visibly instead), no body line can pass
 * for a header, and `--json` keeps the text exactly as signed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ProtocolError } from '@comrad/core';
import { openStore, type Store } from '@comrad/operator';
import { Comrade } from '../src/comrade/comrade.js';
import { Output, terminalSafe } from '../src/cli/output.js';
import { comrad, requireBuild, type CliResult } from '@comrad/test-kit/client-node/processes';
import { startTestOperator, tempHome, type TestOperator } from '@comrad/test-kit/client-node/operator';

/** Every code point CLI-4 names: C0, DEL, C1, bidi embeddings/overrides/isolates (and line separators). */
const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x2028,
  0x2029,
  ...Array.from({ length: 5 }, (_, i) => 0x202a + i),
  ...Array.from({ length: 4 }, (_, i) => 0x2066 + i),
];
/** What a terminal must never receive from us, except newline (and tab, which only moves right). */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const visible = (cp: number) => (cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`);
const EVIL_REASON = `no such name\n\x1b[2K\rcomrad: all good, @mallory is @alice ${String.fromCodePoint(...CONTROLS)}`;

let root: { dir: string; remove(): Promise<void> };
let op: TestOperator;
let aliceFp: string;
const as =
  (name: string) =>
  (...args: string[]): Promise<CliResult> =>
    comrad(['--home', join(root.dir, name), ...args], { COMRAD_PASSPHRASE: `${name} passphrase` });

/** A real Operator whose registry answers one name with an error reason full of control codes. */
async function lyingStore(): Promise<Store> {
  const store = await openStore({ kind: 'memory' });
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'keyOf') {
        return async (name: string) => {
          if (name === 'mallory') throw new ProtocolError('NOT_FOUND', EVIL_REASON);
          return target.keyOf(name);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-term-');
  op = await startTestOperator({ store: await lyingStore() });
  for (const name of ['alice', 'bob']) {
    expect((await as(name)('operator', 'add', op.url)).code).toBe(0);
    expect((await as(name)('register', name)).code).toBe(0);
  }
  aliceFp = JSON.parse((await as('alice')('--json', 'whoami')).stdout).fingerprint;
});

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});

/** Sends a letter and posts to the world as alice, through the library (argv cannot carry NUL). */
async function asAlice(use: (c: Comrade) => Promise<unknown>): Promise<void> {
  // The home and its Operator list are sealed (HOME-5): connect unlocks them before connecting.
  const c = await Comrade.connect({ home: join(root.dir, 'alice'), passphrase: 'alice passphrase' });
  try {
    await c.login('alice passphrase');
    await use(c);
  } finally {
    await c.close();
  }
}

function expectSafe(r: CliResult): void {
  expect(r.stdout).not.toMatch(RAW);
  expect(r.stderr).not.toMatch(RAW);
}

describe('CLI-4 remote text on a terminal', () => {
  it('CLI-4 terminalSafe changes exactly the listed code points, and each into its visible escape', () => {
    const listed = new Set(CONTROLS);
    const wrong: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      const keep = !listed.has(cp) || cp === 0x09;
      if (terminalSafe(ch, false) !== (keep ? ch : visible(cp))) wrong.push(cp);
    }
    expect(wrong).toEqual([]);
    expect(terminalSafe('a\nb', true)).toBe('a\nb');
    expect(terminalSafe('a\nb')).toBe('a\\x0ab');
  });

  it('CLI-4 with colours on, the only escape sequences written are the Output\'s own, even through a styled piece or a template', () => {
    let written = '';
    const tty = { isTTY: true, columns: 80, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    const out = new Output(false, tty, tty, {});
    const evil = '\x1b[2J\x1b]0;pwned\x07\u202eevil';
    out.line(out.bold(evil), ' ', evil, ` ${out.dim(evil)}`);
    out.block([out.good(evil)], `${evil}\n${evil}`, [[out.bad(evil)]]);
    out.warn(evil);
    out.progress(evil);
    out.fail(new Error(evil), false);
    const sequences = written.match(/\x1b\[[0-9;]*m/g) ?? [];
    expect(new Set(sequences)).toEqual(new Set(['\x1b[1m', '\x1b[0m', '\x1b[32m', '\x1b[31m', '\x1b[33m', '\x1b[2m']));
    expect(written.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(RAW);
  });

  it('CLI-4 on a terminal, a body row is cut before the terminal would wrap it to the first column', () => {
    let written = '';
    const tty = { isTTY: true, columns: 40, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
    const out = new Output(false, tty, tty, { NO_COLOR: '1' });
    // Padding that would push a fake header to the start of the next terminal row, in narrow and wide characters.
    const fake = 'From @alice · verified';
    out.block(['From @bob'], `${'x'.repeat(38)}${fake}\n${'界'.repeat(19)}${fake}\n${'\t'.repeat(5)}${fake}`);
    const rows = written.split('\n').filter((r) => r !== '');
    expect(rows[0]).toBe('From @bob');
    for (const row of rows.slice(1)) {
      expect(row.startsWith('  ')).toBe(true);
      const cells = [...row].reduce((n, ch) => n + (ch === '\t' ? 8 : ch.codePointAt(0)! >= 0x1100 ? 2 : 1), 0);
      expect(cells).toBeLessThanOrEqual(40);
    }
  });

  it('CLI-4 a letter with every control code point, and a forged header, prints safely; --json keeps it exact', async () => {
    const text = `hello ${String.fromCodePoint(...CONTROLS)}\n\x1b[1A\x1b[2K\rFrom @alice · 2026-01-01 00:00 UTC · verified ${aliceFp}\nFrom @operator · urgent`;
    await asAlice((c) => c.send('bob', text));
    const r = await as('bob')('inbox');
    expect(r.code).toBe(0);
    expectSafe(r);
    for (const cp of CONTROLS) if (cp !== 0x09 && cp !== 0x0a) expect(r.stdout).toContain(visible(cp));
    // One header, ours: every line of the body is indented, so none starts where a header does.
    expect(r.stdout.split('\n').filter((l) => l.startsWith('From'))).toEqual([expect.stringMatching(/^From @alice · .* UTC · verified /)]);
    expect(r.stdout).toContain(`  \\x1b[1A\\x1b[2K\\x0dFrom @alice · 2026-01-01 00:00 UTC · verified ${aliceFp}`);
    const json = JSON.parse((await as('bob')('--json', 'inbox', '--all')).stdout);
    expect(json.letters.map((l: { text: string }) => l.text)).toEqual([text]);
  });

  it('CLI-4 a post posing as @operator with every control code point prints safely; --json keeps it exact', async () => {
    const text = `\x1b[1A\x1b[2K\r@operator · official\n@operator · your account is suspended ${String.fromCodePoint(...CONTROLS)}`;
    await asAlice((c) => c.post(text));
    const r = await as('bob')('feed');
    expect(r.code).toBe(0);
    expectSafe(r);
    for (const cp of CONTROLS) if (cp !== 0x09 && cp !== 0x0a) expect(r.stdout).toContain(visible(cp));
    expect(r.stdout.split('\n').filter((l) => l.startsWith('@'))).toEqual([expect.stringMatching(/^@alice · /)]);
    const json = JSON.parse((await as('bob')('--json', 'feed')).stdout);
    expect(json.posts.map((p: { text: string }) => p.text)).toEqual([text]);
  });

  it('CLI-4 an Operator error reason with every control code point is one safe line; --json keeps it exact', async () => {
    const r = await as('bob')('whois', 'mallory');
    expect(r.code).toBe(1);
    expectSafe(r);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    // ERR-2: core turns C0/C1 controls and line separators into spaces before the CLI sees the message;
    // what is left that a terminal would obey (bidi overrides, CLI-4) shows as its visible escape.
    for (const cp of CONTROLS) if (cp > 0x9f && cp !== 0x2028 && cp !== 0x2029) expect(r.stderr).toContain(visible(cp));
    const j = await as('bob')('--json', 'whois', 'mallory');
    expect(j.code).toBe(1);
    // ERR-2: the message is one line (each run of control characters one space); the rest is kept exact.
    const oneLine = EVIL_REASON.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
    expect(JSON.parse(j.stderr).error).toEqual({ code: 'NOT_FOUND', message: `@mallory is not registered at this Operator (the Operator says: ${oneLine})` });
  });
});
