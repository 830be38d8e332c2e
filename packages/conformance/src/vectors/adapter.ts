/**
 * The adapter process (ADAPTER.md): the kit starts the client library's adapter, writes one JSON request
 * per line to its stdin and reads one JSON reply per line from its stdout, one request at a time.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** An adapter's answer to one request. */
export type AdapterReply = { readonly ok: Record<string, unknown> } | { readonly error: string; readonly message?: string };

/** What an adapter answers for an op it does not implement (ADAPTER.md). */
export const UNSUPPORTED_OP = 'UNSUPPORTED_OP';

/** How long one request may take: the keystore vectors run PBKDF2, slow in some languages. */
const REQUEST_TIMEOUT_MS = 60_000;
/** How much of the adapter's stderr is kept for the report when it dies. */
const STDERR_TAIL_CHARS = 2000;

/** Thrown when the adapter broke the protocol (died, wrote a line that is not a reply, or timed out). */
export class AdapterBroken extends Error {
  override readonly name = 'AdapterBroken';
}

/** A running adapter. */
export class Adapter {
  readonly #child: ChildProcess;
  readonly #lines: string[] = [];
  #waiting: ((line: string | undefined) => void) | undefined;
  #ended = false;
  #stderr = '';
  #nextId = 1;
  #broken: AdapterBroken | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr!.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-STDERR_TAIL_CHARS)));
    // A request to an adapter that already exited must not crash the kit with EPIPE.
    child.stdin!.on('error', () => undefined);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.trim() === '') return;
      const w = this.#waiting;
      this.#waiting = undefined;
      if (w) w(line);
      else this.#lines.push(line);
    });
    child.once('close', () => {
      this.#ended = true;
      const w = this.#waiting;
      this.#waiting = undefined;
      w?.(undefined);
    });
  }

  /**
   * Starts `command` (a program and its arguments, split as a shell would: quotes and backslashes).
   * @throws Error when the command line is empty or the program cannot be started
   */
  static async start(command: string, cwd?: string): Promise<Adapter> {
    const [program, ...args] = splitCommand(command);
    if (!program) throw new Error('--adapter needs a command, e.g. --adapter "python3 my_adapter.py"');
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new Error(`cannot start the adapter ${program}: ${err.message}`)));
    });
    return new Adapter(child);
  }

  /** The tail of what the adapter wrote to stderr (for the report when it breaks). */
  get stderrTail(): string {
    return this.#stderr;
  }

  /**
   * Sends one request and waits for its reply.
   * @throws AdapterBroken when the adapter exits, times out, or answers with something that is not a reply
   *   to this request (every later request throws the same)
   */
  async request(op: string, params: Record<string, unknown>): Promise<AdapterReply> {
    if (this.#broken) throw this.#broken;
    const id = this.#nextId++;
    this.#child.stdin!.write(`${JSON.stringify({ id, op, ...params })}\n`);
    const line = await this.#nextLine();
    if (line === undefined) throw this.#break(`the adapter exited before answering ${op} (request ${id})`);
    let reply: unknown;
    try {
      reply = JSON.parse(line);
    } catch {
      throw this.#break(`the adapter wrote a line that is not JSON: ${line.slice(0, 200)}`);
    }
    if (typeof reply !== 'object' || reply === null || (reply as { id?: unknown }).id !== id) {
      throw this.#break(`the adapter's reply does not carry id ${id}: ${line.slice(0, 200)}`);
    }
    const r = reply as { ok?: unknown; error?: unknown; message?: unknown };
    if (typeof r.error === 'string') return { error: r.error, ...(typeof r.message === 'string' ? { message: r.message } : {}) };
    if (typeof r.ok === 'object' && r.ok !== null && !Array.isArray(r.ok)) return { ok: r.ok as Record<string, unknown> };
    throw this.#break(`the adapter's reply has neither an "ok" object nor an "error" string: ${line.slice(0, 200)}`);
  }

  /** Closes its stdin (the adapter's cue to exit) and waits for it, killing it after a grace period. */
  async close(): Promise<void> {
    this.#child.stdin!.end();
    if (this.#ended) return;
    const closed = new Promise<void>((resolve) => this.#child.once('close', () => resolve()));
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await closed;
    clearTimeout(timer);
  }

  #nextLine(): Promise<string | undefined> {
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = undefined;
        reject(this.#break(`the adapter did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.#waiting = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  #break(message: string): AdapterBroken {
    this.#broken = new AdapterBroken(message);
    if (!this.#ended) this.#child.kill('SIGKILL');
    return this.#broken;
  }
}

/**
 * Splits a command line into words as a POSIX shell would for plain words, single and double quotes and
 * backslash escapes (no variables, globs or pipes: the adapter is run directly, not through a shell).
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < command.length && '"\\$`'.includes(command[i + 1]!)) word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unbalanced ${quote} in --adapter`);
  if (inWord) words.push(word);
  return words;
}
