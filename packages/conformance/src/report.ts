/**
 * The report by rule id: every check names the rules it tests; a rule passes when every check naming it
 * passed, fails when one failed (with that case), and is skipped when the implementation under test does
 * not offer what its checks need.
 * @module
 */

/** How one check ended. */
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One check's outcome, as the report keeps it. */
export interface CheckResult {
  /** The rule ids it tests (e.g. `SEAL-4`). */
  readonly rules: readonly string[];
  /** Where it comes from and what it is: `padding.json invalid: a padding byte is not zero`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What the spec requires (a value or an error code), for failures. */
  readonly expected?: unknown;
  /** What the implementation did, for failures and skips. */
  readonly got?: unknown;
  /** A reproducible counterexample or other detail (model runs: the shrunk command sequence and seed). */
  readonly detail?: string;
}

/** The verdict on one rule id. */
export interface RuleResult {
  readonly rule: string;
  readonly status: CheckStatus;
  /** Checks that named this rule. */
  readonly checks: number;
  /** The failed checks naming it (for a failed rule), or the skipped ones (for a skipped rule). */
  readonly cases: readonly CheckResult[];
}

/** The whole report. */
export interface ReportSummary {
  readonly ok: boolean;
  readonly rules: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly checks: number;
}

/** Collects check results and folds them into a verdict per rule id. */
export class Report {
  readonly #checks: CheckResult[] = [];
  /** Notes for the reader that are not checks (how trust was established, what was paced). */
  readonly notes: string[] = [];

  /** Records one check. */
  add(result: CheckResult): void {
    this.#checks.push(result);
  }

  /** A passed check. */
  pass(rules: readonly string[], name: string): void {
    this.add({ rules, name, status: 'pass' });
  }

  /** A failed check, with what was expected and what came. */
  fail(rules: readonly string[], name: string, expected: unknown, got: unknown, detail?: string): void {
    this.add({ rules, name, status: 'fail', expected, got, ...(detail === undefined ? {} : { detail }) });
  }

  /** A check the implementation could not be asked (an op its adapter does not offer). */
  skip(rules: readonly string[], name: string, why: string): void {
    this.add({ rules, name, status: 'skip', got: why });
  }

  /** Every check recorded so far. */
  get checks(): readonly CheckResult[] {
    return this.#checks;
  }

  /** One verdict per rule id, sorted by id (prefix, then number). */
  rules(): RuleResult[] {
    const byRule = new Map<string, CheckResult[]>();
    for (const c of this.#checks) for (const r of c.rules) byRule.set(r, [...(byRule.get(r) ?? []), c]);
    return [...byRule.entries()].sort(([a], [b]) => compareIds(a, b)).map(([rule, cs]) => {
      const failed = cs.filter((c) => c.status === 'fail');
      const skipped = cs.filter((c) => c.status === 'skip');
      // A rule with a failure fails; one with a check that could not be asked is not proven (skip).
      const status: CheckStatus = failed.length > 0 ? 'fail' : skipped.length > 0 ? 'skip' : 'pass';
      return { rule, status, checks: cs.length, cases: status === 'fail' ? failed : skipped };
    });
  }

  /**
   * The totals.
   * @param allowSkips - when false, a skipped rule makes the run fail too
   */
  summary(allowSkips: boolean): ReportSummary {
    const rules = this.rules();
    const failed = rules.filter((r) => r.status === 'fail').length;
    const skipped = rules.filter((r) => r.status === 'skip').length;
    return {
      // A run in which nothing passed checked nothing: it never passes.
      ok: failed === 0 && (allowSkips || skipped === 0) && this.#checks.some((c) => c.status === 'pass'),
      rules: rules.length,
      passed: rules.length - failed - skipped,
      failed,
      skipped,
      checks: this.#checks.length,
    };
  }

  /** The report as text for a person: one line per rule, each failing case under its rule. */
  text(title: string, allowSkips: boolean): string {
    const out: string[] = [title];
    for (const n of this.notes) out.push(`note: ${n}`);
    for (const r of this.rules()) {
      out.push(`${r.status.toUpperCase().padEnd(4)} ${r.rule} (${r.checks} check${r.checks === 1 ? '' : 's'})`);
      for (const c of r.cases) {
        out.push(`     ${c.name}`);
        if (c.status === 'fail') out.push(`       expected ${show(c.expected)}, got ${show(c.got)}`);
        else out.push(`       skipped: ${show(c.got)}`);
        if (c.detail) for (const line of c.detail.split('\n')) out.push(`       ${line}`);
      }
    }
    const s = this.summary(allowSkips);
    out.push(`${s.ok ? 'PASS' : 'FAIL'}: ${s.passed} of ${s.rules} rule ids passed, ${s.failed} failed, ${s.skipped} skipped (${s.checks} check${s.checks === 1 ? '' : 's'})`);
    return `${out.join('\n')}\n`;
  }

  /** The report as JSON lines: a note per line, one object per rule id, then the summary. */
  jsonLines(title: string, allowSkips: boolean): string {
    const lines = [
      ...this.notes.map((note) => ({ type: 'note', note })),
      ...this.rules().map((r) => ({ type: 'rule', ...r })),
      { type: 'summary', title, ...this.summary(allowSkips) },
    ];
    return lines.map((l) => `${JSON.stringify(l)}\n`).join('');
  }
}

/** Orders rule ids by prefix, then by number (`MB-2` before `MB-10`). */
export function compareIds(a: string, b: string): number {
  const [pa, na] = splitId(a);
  const [pb, nb] = splitId(b);
  return pa === pb ? na - nb : pa < pb ? -1 : 1;
}

function splitId(id: string): [string, number] {
  const m = /^([A-Z]+)-(\d+)$/.exec(id);
  return m ? [m[1]!, Number(m[2])] : [id, 0];
}

/** A value on one line, long hex cut, so a failure stays readable. */
export function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > 300 ? `${s.slice(0, 297)}…` : s;
}
