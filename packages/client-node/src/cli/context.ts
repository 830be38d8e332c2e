/**
 * What every command shares: the global options, the output, and opening a `Comrade` (through Tor when
 * asked), logged in or not.
 * @module
 */
import { join } from 'node:path';
import { Comrade } from '../comrade/comrade.js';
import { UsageError } from '../errors.js';
import { defaultHome } from '../home/home.js';
import { Output } from './output.js';
import { getPassphrase } from './passphrase.js';

/** The global options (CLI-1). */
export interface GlobalOptions {
  home?: string;
  operator?: string;
  proxy?: string;
  tor?: boolean;
  json?: boolean;
  debug?: boolean;
  passphraseFile?: string;
  timeout?: string;
}

/** A command's environment. */
export class Context {
  readonly home: string;
  readonly out: Output;

  /**
   * @param opts - the parsed global options
   * @param env - the environment
   */
  constructor(
    readonly opts: GlobalOptions,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.home = opts.home ?? defaultHome(env);
    this.out = new Output(opts.json === true);
  }

  /** The passphrase, from file, environment or terminal (CLI-2). */
  passphrase(confirm = false): Promise<string> {
    return getPassphrase({ ...(this.opts.passphraseFile ? { file: this.opts.passphraseFile } : {}), env: this.env }, confirm);
  }

  /**
   * Runs `use` with a connected Comrade (logged in when `login`), then closes it (and Tor, if started).
   * @param login - unlock the keystore first
   * @param use - the command's work
   */
  async withComrade<T>(login: boolean, use: (c: Comrade) => Promise<T>): Promise<T> {
    // Ask before connecting: a passphrase typo should not cost a Tor circuit.
    const passphrase = login ? await this.passphrase() : undefined;
    const tor = this.opts.tor ? await startTor(this.home, this.out) : undefined;
    try {
      const proxy = tor?.socksUrl ?? this.opts.proxy ?? this.env['COMRAD_PROXY'];
      const timeoutMs = this.opts.timeout ? seconds(this.opts.timeout) : undefined;
      const comrade = await Comrade.connect({
        home: this.home,
        ...(this.opts.operator ? { operator: this.opts.operator } : {}),
        ...(proxy ? { proxy } : {}),
        ...(timeoutMs ? { requestTimeoutMs: timeoutMs, connectTimeoutMs: Math.max(timeoutMs, 60_000) } : {}),
        ...(this.env['COMRAD_TEST_CRASH_BEFORE_ACK'] === '1' ? { beforeAck: crashBeforeAck } : {}),
      });
      comrade.on('operator-pinned', (fp) => this.out.warn(`first contact with this Operator: pinned its key ${fp} (compare it with the fingerprint its people publish)`));
      try {
        if (passphrase !== undefined) await comrade.login(passphrase);
        return await use(comrade);
      } finally {
        await comrade.close();
      }
    } finally {
      await tor?.stop();
    }
  }
}

/**
 * TEST ONLY (`COMRAD_TEST_CRASH_BEFORE_ACK=1`): the process dies by SIGKILL after storing letters and
 * before acknowledging them, exactly the crash MB-3 guards against.
 */
function crashBeforeAck(ids: readonly string[]): void {
  if (ids.length > 0) process.kill(process.pid, 'SIGKILL');
}

async function startTor(home: string, out: Output) {
  const { startTorClient } = await import('../tor/tor-client.js');
  out.warn('starting tor (this can take a minute)…');
  return startTorClient({ dataDir: join(home, 'tor') });
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError('BAD_ARGUMENT', '--timeout takes a number of seconds');
  return Math.round(n * 1000);
}
