/**
 * The text of a letter or a post, as the command line gives it (CLI-13): an argument, `-` for standard
 * input, or `--file FILE`; checked against LIM-1 before anything is unlocked or sent, in the words of
 * the thing being written.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { MAX_TEXT_CHARS } from '@comrad/core';
import { UsageError } from '../errors.js';

/** What the text is for: named in every message about it. */
export type TextKind = 'letter' | 'post';

/** How the text may be given. */
export interface TextSource {
  /** The TEXT argument; `-` reads standard input. */
  readonly text?: string;
  /** `--file FILE`. */
  readonly file?: string;
  /** An image goes with it (then the text may be empty). */
  readonly image?: boolean;
}

/**
 * Reads and checks the text.
 * @param kind - a letter or a post
 * @param source - the argument, the file, whether an image goes with it
 * @param stdin - standard input (for `-`)
 * @returns the text: from a file or stdin without its final line break
 * @throws UsageError BAD_ARGUMENT (both or neither given, unreadable file), EMPTY_TEXT, TEXT_TOO_LONG
 */
export async function readText(kind: TextKind, source: TextSource, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if (source.text !== undefined && source.file !== undefined) {
    throw new UsageError('BAD_ARGUMENT', `give the ${kind} text as an argument or with --file, not both`);
  }
  let text: string;
  if (source.file !== undefined) text = chomp(await readFileText(source.file));
  else if (source.text === '-') text = chomp(await readAll(stdin));
  else if (source.text !== undefined) text = source.text;
  else if (source.image) text = '';
  else throw new UsageError('EMPTY_TEXT', `no ${kind} text: give it as an argument, - to read it from standard input, or --file FILE`);
  // An image alone is a whole letter or post; text alone must say something.
  if (text.trim() === '' && !source.image) throw new UsageError('EMPTY_TEXT', `the ${kind} is empty: there is nothing to send`);
  const chars = [...text].length;
  if (chars > MAX_TEXT_CHARS) {
    throw new UsageError('TEXT_TOO_LONG', `a ${kind} is at most ${MAX_TEXT_CHARS} characters; this one has ${chars}`);
  }
  return text;
}

/** One final line break off (what `echo` and editors add), no more. */
function chomp(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readFileText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new UsageError('BAD_ARGUMENT', `cannot read the text file ${file}`);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
