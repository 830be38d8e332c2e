#!/usr/bin/env node
/**
 * `comrad-conformance`: checks an Operator or a client library against the spec, with a report by rule id.
 *
 * ```sh
 * comrad-conformance operator ws://HOST:PORT [--json] [--seed N] [--runs N] [--steps N] [--vectors DIR]
 * comrad-conformance vectors --adapter "CMD ARGS…" [--json] [--allow-unsupported] [--vectors DIR]
 * ```
 * Exit codes: 0 every rule passed, 1 a rule failed (or the target could not be checked), 2 usage.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ready } from '@comrad/core';
import { runOperator } from './operator/run.js';
import type { Report } from './report.js';
import { defaultVectorDir } from './vectors/files.js';
import { runVectors } from './vectors/run.js';

const USAGE = `usage:
  comrad-conformance operator ws://HOST:PORT [--json] [--seed N] [--runs N] [--steps N] [--vectors DIR]
      the spec's model-based tests and every Operator wire vector, against any Operator
  comrad-conformance vectors --adapter "CMD ARGS..." [--json] [--allow-unsupported] [--vectors DIR]
      every client-side vector, asked of a client library through its adapter (see ADAPTER.md)

Prints one line per rule id (PASS, FAIL with the failing case, SKIP) and a summary; --json prints one JSON
object per line instead. Exit codes: 0 every rule passed, 1 a rule failed, 2 usage.
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      seed: { type: 'string' },
      runs: { type: 'string' },
      steps: { type: 'string' },
      adapter: { type: 'string' },
      vectors: { type: 'string' },
      'allow-unsupported': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const [mode, target, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  const vectorDir = values.vectors ?? defaultVectorDir();
  const json = values.json === true;
  const started = Date.now();
  await ready();
  let report: Report;
  let title: string;
  let allowSkips = false;
  if (mode === 'operator') {
    if (!target || !/^wss?:\/\//.test(target)) throw new UsageError('operator needs the Operator address, ws://HOST:PORT');
    if (values.adapter !== undefined || values['allow-unsupported']) throw new UsageError('--adapter and --allow-unsupported belong to the vectors mode');
    const seed = values.seed === undefined ? undefined : integer(values.seed, '--seed', -(2 ** 31), 2 ** 31 - 1);
    const runs = values.runs === undefined ? undefined : integer(values.runs, '--runs', 0, 100_000);
    const steps = values.steps === undefined ? undefined : integer(values.steps, '--steps', 1, 1000);
    title = `comrad-conformance operator ${target}`;
    report = await runOperator({
      url: target,
      vectorDir,
      ...(seed === undefined ? {} : { seed }),
      ...(runs === undefined ? {} : { runs }),
      ...(steps === undefined ? {} : { steps }),
      progress: json ? undefined : (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`),
    });
  } else if (mode === 'vectors') {
    if (target !== undefined) throw new UsageError(`unexpected argument ${target}`);
    if (!values.adapter) throw new UsageError('vectors needs --adapter "CMD ARGS..." (see ADAPTER.md)');
    if (values.seed !== undefined || values.runs !== undefined || values.steps !== undefined) throw new UsageError('--seed, --runs and --steps belong to the operator mode');
    title = `comrad-conformance vectors --adapter ${values.adapter}`;
    allowSkips = values['allow-unsupported'] === true;
    report = await runVectors({ adapter: values.adapter, vectorDir });
  } else {
    throw new UsageError(mode === undefined ? 'name a mode: operator or vectors' : `unknown mode ${mode}`);
  }
  process.stdout.write(json ? report.jsonLines(title, allowSkips) : report.text(title, allowSkips));
  return report.summary(allowSkips).ok ? 0 : 1;
}

function integer(value: string, what: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < min || n > max) throw new UsageError(`${what} must be an integer in ${min}..${max}`);
  return n;
}

/** This package's version, from its package.json one directory above the bundled `dist/cli.js`. */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@comrad/conformance' && pkg.version) return pkg.version;
    } catch {
      // not here: one directory up
    }
  }
  return 'unknown';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`comrad-conformance: ${(err as Error).message ?? String(err)}\n${usage ? '(see comrad-conformance --help)\n' : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
