/**
 * `@comrad/conformance` — the Comrad conformance kit: checks any Operator over WebSocket against the spec's
 * executable model and wire vectors, and any client library (any language) against the spec's vectors
 * through a small stdin/stdout adapter (ADAPTER.md). Both give a report by rule id.
 *
 * @example
 * ```ts
 * import { ready } from '@comrad/core';
 * import { runVectors, defaultVectorDir } from '@comrad/conformance';
 * await ready();
 * const report = await runVectors({ adapter: 'python3 my_adapter.py', vectorDir: defaultVectorDir() });
 * process.stdout.write(report.text('my library', false));
 * ```
 * @packageDocumentation
 */
export { Report, compareIds, type CheckResult, type CheckStatus, type RuleResult, type ReportSummary } from './report.js';
export { runVectors, CLIENT_VECTOR_FILES, type RunVectorsOptions } from './vectors/run.js';
export { Adapter, AdapterBroken, UNSUPPORTED_OP, splitCommand, type AdapterReply } from './vectors/adapter.js';
export { defaultVectorDir, loadVectorFiles, hexOf, type Vector, type VectorFile, type VectorBytes } from './vectors/files.js';
export { runOperator, type RunOperatorOptions } from './operator/run.js';
export { Connection, NoAnswer, RefusedConnection, ANSWER_TIMEOUT_MS, type ConnectionOptions, type Pace } from './operator/connection.js';
