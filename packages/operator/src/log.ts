/**
 * The Operator's logs: pino JSON lines with op names and counts only (LOG-1). Nothing that names a
 * person, a client address or a letter's content is ever passed to the logger; errors are reduced to
 * their class and code, because messages from libraries may quote addresses or input.
 * @module
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level; default `info`. */
  level?: string;
  /** A file path (appended to) or a stream; default stderr. */
  destination?: string | DestinationStream;
}

/**
 * A pino logger writing JSON lines to stderr or a file, without hostname (LOG-1).
 * @example `const log = createLogger({ level: 'debug', destination: './op.log' })`
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const dest =
    typeof options.destination === 'string'
      ? pino.destination({ dest: options.destination, mkdir: true, sync: false })
      : (options.destination ?? pino.destination({ dest: 2, sync: false }));
  return pino({ level: options.level ?? 'info', base: { service: 'comrad-op' }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** A logger that drops everything (the default of `startOperator` when the caller gives none). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * What of an error may be logged (LOG-1): its class name and code, never its message (which may quote an
 * address or input) and only the function names of its stack.
 */
export function safeError(err: unknown): { type: string; code?: string; at?: string[] } {
  if (!(err instanceof Error)) return { type: typeof err };
  const code = (err as { code?: unknown }).code;
  const at = (err.stack ?? '')
    .split('\n')
    .slice(1, 6)
    .map((line) => line.trim().replace(/\(.*\)$/, '').replace(/^at /, '').trim())
    .filter((s) => /^[\w.<>$ ]+$/.test(s));
  return { type: err.name, ...(typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? { code } : {}), at };
}
