/**
 * Where the passphrase comes from (CLI-2): `--passphrase-file`, else `COMRAD_PASSPHRASE`, else typed on
 * a terminal without echo. Never from a command-line flag: flags end up in shell history and in `ps`.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** Where to look. */
export interface PassphraseSources {
  /** `--passphrase-file`. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** The terminal to ask on (default process.stdin). */
  stdin?: NodeJS.ReadStream;
  /** Where the prompt goes (default process.stderr, so stdout stays clean for --json). */
  prompt?: NodeJS.WriteStream;
}

/** What to ask for: the passphrase (default), or a new one for `comrad passphrase`. */
export interface PassphraseRequest {
  /** On a terminal, ask twice and compare (a passphrase being set). */
  confirm?: boolean;
  /**
   * The new passphrase of `comrad passphrase`: from `sources.file` (its `--new-passphrase-file`), else
   * `COMRAD_NEW_PASSPHRASE`, else the terminal (prompt "New passphrase").
   */
  fresh?: boolean;
}

/**
 * Gets the passphrase.
 * @param sources - file, environment, terminal
 * @param request - `confirm` (ask twice on a terminal, for a passphrase being set) or `fresh` (the new
 *   passphrase of a change); a boolean is `confirm`
 * @returns the passphrase
 * @throws UsageError BAD_ARGUMENT when none is available, empty, or the two entries differ
 */
export async function getPassphrase(sources: PassphraseSources, request: boolean | PassphraseRequest = false): Promise<string> {
  const { confirm = false, fresh = false } = typeof request === 'boolean' ? { confirm: request } : request;
  const env = sources.env ?? process.env;
  if (sources.file) {
    let text: string;
    try {
      text = await readFile(sources.file, 'utf8');
    } catch {
      throw new UsageError('BAD_ARGUMENT', `cannot read the passphrase file ${sources.file}`);
    }
    return nonEmpty(text.split(/\r?\n/)[0] ?? '');
  }
  const variable = fresh ? 'COMRAD_NEW_PASSPHRASE' : 'COMRAD_PASSPHRASE';
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const stdin = sources.stdin ?? process.stdin;
  const out = sources.prompt ?? process.stderr;
  if (!stdin.isTTY) {
    const flag = fresh ? '--new-passphrase-file' : '--passphrase-file';
    throw new UsageError('BAD_ARGUMENT', `a ${fresh ? 'new ' : ''}passphrase is needed: set ${variable} or use ${flag} FILE (no terminal to ask on)`);
  }
  const label = fresh ? 'New passphrase' : 'Passphrase';
  const first = nonEmpty(await askHidden(stdin, out, `${label}: `));
  if ((confirm || fresh) && (await askHidden(stdin, out, `${label} again: `)) !== first) {
    throw new UsageError('BAD_ARGUMENT', 'the two passphrases differ');
  }
  return first;
}

function nonEmpty(p: string): string {
  if (p.length === 0) throw new UsageError('BAD_ARGUMENT', 'the passphrase is empty');
  return p;
}

/** Reads one line from a terminal in raw mode, echoing nothing. */
function askHidden(stdin: NodeJS.ReadStream, out: NodeJS.WriteStream, prompt: string): Promise<string> {
  // Raw mode (no echo) before the prompt shows: whatever is typed after seeing it is never echoed.
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  out.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      out.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          return resolve(typed);
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          return reject(new UsageError('BAD_ARGUMENT', 'cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
