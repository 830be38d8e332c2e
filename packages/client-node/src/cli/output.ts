/**
 * How the CLI talks: human lines (coloured only on a terminal, never with NO_COLOR), or one JSON document
 * per command with `--json`; errors as one line on stderr with a distinct exit code (CLI-3).
 * @module
 */
import { ComradError } from '@comrad/core';
import { CommanderError } from 'commander';
import { TorError } from '@comrad/core/node';
import { UsageError } from '../errors.js';

/** Exit codes (CLI-3). */
export const EXIT = {
  OK: 0,
  /** A protocol or runtime failure (the Operator refused, a file is damaged…). */
  ERROR: 1,
  /** The command was called wrongly (bad flag, bad name, missing passphrase…). */
  USAGE: 2,
  /** The Operator could not be reached or did not answer in time: worth retrying. */
  NETWORK: 3,
  /** A key changed (a contact's or the Operator's): possibly a man-in-the-middle. */
  KEY_CHANGED: 4,
} as const;

const NETWORK_CODES: ReadonlySet<string> = new Set(['TIMEOUT', 'CONNECTION_CLOSED']);
const USAGE_CODES: ReadonlySet<string> = new Set(['INVALID_NAME']);

/** Where and how the CLI writes. */
export class Output {
  readonly #color: boolean;

  /**
   * @param json - machine output
   * @param stdout - standard output (a TTY gets colours)
   * @param stderr - standard error
   * @param env - for NO_COLOR
   */
  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.#color = !json && stdout.isTTY === true && env['NO_COLOR'] === undefined;
  }

  /** A line for people (nothing in JSON mode). */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** The command's result for machines (nothing in human mode). */
  result(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, jsonBytes)}\n`);
  }

  /** A warning for people, on stderr (JSON mode carries warnings in the result). */
  warn(text: string): void {
    if (!this.json) this.stderr.write(`${this.paint('33', `warning: ${text}`)}\n`);
  }

  /** Progress of a slow step (starting tor, waiting for a circuit), on stderr; nothing in JSON mode. */
  progress(text: string): void {
    if (!this.json) this.stderr.write(`${this.paint('2', text)}\n`);
  }

  /** Bold (on a terminal). */
  bold(s: string): string {
    return this.paint('1', s);
  }

  /** Dim (on a terminal). */
  dim(s: string): string {
    return this.paint('2', s);
  }

  /** Green (on a terminal). */
  good(s: string): string {
    return this.paint('32', s);
  }

  /** Red (on a terminal). */
  bad(s: string): string {
    return this.paint('31', s);
  }

  /**
   * Reports an error as one line (a stack trace only with `debug`) and returns the exit code.
   * @param err - what went wrong
   * @param debug - print the stack too
   */
  fail(err: unknown, debug: boolean): number {
    const code = exitCodeOf(err);
    const tor = err instanceof TorError;
    const errCode = ComradError.is(err) || err instanceof UsageError || tor ? err.code : undefined;
    // A TorError carries tor's last log lines after its first line: one line here, all of it with --debug.
    const message = err instanceof Error ? (tor ? err.message.split('\n')[0]! : err.message) : String(err);
    if (this.json) this.stderr.write(`${JSON.stringify({ error: { code: errCode ?? 'ERROR', message } })}\n`);
    else this.stderr.write(`${this.paint('31', 'comrad: error:')} ${message}${errCode ? this.dim(` [${errCode}]`) : ''}\n`);
    if (debug && tor && err.logTail.length > 0) this.stderr.write(`--- last tor log lines ---\n${err.logTail.join('\n')}\n`);
    if (debug && err instanceof Error && err.stack) this.stderr.write(`${err.stack}\n`);
    return code;
  }

  private paint(code: string, s: string): string {
    return this.#color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }
}

/** The exit code for an error (CLI-3). */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof CommanderError) return EXIT.USAGE;
  if (ComradError.is(err)) {
    if (err.code === 'KEY_CHANGED') return EXIT.KEY_CHANGED;
    if (NETWORK_CODES.has(err.code)) return EXIT.NETWORK;
    if (USAGE_CODES.has(err.code)) return EXIT.USAGE;
  }
  return EXIT.ERROR;
}

/** JSON.stringify replacer: bytes as their length, never dumped. */
function jsonBytes(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.length };
  return value;
}
