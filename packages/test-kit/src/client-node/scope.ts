/**
 * Per-test cleanup: things a test starts are stopped after it, in reverse order, pass or fail.
 */
import { afterEach } from 'vitest';
import { startTestOperator, type TestOperator } from './operator.js';

/** Registers the afterEach hook (call at the top level of a test file). */
export function testScope() {
  const stack: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const f of stack.splice(0).reverse()) await f();
  });
  return {
    /** Runs `f` after the current test. */
    defer(...fns: (() => Promise<unknown> | unknown)[]): void {
      stack.push(...fns);
    },
    /** A real Operator, stopped after the current test. */
    async operator(opts: Parameters<typeof startTestOperator>[0] = {}): Promise<TestOperator> {
      const op = await startTestOperator(opts);
      stack.push(() => op.stop());
      return op;
    },
  };
}
