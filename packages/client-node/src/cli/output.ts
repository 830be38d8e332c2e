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
  /** The Operator could not be reached or did not answer in time, or tor could not bootstrap in time: worth retrying. */
  NETWORK: 3,
  /** A key changed (a contact's or the Operator's): possibly a man-in-the-middle. */
  KEY_CHANGED: 4,
} as const;

const NETWORK_CODES: ReadonlySet<string> = new Set(['TIMEOUT', 'CONNECTION_CLOSED']);
const USAGE_CODES: ReadonlySet<string> = new Set(['INVALID_NAME']);

/**
 * Code points a terminal acts on instead of showing (CLI-4): C0 controls, DEL, C1 controls (ESC and CSI
 * start escape sequences that move the cursor, erase lines and recolour), the bidi embeddings, overrides
 * and isolates that reorder what follows (U+202A–U+202E, U+2066–U+2069), and the line and paragraph
 * separators some terminals break lines at.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Makes text of any origin harmless on a terminal (CLI-4): every code point a terminal would act on is
 * written out visibly instead (`\x1b`, `\u202e`), so what a letter, a post or an Operator says can never
 * move the cursor, erase a line, recolour, reorder or fake a line the client prints. Tab stays; newline
 * stays only when `multiline`.
 * @param text - any text, e.g. from the network
 * @param multiline - keep line breaks (`\n`) as they are
 * @returns text that only ever prints as itself
 * @example
 * ```ts
 * terminalSafe('hi\x1b[2Kthere'); // 'hi\\x1b[2Kthere'
 * ```
 */
export function terminalSafe(text: string, multiline = false): string {
  return text.replace(UNSAFE, (c) => {
    if (c === '\t' || (multiline && c === '\n')) return c;
    const cp = c.codePointAt(0)!;
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

/**
 * ERR-2: the longest error message the CLI prints, in code points (a longer one ends in `…`): room for
 * the longest explanation it gives (KEY_CHANGED, CT-2), not for whatever a user or peer typed.
 */
const MAX_ERROR_CHARS = 1000;

function bounded(message: string): string {
  const chars = [...message];
  return chars.length <= MAX_ERROR_CHARS ? message : `${chars.slice(0, MAX_ERROR_CHARS - 1).join('')}…`;
}

/**
 * A piece of a line that the {@link Output} colours itself. Interpolated into a string by mistake it
 * reads as its plain, safe text: a forgotten `out.line(...)` argument loses its colour, never its safety.
 */
export class Styled {
  /** @internal */
  constructor(
    readonly sgr: string,
    readonly text: string,
  ) {}

  /** The plain text, made terminal-safe. */
  toString(): string {
    return terminalSafe(this.text);
  }
}

/** What {@link Output.line} takes: plain text (of any origin) or styled pieces. */
export type Part = string | Styled;

/** Where the body of a letter or a post starts (CLI-4: never at a column where a header line starts). */
const BODY_INDENT = '  ';

/**
 * Where and how the CLI writes. Everything meant for a terminal goes through here and is made safe
 * (CLI-4): the escape sequences of the colours are the only ones it ever writes, and only on a terminal.
 * `--json` output is exact: JSON escapes control characters itself, and machines get the text as signed.
 */
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

  /**
   * A line for people (nothing in JSON mode), made of plain text and styled pieces. Plain text is made
   * terminal-safe and kept on this one line (a line break in it is shown as `\n`).
   */
  line(...parts: Part[]): void {
    if (!this.json) this.stdout.write(`${this.#render(parts)}\n`);
  }

  /**
   * Several lines written at once (one write, so a reader killed mid-way sees whole blocks): a header
   * made of parts, then a body of any origin with each of its lines, and each terminal row a long line
   * would wrap to, indented so that no body row can pass for a header (CLI-4).
   * @param header - the header line
   * @param body - remote text (may be empty), multi-line
   * @param extra - further indented lines of our own (e.g. an image summary)
   */
  block(header: Part[], body: string, extra: Part[][] = []): void {
    if (this.json) return;
    const rows = [this.#render(header)];
    if (body) rows.push(...this.#indented(body));
    for (const parts of extra) rows.push(BODY_INDENT + this.#render(parts));
    this.stdout.write(`${rows.join('\n')}\n\n`);
  }

  /** The command's result for machines (nothing in human mode). */
  result(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, jsonBytes)}\n`);
  }

  /** A warning for people, on stderr, one line, made safe (JSON mode carries warnings in the result). */
  warn(text: string): void {
    if (!this.json) this.stderr.write(`${this.paint('33', `warning: ${terminalSafe(text)}`)}\n`);
  }

  /** A tip for people (how to get more out of a command), on stderr, one line; nothing in JSON mode. */
  hint(text: string): void {
    if (!this.json) this.stderr.write(`${this.paint('2', `hint: ${terminalSafe(text)}`)}\n`);
  }

  /** Progress of a slow step (starting tor, waiting for a circuit), on stderr; nothing in JSON mode. */
  progress(text: string): void {
    if (!this.json) this.stderr.write(`${this.paint('2', terminalSafe(text))}\n`);
  }

  /** Bold (on a terminal). */
  bold(s: string): Styled {
    return new Styled('1', s);
  }

  /** Dim (on a terminal). */
  dim(s: string): Styled {
    return new Styled('2', s);
  }

  /** Green (on a terminal). */
  good(s: string): Styled {
    return new Styled('32', s);
  }

  /** Red (on a terminal). */
  bad(s: string): Styled {
    return new Styled('31', s);
  }

  /**
   * Reports an error as one line (a stack trace only with `debug`) and returns the exit code. The
   * message may come from the Operator: on a terminal it is made safe and kept on one line (CLI-4); in
   * JSON it is exact.
   * @param err - what went wrong
   * @param debug - print the stack too
   */
  fail(err: unknown, debug: boolean): number {
    const code = exitCodeOf(err);
    const tor = err instanceof TorError;
    // CLI-9: every error line carries a code, the same one as in JSON; ERROR when nothing closer is known.
    const errCode = (ComradError.is(err) || err instanceof UsageError || tor ? err.code : undefined) ?? 'ERROR';
    // A TorError carries tor's last log lines after its first line: one line here, all of it with --debug.
    // ERR-2: one line of bounded length, whatever went into it (a URL or path typed by the user included).
    const message = bounded(err instanceof Error ? (tor ? err.message.split('\n')[0]! : err.message) : String(err));
    if (this.json) this.stderr.write(`${JSON.stringify({ error: { code: errCode, message } })}\n`);
    else this.stderr.write(`${this.paint('31', 'comrad: error:')} ${terminalSafe(message)}${this.paint('2', ` [${terminalSafe(errCode)}]`)}\n`);
    if (debug && tor && err.logTail.length > 0) this.stderr.write(`--- last tor log lines ---\n${err.logTail.map((l) => terminalSafe(l)).join('\n')}\n`);
    if (debug && err instanceof Error && err.stack) this.stderr.write(`${terminalSafe(err.stack, true)}\n`);
    return code;
  }

  #render(parts: readonly Part[]): string {
    return parts.map((p) => (p instanceof Styled ? this.paint(p.sgr, terminalSafe(p.text)) : terminalSafe(p))).join('');
  }

  /**
   * Body rows: each line indented; on a terminal of known width, long lines are cut before the terminal
   * would wrap them to its first column. Widths are over-estimated (every code point from U+1100 on
   * counts two cells), so a cut comes early rather than late.
   */
  #indented(body: string): string[] {
    const width = this.stdout.isTTY === true && typeof this.stdout.columns === 'number' && this.stdout.columns > 8 ? this.stdout.columns - BODY_INDENT.length : Infinity;
    const rows: string[] = [];
    for (const line of terminalSafe(body, true).split('\n')) {
      let row = '';
      let cells = 0;
      for (const ch of line) {
        const w = ch === '\t' ? 8 : (ch.codePointAt(0)! >= 0x1100 ? 2 : 1);
        if (cells + w > width) {
          rows.push(BODY_INDENT + row);
          row = '';
          cells = 0;
        }
        row += ch;
        cells += w;
      }
      rows.push(BODY_INDENT + row);
    }
    return rows;
  }

  private paint(code: string, s: string): string {
    return this.#color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }
}

/** The exit code for an error (CLI-3). */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof CommanderError) return EXIT.USAGE;
  // A tor that cannot bootstrap (no network, a blocked bridge) is the Operator out of reach, worth retrying.
  if (err instanceof TorError && err.code === 'TOR_TIMEOUT') return EXIT.NETWORK;
  if (ComradError.is(err)) {
    if (err.code === 'KEY_CHANGED') return EXIT.KEY_CHANGED;
    if (NETWORK_CODES.has(err.code)) return EXIT.NETWORK;
    if (USAGE_CODES.has(err.code)) return EXIT.USAGE;
  }
  return EXIT.ERROR;
}

/**
 * A time in milliseconds (as the library keeps it) as `--json` shows every time (CLI-9): whole seconds
 * since the Unix epoch, UTC, the unit of the signed times of letters and posts.
 */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** JSON.stringify replacer: bytes as their length, never dumped. */
function jsonBytes(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.length };
  return value;
}
