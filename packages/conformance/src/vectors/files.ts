/**
 * Reading the spec's vector files (`spec/vectors/*.json`): one file per document, `valid` and `invalid`
 * sections, every vector naming the rules it checks and, when invalid, the exact error code.
 * @module
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One vector: its name, the rules it checks, and (invalid ones) the error code. */
export interface Vector {
  readonly name: string;
  readonly rules: readonly string[];
  readonly error?: string;
  readonly [field: string]: unknown;
}

/** One vector file. */
export interface VectorFile {
  /** The file name, e.g. `padding.json`. */
  readonly file: string;
  readonly spec: string;
  readonly description: string;
  readonly valid: readonly Vector[];
  readonly invalid: readonly Vector[];
  /** Anything else the file carries at the top (a recorded conversation's keys, say). */
  readonly [field: string]: unknown;
}

/**
 * The vectors shipped with the kit: `dist/vectors` beside the bundle (copied from `spec/vectors` at build
 * time), or `spec/vectors` itself when running from the repository's sources.
 */
export function defaultVectorDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const dir of [join(here, 'vectors'), join(here, '../../../../spec/vectors'), join(here, '../../../spec/vectors')]) {
    if (existsSync(dir)) return dir;
  }
  throw new Error('the kit has no vectors beside it: rebuild it (npm run build) or pass --vectors DIR');
}

/**
 * Reads every `*.json` of `dir`, sorted by name.
 * @throws Error naming the file that is not a vector file
 */
export function loadVectorFiles(dir: string): VectorFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const j = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Partial<VectorFile>;
      if (!Array.isArray(j.valid) || !Array.isArray(j.invalid)) throw new Error(`${file} is not a vector file (no valid and invalid lists)`);
      return { ...j, file, spec: String(j.spec ?? ''), description: String(j.description ?? ''), valid: j.valid, invalid: j.invalid } as VectorFile;
    });
}

/** Bytes in a vector: lowercase hex, or for large inputs `hex` followed by zero bytes up to `zeroFillTo`. */
export type VectorBytes = string | { readonly hex: string; readonly zeroFillTo: number };

/** A vector's bytes as one lowercase hex string (large inputs expanded, so adapters see only hex). */
export function hexOf(b: unknown): string {
  if (typeof b === 'string') return b;
  if (typeof b === 'object' && b !== null && typeof (b as { hex?: unknown }).hex === 'string') {
    const { hex, zeroFillTo } = b as { hex: string; zeroFillTo: number };
    return hex + '00'.repeat(Math.max(0, zeroFillTo - hex.length / 2));
  }
  throw new TypeError('vector bytes must be hex or {hex, zeroFillTo}');
}
