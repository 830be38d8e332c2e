/**
 * `comrad-conformance operator ws://HOST:PORT`: checks any Operator over WebSocket. First it learns the
 * Operator's key from its first greeting (trust on first use: the kit has no pin, so it checks that every
 * later greeting is signed by that same key, not that the key is the right one) and reads `info` for the
 * limits and proof-of-work bits it must respect. Then the wire checks (frames to refuse, with exact codes;
 * the Operator must keep serving), then the model-based runs.
 * @module
 */
import { Report, compareIds } from '../report.js';
import { loadVectorFiles } from '../vectors/files.js';
import { runModel } from './model-run.js';
import { Target } from './target.js';
import { builtInChecks, helloVectorChecks, operatorValidRequestChecks, operatorVectorChecks, runWireChecks } from './wire-checks.js';

/** Options of {@link runOperator}. */
export interface RunOperatorOptions {
  /** The Operator's address, `ws://HOST:PORT`. */
  readonly url: string;
  /** Where the vector files are. */
  readonly vectorDir: string;
  /** fast-check's seed, to replay a run (default: random, printed in the report). */
  readonly seed?: number;
  /** How many random command sequences (default 10). */
  readonly runs?: number;
  /** The most commands per sequence (default 30). */
  readonly steps?: number;
  /** Where progress lines go (a person watching), if anywhere. */
  readonly progress?: ((line: string) => void) | undefined;
}

/**
 * Checks the Operator at `o.url` and reports by rule id.
 * @returns the report; an Operator that cannot be reached or greets wrongly gives a report with that failure
 */
export async function runOperator(o: RunOperatorOptions): Promise<Report> {
  const report = new Report();
  let target: Target;
  try {
    target = await Target.discover(o.url);
  } catch (err) {
    report.fail(['AUTH-1', 'AUTH-7', 'OP-2'], 'connect, check the signed greeting, and read info', 'a greeting and info', (err as Error).message ?? String(err));
    return report;
  }
  report.notes.push(
    `Operator key ${target.operatorKey.toHex()} (fingerprint ${target.operatorKey.fingerprint()}) trusted on first use: every later greeting must be signed by it; compare the fingerprint with the Operator's own to know it is the right one`,
  );
  const { pow, limits } = target.info;
  report.notes.push(`info: proof of work register ${pow.register} bits, send ${pow.send} bits; requestsPerSecond ${limits.requestsPerSecond} (the kit paces at ${target.pace.intervalMs} ms per request)`);
  report.pass(['AUTH-1', 'AUTH-7', 'OP-2'], 'connect, check the signed greeting, and read info');

  const files = loadVectorFiles(o.vectorDir);
  await runWireChecks(target, [...helloVectorChecks(files), ...operatorValidRequestChecks(files), ...operatorVectorChecks(files), ...builtInChecks()], report, o.progress);

  const runs = o.runs ?? 10;
  if (runs > 0) {
    const m = await runModel(target, { runs, steps: o.steps ?? 30, ...(o.seed === undefined ? {} : { seed: o.seed }), progress: o.progress });
    report.notes.push(`model: ${m.runs} run(s) of up to ${o.steps ?? 30} commands, seed ${m.seed}`);
    const failed = new Set(m.failure?.rules ?? []);
    for (const [rule, n] of [...m.checked].filter(([r]) => !failed.has(r)).sort(([a], [b]) => compareIds(a, b))) {
      // One check per command, so the report's count is how often the rule was put to the test.
      for (let i = 0; i < n; i++) report.pass([rule], `model: a command checking ${rule} agreed with the model`);
    }
    if (m.failure) report.fail(m.failure.rules, `model: ${m.failure.what}`, m.failure.expected, m.failure.got, m.failure.detail);
  }
  return report;
}
