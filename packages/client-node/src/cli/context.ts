/**
 * What every command shares: the global options, the output, and opening a `Comrade` (through Tor when
 * asked), logged in or not.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Comrade, type ComradeOptions } from '../comrade/comrade.js';
import { UsageError } from '../errors.js';
import { defaultHome } from '../home/home.js';
import { SealedHome } from '../home/sealed-home.js';
import { Output } from './output.js';
import { getPassphrase } from './passphrase.js';
import { requireStrong } from './strength.js';

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
  torConfig?: string;
  /** TR-9: allow plain ws:// to a remote host. */
  insecure?: boolean;
}

/** Said whenever a passphrase is set (CLI-5): there is no recovery, by design. */
export const LOST_PASSPHRASE =
  'Remember this passphrase: it is the only way to open this home. If you lose it, your name is lost with it: ' +
  'nobody, not even the Operator, can recover it or let you register the name again.';

/** TR-7: at most one "still trying" line per this many ms while the proxy cannot reach the Operator. */
const RETRY_NOTICE_EVERY_MS = 5_000;
/** Through a proxy, a first answer slower than this gets a progress line (a circuit is being built). */
const SLOW_CONNECT_NOTICE_MS = 3_000;

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
   * The home's passphrase, asked once (CLI-2). A home that has none yet gets one only from a command that
   * sets a home up (`create`): asked twice on a terminal, refused when weak unless `--weak-passphrase`
   * (CLI-5), and the person is told plainly what losing it costs.
   * @param create - allowed to set a new passphrase, with its `--weak-passphrase` and the words an attacker
   *   would try first (the name)
   * @throws UsageError NO_HOME (no home here, and this command does not make one), WEAK_PASSPHRASE
   */
  async homePassphrase(create?: { weak?: boolean; userInputs?: readonly string[] }): Promise<string> {
    const state = await SealedHome.state(this.home);
    if (!state.newPassphrase) return this.passphrase();
    if (!create) {
      throw new UsageError('NO_HOME', state.legacyPlain ? `the home ${this.home} is not sealed yet: run \`comrad init\` to seal it with a passphrase` : `no home at ${this.home} yet: run \`comrad init\` first`);
    }
    const passphrase = await this.passphrase(true);
    await requireStrong(passphrase, create);
    this.out.warn(LOST_PASSPHRASE);
    return passphrase;
  }

  /**
   * Unlocks the home (HOME-4), asking for its passphrase once; see {@link homePassphrase}.
   * @returns the unlocked home (wipe it when done)
   */
  async unlockHome(create?: { weak?: boolean; userInputs?: readonly string[] }): Promise<SealedHome> {
    return SealedHome.unlock(this.home, await this.homePassphrase(create));
  }

  /**
   * Runs `use` with a connected Comrade, then closes it (and Tor, if started). The home, and the identity
   * in it, are unlocked before anything touches the network: the Operator list itself is sealed. Nothing
   * is authenticated here: only the ops that act as the comrade (inbox, post, feed, delete) open a
   * logged-in connection, so `comrad send` never logs in (CL-2).
   * @param identity - the command needs the comrade's identity (NO_KEYSTORE without one)
   * @param use - the command's work
   * @param passphrase - the home's passphrase when the command asked already (register)
   */
  async withComrade<T>(identity: boolean, use: (c: Comrade, proxy: string | undefined) => Promise<T>, passphrase?: string): Promise<T> {
    // Ask before connecting: a passphrase typo should not cost a Tor circuit.
    passphrase ??= await this.homePassphrase();
    return this.withProxy(async (proxy) => {
      const comrade = await this.connecting(
        proxy,
        Comrade.connect({
          home: this.home,
          passphrase,
          ...(this.opts.operator ? { operator: this.opts.operator } : {}),
          ...(proxy ? { proxy } : {}),
          ...this.connectionOptions(),
          onWork: ({ op, bits }) => this.out.progress(`${op === 'register' ? 'registering' : 'sending'}: the Operator asks for a proof of work (${bits} bits), a few seconds of computing`),
          ...(this.env['COMRAD_TEST_CRASH_BEFORE_ACK'] === '1' ? { beforeAck: crashBeforeAck } : {}),
        }),
      );
      // CLI-15: a key taken on first contact is only as good as the Operator's word until compared in person.
      comrade.on('contact-pinned', (name, fp) => this.out.warn(`pinned @${name}'s key on first contact, fingerprint ${fp}: compare this fingerprint in person: \`comrad whois ${name} --qr\``));
      comrade.on('operator-pinned', (fp) => this.out.warn(`first contact with this Operator: pinned its key ${fp} (compare it with the fingerprint its people publish)`));
      try {
        if (identity && !comrade.identity) throw new UsageError('NO_KEYSTORE', 'no identity in this home yet: run `comrad register NAME` first');
        return await use(comrade, proxy);
      } finally {
        await comrade.close();
      }
    });
  }

  /**
   * Runs `use` with the proxy to connect through: our own tor with `--tor` (started now, stopped after),
   * else `--proxy` or $COMRAD_PROXY, else none.
   * @param use - the command's work, given the `socks5h://` URL or undefined
   */
  async withProxy<T>(use: (proxy: string | undefined) => Promise<T>): Promise<T> {
    this.warnInsecure();
    const tor = this.opts.tor ? await this.ownTor() : undefined;
    try {
      return await use(tor?.socksUrl ?? this.configuredProxy());
    } finally {
      await tor?.stop();
    }
  }

  /** TR-9: the user chose an unprotected transport; say so every time it may be used. */
  warnInsecure(): void {
    if (this.opts.insecure) this.out.warn('--insecure: plain ws:// to a remote host is allowed: anyone on the way sees whom you log in as and what you ask (use wss:// or an onion address)');
  }

  /** The proxy someone else runs: `--proxy` or $COMRAD_PROXY, else none. */
  configuredProxy(): string | undefined {
    return this.opts.proxy ?? this.env['COMRAD_PROXY'];
  }

  /**
   * Starts our own tor (`--tor`) and waits for its bootstrap, printing each step and telling `onProgress`.
   * @param onProgress - also told each step (the app's Status screen)
   * @param signal - gives the start up (tor stopped, TOR_EXITED)
   * @returns the running tor: its `socksUrl`, and `stop()`
   * @throws TorError TOR_MISSING, TOR_EXITED, TOR_TIMEOUT…
   */
  async ownTor(onProgress?: (percent: number, summary: string) => void, signal?: AbortSignal): Promise<{ socksUrl: string; stop(): Promise<void> }> {
    return startTor(this.home, this.out, await this.torConfig(), this.timeoutMs(), onProgress, signal);
  }

  /**
   * Waits for a first connection; through a proxy, says so when that takes a while (TR-7).
   * @param proxy - the proxy in use, if any
   * @param connection - the connection being opened
   */
  async connecting<T>(proxy: string | undefined, connection: Promise<T>): Promise<T> {
    if (!proxy) return connection;
    const slow = setTimeout(() => this.out.progress('connecting through the proxy: building a Tor circuit to the Operator…'), SLOW_CONNECT_NOTICE_MS);
    try {
      return await connection;
    } finally {
      clearTimeout(slow);
    }
  }

  /** `--timeout` in ms, when given (TR-4): it bounds every wait of the command. */
  timeoutMs(): number | undefined {
    return this.opts.timeout ? seconds(this.opts.timeout) : undefined;
  }

  /**
   * Timeouts and a progress line while the proxy cannot reach the Operator yet (TR-7). TR-4: `--timeout S`
   * bounds the connection as well as each answer, so a proxy that holds the connection (a tor that
   * cannot bootstrap) ends the command after S seconds too, with TIMEOUT (exit 3).
   */
  connectionOptions(): Pick<ComradeOptions, 'requestTimeoutMs' | 'connectTimeoutMs' | 'onRetry' | 'insecure'> {
    const timeoutMs = this.timeoutMs();
    let noticed = 0;
    return {
      ...(this.opts.insecure ? { insecure: true } : {}),
      ...(timeoutMs ? { requestTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs } : {}),
      onRetry: (r) => {
        if (Date.now() - noticed < RETRY_NOTICE_EVERY_MS) return;
        noticed = Date.now();
        const left = `${Math.ceil(r.remainingMs / 1000)} s left`;
        // TR-8: the Operator itself said it is full.
        if (r.reason === 'RATE_LIMITED') this.out.progress(`the Operator is busy: trying again, ${left}`);
        else this.out.progress(`the proxy cannot reach the Operator yet (${r.reason}; a new onion service takes a moment to be published): trying again, ${left}`);
      },
    };
  }

  /** Extra torrc lines for our own tor: `--tor-config FILE` or $COMRAD_TOR_CONFIG (e.g. a private test network). */
  private async torConfig(): Promise<string | undefined> {
    const file = this.opts.torConfig ?? this.env['COMRAD_TOR_CONFIG'];
    if (!file) return undefined;
    try {
      return await readFile(file, 'utf8');
    } catch {
      throw new UsageError('BAD_ARGUMENT', `cannot read the tor configuration file ${file}`);
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

/**
 * Starts the client's own tor (`--tor`) and waits for its bootstrap: at most `timeoutMs` (`--timeout`,
 * TR-4), else the tor client's default; a tor that cannot bootstrap in time is TOR_TIMEOUT, exit 3.
 */
async function startTor(home: string, out: Output, extraTorrc: string | undefined, timeoutMs: number | undefined, onProgress?: (percent: number, summary: string) => void, signal?: AbortSignal) {
  const { startTorClient } = await import('../tor/tor-client.js');
  out.progress('starting tor (this can take a minute)…');
  let shown = -1;
  return startTorClient({
    dataDir: join(home, 'tor'),
    ...(extraTorrc ? { extraTorrc } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(signal ? { signal } : {}),
    onProgress: (percent, summary) => {
      onProgress?.(percent, summary);
      if (percent === shown) return;
      shown = percent;
      out.progress(`tor bootstrapped ${percent}%: ${summary}`);
    },
  });
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError('BAD_ARGUMENT', '--timeout takes a number of seconds');
  return Math.round(n * 1000);
}
