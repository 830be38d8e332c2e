/**
 * `comrad-conformance operator`: the spec's model-based tests and the Operator wire vectors, over the wire.
 * @module
 */
import type { Report } from '../report.js';

/** Options of {@link runOperator}. */
export interface RunOperatorOptions {
  /** The Operator's address, `ws://HOST:PORT`. */
  readonly url: string;
  /** Where the vector files are. */
  readonly vectorDir: string;
  /** fast-check's seed, to replay a run. */
  readonly seed?: number;
  /** How many random command sequences. */
  readonly runs?: number;
  /** The most commands per sequence. */
  readonly steps?: number;
  /** Where progress lines go (a person watching), if anywhere. */
  readonly progress?: ((line: string) => void) | undefined;
}

/**
 * Checks the Operator at `o.url`.
 * @throws Error until the operator mode lands
 */
export async function runOperator(_o: RunOperatorOptions): Promise<Report> {
  throw new Error('the operator mode is not in this build yet');
}
