/**
 * How `comrad app` reaches the Operator, as the Status screen shows it: directly, through a SOCKS proxy
 * someone else runs (a Tor Browser, a system tor), or through the app's own tor (`--tor`), whose
 * bootstrap this process watches line by line. The app's server starts before tor is ready, so the page
 * can show the bootstrap while it happens; everything that needs the network waits for {@link proxy}.
 *
 * What can be known of a proxy we do not own is only whether it answers as a SOCKS5 proxy; the circuit's
 * state shows in what the Operator connection meets through it (answers, or the proxy's refusals, TR-7).
 * @module
 */
import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import type { TorProgressListener } from '@comrad/core/node';
import type { ConnectRetry } from '../transport/connection.js';

/** A probe of the proxy gives up after this long: a local proxy that answers does so in milliseconds. */
export const PROXY_PROBE_TIMEOUT_MS = 3_000;

/** The answer of one probe of the proxy. */
export interface ProxyProbe {
  /** It spoke SOCKS5 (it answered our greeting with a version-5 reply). */
  readonly answers: boolean;
  /** When, in ms since the epoch. */
  readonly at: number;
  /** How long the answer took, in ms (when it answered). */
  readonly ms?: number;
  /** Why not, in a few words (when it did not). */
  readonly why?: string;
}

/** The transport as the page sees it: no secret, no credentials of the proxy URL. */
export interface TransportView {
  readonly kind: 'direct' | 'proxy' | 'tor';
  /** `host:port` of the proxy (ours or theirs). */
  readonly proxy?: string;
  /** Our own tor: its bootstrap, 0–100, and tor's own summary of the step it is at. */
  readonly bootstrap?: { readonly percent: number; readonly summary: string; readonly ready: boolean; readonly error?: { readonly code: string; readonly message: string } };
  /** The last probe of the proxy. */
  readonly probe?: ProxyProbe;
  /** The last time the proxy could not reach the Operator (TR-7): what it said, when. */
  readonly lastRefusal?: { readonly reason: string; readonly at: number };
}

/**
 * Starts our own tor, telling `onProgress` each bootstrap step; resolves with its `socks5h://` URL once
 * bootstrapped; `signal` gives the start up.
 */
export type TorStarter = (onProgress: TorProgressListener, signal: AbortSignal) => Promise<{ socksUrl: string; stop(): Promise<void> }>;

/**
 * The app's transport: which one, and what is known of it now. Emits `change` whenever that changes (a
 * bootstrap step, a probe, a refusal), for the page's live updates.
 */
export class AppTransport extends EventEmitter<{ change: [] }> {
  readonly #kind: TransportView['kind'];
  #proxy: Promise<string | undefined>;
  #proxyHost: string | undefined;
  #bootstrap: { percent: number; summary: string; ready: boolean; error?: { code: string; message: string } } | undefined;
  #probe: ProxyProbe | undefined;
  #refusal: { reason: string; at: number } | undefined;
  #stopTor: (() => Promise<void>) | undefined;
  readonly #abort = new AbortController();

  /**
   * @param how - `{ proxy }`: a proxy URL or none (direct); `{ tor }`: start our own tor now, in the background
   */
  constructor(how: { proxy?: string | undefined } | { tor: TorStarter }) {
    super();
    if ('tor' in how) {
      this.#kind = 'tor';
      this.#bootstrap = { percent: 0, summary: 'starting tor', ready: false };
      this.#proxy = how
        .tor((percent, summary) => {
          this.#bootstrap = { percent, summary, ready: false };
          this.emit('change');
        }, this.#abort.signal)
        .then(
          (tor) => {
            this.#stopTor = () => tor.stop();
            this.#proxyHost = hostOf(tor.socksUrl);
            this.#bootstrap = { percent: 100, summary: 'done', ready: true };
            this.emit('change');
            return tor.socksUrl;
          },
          (err: unknown) => {
            const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'TOR_EXITED';
            this.#bootstrap = { ...this.#bootstrap!, ready: false, error: { code, message: (err as Error).message } };
            this.emit('change');
            throw err;
          },
        );
      // Whoever waits for the proxy sees the failure; an unobserved one must not crash the process.
      this.#proxy.catch(() => undefined);
    } else {
      this.#kind = how.proxy ? 'proxy' : 'direct';
      this.#proxyHost = how.proxy ? hostOf(how.proxy) : undefined;
      this.#proxy = Promise.resolve(how.proxy);
    }
  }

  /** The `socks5h://` URL to connect through, once there is one (our tor bootstrapped); undefined: direct. */
  proxy(): Promise<string | undefined> {
    return this.#proxy;
  }

  /** What is known now. */
  view(): TransportView {
    return {
      kind: this.#kind,
      ...(this.#proxyHost ? { proxy: this.#proxyHost } : {}),
      ...(this.#bootstrap ? { bootstrap: { ...this.#bootstrap } } : {}),
      ...(this.#probe ? { probe: this.#probe } : {}),
      ...(this.#refusal ? { lastRefusal: this.#refusal } : {}),
    };
  }

  /** TR-7: the proxy could not reach the Operator (yet): the circuit's state as far as a SOCKS client can know it. */
  refused(retry: ConnectRetry): void {
    this.#refusal = { reason: retry.reason, at: Date.now() };
    this.emit('change');
  }

  /**
   * Asks the proxy, when there is one and it is up, whether it answers as a SOCKS5 proxy: a greeting,
   * nothing more (no connection is requested through it).
   * @returns the probe, or undefined when there is no proxy (yet)
   */
  async probe(): Promise<ProxyProbe | undefined> {
    if (this.#kind === 'tor' && !this.#bootstrap?.ready) return undefined;
    const url = await this.#proxy.catch(() => undefined);
    if (!url) return undefined;
    this.#probe = await probeSocks5(url);
    this.emit('change');
    return this.#probe;
  }

  /** Stops our own tor, if we started one, bootstrapped or not. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#proxy.catch(() => undefined);
    await this.#stopTor?.();
  }
}

/** `host:port` of a proxy URL: its credentials (tor's stream isolation) are nobody's business. */
function hostOf(url: string): string {
  return new URL(url).host;
}

/**
 * RFC 1928 method negotiation: we offer "no authentication" and "username/password" (tor takes either);
 * a SOCKS5 proxy answers with version 5 and the method it picked.
 * @param url - `socks5h://host:port` (credentials ignored)
 */
export function probeSocks5(url: string): Promise<ProxyProbe> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || 1080 });
    let done = false;
    const finish = (p: Omit<ProxyProbe, 'at'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...p, at: Date.now() });
    };
    const timer = setTimeout(() => finish({ answers: false, why: `no answer within ${PROXY_PROBE_TIMEOUT_MS / 1000} s` }), PROXY_PROBE_TIMEOUT_MS);
    socket.once('connect', () => socket.write(Uint8Array.of(5, 2, 0, 2)));
    socket.once('data', (d: Buffer) => finish(d[0] === 5 ? { answers: true, ms: Date.now() - started } : { answers: false, why: 'it is not a SOCKS5 proxy' }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ answers: false, why: err.code === 'ECONNREFUSED' ? 'nothing listens there' : (err.code ?? 'error') }));
    socket.once('close', () => finish({ answers: false, why: 'it closed the connection' }));
  });
}
