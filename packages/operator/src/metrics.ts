/**
 * The Operator watched (LOG-2, LOG-3): Prometheus metrics (`prom-client`) and a health check for
 * supervisors, served on their own loopback HTTP listener (`comrad-op --metrics 127.0.0.1:9464`).
 *
 * Every label value comes from a closed list the Operator defines — an op name, an error or refusal code,
 * a store method — so the scrape never carries a name, a key, an id or an address, and its size does not
 * grow with the people using the Operator. Counting is a few additions per request: nothing here is on the
 * path of a decision.
 * @module
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCode } from '@comrad/core';
import { OPS, type Op } from '@comrad/core/wire';
import type { Store } from './store/types.js';

/** Why the server itself refused or dropped a connection or a request, besides a request's typed answer. */
export type RefusalReason = ErrorCode | 'SLOW_READER' | 'MEMORY_BUDGET' | 'TOO_MANY_CONNECTIONS' | 'HANDSHAKE_TIMEOUT' | 'GREETING_RATE' | 'CLOSING';

/** What the server reports as it works; {@link OperatorMetrics} is the Prometheus one. */
export interface MetricsSink {
  /** One request answered: its op (a known name, or undefined), `ok` or its error code, and how long it took. */
  request(op: Op | undefined, outcome: 'ok' | ErrorCode, seconds: number): void;
  /** The server refused or dropped something outside a request's answer (LIMIT-4, LIMIT-6, LIMIT-7, LIMIT-8, AUTH-10). */
  refused(reason: RefusalReason): void;
  /** "You have mail" pushes sent (MB-6). */
  pushed(count: number): void;
}

/** What the metrics read from a running Operator when scraped. */
export interface WatchedOperator {
  /** Open connections. */
  connections(): number;
  /** Connections logged in. */
  loggedIn(): number;
  /** LIMIT-6: bytes held for connections now, the most held at once since start, and the budget. */
  memory(): { held: number; peak: number; budget: number };
}

/** Store methods whose latency is measured (every call that reaches the backend on a request or the sweep). */
const TIMED = [
  'putPairIfAbsent',
  'keyOf',
  'nameOf',
  'appendMail',
  'listMail',
  'deleteMail',
  'appendPost',
  'listPosts',
  'getPost',
  'deletePostIfAuthor',
  'countPostsSince',
  'worldKey',
  'expire',
  'appendEntry',
  'readEntries',
  'putProfileIfNewer',
  'getProfile',
  'expireProfiles',
  'appendChanPost',
  'listChanPosts',
  'expireChanPosts',
  'getChanPost',
  'putPin',
  'getPin',
  'listPins',
  'votePin',
  'expirePins',
  'storedBytes',
  'issuerKey',
  'takeTokens',
  'spendToken',
  'expireTokens',
  'castVote',
  'tallies',
  'expireVotes',
] as const satisfies readonly (keyof Store)[];

type TimedMethod = (typeof TIMED)[number];
/** The rest of {@link Store}, passed through untimed; a method added to Store must be sorted into one list or the other. */
const UNTIMED: Record<Exclude<keyof Store, TimedMethod>, true> = { kind: true, onMail: true, dump: true, close: true };

/** Latency buckets (seconds) from half a millisecond to five seconds: a loopback request to a stalled store. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Items per page: a page holds at most 50 by default (LIMIT-5), up to the limit an Operator sets. */
const PAGE_BUCKETS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500];

/** How long `/healthz` waits for the store before it says 503. */
export const HEALTH_TIMEOUT_MS = 1000;

/**
 * The Operator's Prometheus metrics, in a registry of their own (never prom-client's global one, so two
 * Operators in one process do not mix their counts).
 */
export class OperatorMetrics implements MetricsSink {
  /** The registry to scrape. */
  readonly registry = new Registry();
  readonly #requests: Counter<'op' | 'outcome'>;
  readonly #latency: Histogram<'op'>;
  readonly #refused: Counter<'reason'>;
  readonly #pushes: Counter;
  readonly #storeLatency: Histogram<'method' | 'result'>;
  readonly #mailPage: Histogram;
  readonly #feedPage: Histogram;
  readonly #letters: Counter<'event'>;
  readonly #posts: Counter<'event'>;
  #watched: WatchedOperator | undefined;
  #store: Store | undefined;

  constructor() {
    const registers = [this.registry];
    // LOG-2: process memory, CPU, event-loop delay and GC, as prom-client gathers them (counts only).
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({ name: 'comrad_requests_total', help: 'Requests answered, by op and outcome (ok or error code)', labelNames: ['op', 'outcome'], registers });
    this.#latency = new Histogram({ name: 'comrad_request_duration_seconds', help: 'Time from a frame received to its answer ready, by op', labelNames: ['op'], buckets: LATENCY_BUCKETS, registers });
    this.#refused = new Counter({ name: 'comrad_refused_total', help: 'Connections or requests refused or dropped by the server, by reason', labelNames: ['reason'], registers });
    this.#pushes = new Counter({ name: 'comrad_mail_pushes_total', help: '"You have mail" pushes sent', registers });
    this.#storeLatency = new Histogram({ name: 'comrad_store_duration_seconds', help: 'Store call latency, by method and result (ok or error)', labelNames: ['method', 'result'], buckets: LATENCY_BUCKETS, registers });
    this.#mailPage = new Histogram({ name: 'comrad_mailbox_page_items', help: 'Letters waiting per mailbox read (capped by the page size)', buckets: PAGE_BUCKETS, registers });
    this.#feedPage = new Histogram({ name: 'comrad_feed_page_items', help: 'Posts per feed page read', buckets: PAGE_BUCKETS, registers });
    this.#letters = new Counter({ name: 'comrad_letters_total', help: 'Letters stored, acknowledged (deleted) and expired', labelNames: ['event'], registers });
    this.#posts = new Counter({ name: 'comrad_posts_total', help: 'Posts stored, deleted and expired', labelNames: ['event'], registers });
    const self = this;
    new Gauge({ name: 'comrad_connections', help: 'Open connections', registers, collect() { this.set(self.#watched?.connections() ?? 0); } });
    new Gauge({ name: 'comrad_connections_logged_in', help: 'Connections logged in', registers, collect() { this.set(self.#watched?.loggedIn() ?? 0); } });
    const budget = new Gauge({
      name: 'comrad_memory_budget_bytes',
      help: 'LIMIT-6: bytes held for connections now (held), the most held at once (peak), and the budget (total)',
      labelNames: ['kind'],
      registers,
      collect() {
        const m = self.#watched?.memory();
        if (!m) return;
        budget.set({ kind: 'held' }, m.held);
        budget.set({ kind: 'peak' }, m.peak);
        budget.set({ kind: 'total' }, m.budget);
      },
    });
    new Gauge({
      name: 'comrad_stored_bytes',
      help: 'STORE-2: sealed bytes of letters, posts and log entries held',
      registers,
      // LOG-4: every worker reads the same shared store; summed over workers it would count it N times.
      aggregator: 'max',
      async collect() {
        // A store that does not answer leaves the gauge as it was; /healthz says so.
        if (self.#store) this.set(await self.#store.storedBytes().catch(() => NaN));
      },
    });
    // Every op's `ok` starts at zero, so a rate over a fresh Operator is defined.
    for (const op of OPS) this.#requests.inc({ op, outcome: 'ok' }, 0);
  }

  /** Reads connection counts and the memory budget from `op` at every scrape. */
  watch(op: WatchedOperator): void {
    this.#watched = op;
  }

  /** Counts one answered request and observes its latency (`comrad_requests_total`, `comrad_request_duration_seconds`). */
  request(op: Op | undefined, outcome: 'ok' | ErrorCode, seconds: number): void {
    const name = op ?? 'unknown';
    this.#requests.inc({ op: name, outcome });
    this.#latency.observe({ op: name }, seconds);
  }

  /** Counts one refusal by the server (`comrad_refused_total`). */
  refused(reason: RefusalReason): void {
    this.#refused.inc({ reason });
  }

  /** Counts "you have mail" pushes (`comrad_mail_pushes_total`). */
  pushed(count: number): void {
    this.#pushes.inc(count);
  }

  /**
   * `store` with every call timed (`comrad_store_duration_seconds`) and what its answers count — letters
   * and posts stored, deleted, expired; items per page — observed. The answers themselves pass unchanged.
   */
  timeStore(store: Store): Store {
    this.#store = store;
    // Every method bound to the store itself, so its own state (closed, calls in flight) stays its own.
    const timed: Record<string, unknown> = {};
    for (const key of Object.keys(UNTIMED) as (keyof typeof UNTIMED)[]) {
      const value = store[key];
      timed[key] = typeof value === 'function' ? value.bind(store) : value;
    }
    for (const method of TIMED) {
      const inner = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
      timed[method] = async (...args: unknown[]) => {
          const start = performance.now();
          let result: 'ok' | 'error' = 'error';
          try {
            const answer = await inner(...args);
            result = 'ok';
            this.#count(method, answer);
            return answer;
          } finally {
            this.#storeLatency.observe({ method, result }, (performance.now() - start) / 1000);
          }
      };
    }
    return timed as unknown as Store;
  }

  #count(method: TimedMethod, answer: unknown): void {
    switch (method) {
      case 'appendMail':
        if (typeof answer === 'object' && answer && !('held' in answer)) this.#letters.inc({ event: 'stored' });
        return;
      case 'deleteMail':
        this.#letters.inc({ event: 'acked' }, answer as number);
        return;
      case 'listMail':
        this.#mailPage.observe((answer as unknown[]).length);
        return;
      case 'appendPost':
        if (typeof answer === 'object' && answer && !('held' in answer)) this.#posts.inc({ event: 'stored' });
        return;
      case 'deletePostIfAuthor':
        if (answer === true) this.#posts.inc({ event: 'deleted' });
        return;
      case 'listPosts':
        this.#feedPage.observe((answer as unknown[]).length);
        return;
      case 'expire': {
        const { mail, posts } = answer as { mail: number; posts: number };
        this.#letters.inc({ event: 'expired' }, mail);
        this.#posts.inc({ event: 'expired' }, posts);
        return;
      }
      default:
        return;
    }
  }
}

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** The metrics to serve at `/metrics`: an {@link OperatorMetrics}, or the workers' summed (LOG-4). */
  metrics: { readonly registry: { metrics(): Promise<string>; readonly contentType: string } };
  /** Interface to listen on (loopback unless the operator chose otherwise, LOG-3). */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** True while the Operator listens and is not shutting down. */
  listening(): boolean;
  /** Resolves when the store answers; `/healthz` allows it {@link HEALTH_TIMEOUT_MS}. */
  probeStore(): Promise<unknown>;
}

/** A running metrics listener. */
export interface MetricsServer {
  /** `http://host:port`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening (open scrapes are cut). */
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /healthz` (200 `ok` while the Operator listens
 * and its store answers within {@link HEALTH_TIMEOUT_MS}, else 503 with `closing` or `store`); anything
 * else is 404. Answers carry no detail beyond that one word.
 * @throws the listen error (e.g. EADDRINUSE)
 */
export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  // One probe at a time: a supervisor polling a stalled store must not pile up calls on it.
  let probing: Promise<boolean> | undefined;
  const probe = () =>
    (probing ??= withTimeout(o.probeStore(), HEALTH_TIMEOUT_MS).finally(() => {
      probing = undefined;
    }));
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      o.metrics.registry.metrics().then(
        (text) => reply(200, o.metrics.registry.contentType, text),
        () => reply(500, 'text/plain', 'error\n'),
      );
      return;
    }
    if (path === '/healthz') {
      if (!o.listening()) return reply(503, 'text/plain', 'closing\n');
      void probe().then((up) => (up ? reply(200, 'text/plain', 'ok\n') : reply(503, 'text/plain', 'store\n')));
      return;
    }
    reply(404, 'text/plain', 'not found\n');
  });
  // A scrape is small and quick: a connection that sends nothing is not kept.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** True when `p` resolves within `ms`, false when it rejects or takes longer. */
function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(false)),
    );
  });
}
