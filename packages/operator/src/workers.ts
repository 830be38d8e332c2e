/**
 * Several Operator processes on one port (`comrad-op --workers N`, OP-8, STORE-4, LIMIT-9, LOG-4): a primary that
 * unlocks the keys once, forks N workers with node:cluster (which hands each new connection to the next
 * worker in turn) and relays between them what must cross processes — "you have mail" for a store that
 * does not carry it (LMDB, STORE-4), each name's logged-in connections (LIMIT-4 across workers, LIMIT-9),
 * and scrapes of the metrics (LOG-4). The workers run the Operator itself, each on its own connection
 * to the shared store.
 *
 * IPC carries recipient names (as Redis pub/sub does) and key material between the primary and its own
 * children over their private pipe, never to disk or the network; nothing of it is logged (LOG-1).
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { KeyPair, PrivateKey, PublicKey } from '@comrad/core';
import type { OperatorKeys } from './handlers.js';
import { operatorKeys } from './keys.js';
import { MailListeners } from './store/_listeners.js';
import type { Store } from './store/types.js';

/** Private and public bytes of the two key pairs, as the primary hands them to a worker. */
interface KeyBytes {
  readonly operator: readonly [Uint8Array, Uint8Array];
  readonly world: readonly [Uint8Array, Uint8Array];
}

/** Messages from the primary to a worker. */
type ToWorker =
  | { t: 'start'; index: number; count: number; keys: KeyBytes }
  | { t: 'mail'; to: string }
  | { t: 'slot'; id: number; ok: boolean }
  | { t: 'scrape'; id: number }
  | { t: 'probe'; id: number };

/** Messages from a worker to the primary. */
type ToPrimary =
  | { t: 'ready' }
  | { t: 'listening'; port: number }
  | { t: 'mail'; to: string }
  | { t: 'take'; id: number; name: string }
  | { t: 'give'; name: string }
  | { t: 'scraped'; id: number; metrics: object[] | null }
  | { t: 'probed'; id: number; ok: boolean };

/** True in a process forked by {@link startWorkers}. */
export function isWorker(): boolean {
  return cluster.isWorker;
}

// ---------------------------------------------------------------------------------------------------
// Worker side

/** What a worker learns from its primary before it starts. */
export interface WorkerStart {
  /** 0-based; worker 0 runs the expiry sweep (OP-8). */
  readonly index: number;
  /** How many workers share the port: the process-wide limits are divided by it (LIMIT-9). */
  readonly count: number;
  readonly keys: OperatorKeys;
}

/** A worker's link to its primary. */
export class PrimaryLink {
  #nextId = 0;
  readonly #pending = new Map<number, (ok: boolean) => void>();
  readonly #mail = new MailListeners();
  #scrape: (() => Promise<object[]>) | undefined;
  #probe: (() => Promise<unknown>) | undefined;
  readonly #started: Promise<WorkerStart>;

  /** Listens to the primary at once (so no message is missed), then says it is ready for its start. */
  constructor() {
    let started!: (s: WorkerStart) => void;
    this.#started = new Promise((resolve) => (started = resolve));
    process.on('message', (m: ToWorker) => {
      switch (m.t) {
        case 'start': {
          const pair = ([priv, pub]: readonly [Uint8Array, Uint8Array]) => new KeyPair(PrivateKey.from(priv), PublicKey.from(pub));
          const keys = operatorKeys(pair(m.keys.operator), pair(m.keys.world));
          for (const b of [...m.keys.operator, ...m.keys.world]) b.fill(0);
          started({ index: m.index, count: m.count, keys });
          return;
        }
        case 'mail':
          return this.#mail.emit(m.to);
        case 'slot':
          this.#pending.get(m.id)?.(m.ok);
          this.#pending.delete(m.id);
          return;
        case 'scrape':
          void (this.#scrape?.() ?? Promise.resolve(null)).then(
            (metrics) => this.#send({ t: 'scraped', id: m.id, metrics }),
            () => this.#send({ t: 'scraped', id: m.id, metrics: null }),
          );
          return;
        case 'probe':
          void (this.#probe?.() ?? Promise.reject(new Error('no store'))).then(
            () => this.#send({ t: 'probed', id: m.id, ok: true }),
            () => this.#send({ t: 'probed', id: m.id, ok: false }),
          );
          return;
      }
    });
    this.#send({ t: 'ready' });
  }

  /** The keys, this worker's index and the number of workers, once the primary sends them. */
  started(): Promise<WorkerStart> {
    return this.#started;
  }

  /**
   * STORE-4: `store` with "you have mail" shared between the workers through the primary: each letter
   * this worker stores is announced to the others, and theirs reach this worker's listeners. For a store
   * whose notifications already cross processes (Redis pub/sub), `store` as it is.
   */
  shareMail(store: Store): Store {
    if (store.kind === 'redis') return store;
    store.onMail((to) => {
      this.#mail.emit(to);
      this.#send({ t: 'mail', to });
    });
    const onMail = (listener: (to: string) => void) => this.#mail.add(listener);
    return new Proxy(store, {
      get(target, prop) {
        if (prop === 'onMail') return onMail;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  /** LIMIT-9: the primary's count of each name's logged-in connections, over every worker. */
  readonly nameSlots = {
    take: (name: string): Promise<boolean> =>
      new Promise((resolve) => {
        const id = this.#nextId++;
        this.#pending.set(id, resolve);
        this.#send({ t: 'take', id, name });
      }),
    give: (name: string): void => this.#send({ t: 'give', name }),
  };

  /** Answers the primary's scrapes (LOG-4) and health probes with these. */
  serve(scrape: (() => Promise<object[]>) | undefined, probe: () => Promise<unknown>): void {
    this.#scrape = scrape;
    this.#probe = probe;
  }

  /** Tells the primary this worker listens on `port`. */
  listening(port: number): void {
    this.#send({ t: 'listening', port });
  }

  #send(m: ToPrimary): void {
    // The primary gone means this worker is about to exit (node:cluster exits a worker whose primary left).
    if (process.connected) process.send!(m);
  }
}

// ---------------------------------------------------------------------------------------------------
// Primary side

/** Options of {@link startWorkers}. */
export interface StartWorkersOptions {
  readonly count: number;
  readonly keys: OperatorKeys;
  /** LIMIT-4: logged-in connections of one name, over every worker (LIMIT-9). */
  readonly maxConnectionsPerName: number;
  /** Told when a worker died unexpectedly (it is forked again) — its exit code or signal, never more. */
  readonly onWorkerExit?: (index: number, code: number | null, signal: string | null) => void;
  /** Told when workers die too often to go on; the primary then stops the rest. */
  readonly onGiveUp?: () => void;
}

/** The running workers, as the primary sees them. */
export interface Workers {
  /** The port every worker listens on. */
  readonly port: number;
  /** True while every worker is up. */
  allUp(): boolean;
  /** LOG-4: every worker's metrics, summed (a gauge of the shared store's bytes: the largest). */
  scrape(): Promise<string>;
  /** The Prometheus content type of {@link Workers.scrape}. */
  readonly contentType: string;
  /** Resolves when worker 0's store answers (for `/healthz`). */
  probe(): Promise<unknown>;
  /** Sends SIGTERM to every worker and resolves when all have exited; true when all exited with 0. */
  stop(): Promise<boolean>;
}

/** At most this many unexpected worker exits within {@link RESTART_WINDOW_MS}; one more and the primary gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** How long a scrape or a probe waits for a worker. */
const ASK_TIMEOUT_MS = 5000;

/**
 * Forks `count` workers running this same program (`process.argv`), hands each the keys over IPC, and
 * relays between them. Resolves once every worker listens.
 * @throws Error when a worker exits before it listens (its own stderr says why)
 */
export async function startWorkers(o: StartWorkersOptions): Promise<Workers> {
  // Key bytes and names pass as Uint8Array and string; 'advanced' serialization keeps the bytes binary.
  cluster.setupPrimary({ serialization: 'advanced' });
  const slots = new Map<string, number>();
  const byWorker = new Map<Worker, Map<string, number>>();
  const workers: Array<Worker | undefined> = [];
  const asks = new Map<number, (answer: unknown) => void>();
  let nextAsk = 0;
  let stopping = false;
  const exits: number[] = [];
  let port: number | undefined;
  let listening = 0;
  let startedOk!: () => void;
  let startFailed!: (err: Error) => void;
  const allListening = new Promise<void>((resolve, reject) => ((startedOk = resolve), (startFailed = reject)));

  const give = (w: Worker, name: string, n = 1) => {
    const mine = byWorker.get(w);
    const held = Math.min(n, mine?.get(name) ?? 0);
    if (held === 0) return;
    if (mine!.get(name) === held) mine!.delete(name);
    else mine!.set(name, mine!.get(name)! - held);
    const left = slots.get(name)! - held;
    if (left === 0) slots.delete(name);
    else slots.set(name, left);
  };

  const fork = (index: number, first: boolean) => {
    const w = cluster.fork();
    workers[index] = w;
    byWorker.set(w, new Map());
    let up = false;
    w.on('message', (m: ToPrimary) => {
      switch (m.t) {
        case 'ready': {
          const bytes = (k: KeyPair) => [k.privateKey.bytes(), k.publicKey.bytes()] as const;
          w.send({ t: 'start', index, count: o.count, keys: { operator: bytes(o.keys.operator), world: bytes(o.keys.world) } } satisfies ToWorker);
          return;
        }
        case 'listening':
          up = true;
          port ??= m.port;
          if (first && ++listening === o.count) startedOk();
          return;
        case 'mail':
          // STORE-4: to every other worker; the one that stored it told its own listeners.
          for (const other of workers) if (other && other !== w && other.isConnected()) other.send({ t: 'mail', to: m.to } satisfies ToWorker);
          return;
        case 'take': {
          const n = slots.get(m.name) ?? 0;
          const ok = n < o.maxConnectionsPerName;
          if (ok) {
            slots.set(m.name, n + 1);
            const mine = byWorker.get(w)!;
            mine.set(m.name, (mine.get(m.name) ?? 0) + 1);
          }
          w.send({ t: 'slot', id: m.id, ok } satisfies ToWorker);
          return;
        }
        case 'give':
          return give(w, m.name);
        case 'scraped':
          asks.get(m.id)?.(m.metrics);
          return;
        case 'probed':
          asks.get(m.id)?.(m.ok);
          return;
      }
    });
    w.on('exit', (code, signal) => {
      // A dead worker's connections are gone: so are the slots their names held.
      for (const [name, n] of byWorker.get(w) ?? []) give(w, name, n);
      byWorker.delete(w);
      if (workers[index] === w) workers[index] = undefined;
      if (stopping) return;
      if (!up && first) return startFailed(new Error(`worker ${index} exited (${signal ?? code}) before it listened`));
      // Exit 0 is a worker that was told to stop (SIGTERM to it, e.g. from a supervisor stopping the whole
      // unit, its primary included): not a crash to make up for.
      if (code === 0) return;
      o.onWorkerExit?.(index, code, signal);
      const now = Date.now();
      exits.push(now);
      while (exits.length > 0 && exits[0]! < now - RESTART_WINDOW_MS) exits.shift();
      if (exits.length > MAX_RESTARTS) {
        o.onGiveUp?.();
        return;
      }
      fork(index, false);
    });
  };

  /** Asks worker `w` something and waits for its answer, or `undefined` after {@link ASK_TIMEOUT_MS}. */
  const ask = (w: Worker, message: (id: number) => ToWorker): Promise<unknown> =>
    new Promise((resolve) => {
      const id = nextAsk++;
      const timer = setTimeout(() => {
        asks.delete(id);
        resolve(undefined);
      }, ASK_TIMEOUT_MS);
      asks.set(id, (answer) => {
        clearTimeout(timer);
        asks.delete(id);
        resolve(answer);
      });
      w.send(message(id));
    });

  for (let i = 0; i < o.count; i++) fork(i, true);
  try {
    await allListening;
  } catch (err) {
    stopping = true;
    await stopAll();
    throw err;
  }

  async function stopAll(): Promise<boolean> {
    stopping = true;
    const live = workers.filter((w): w is Worker => w !== undefined && !w.isDead());
    const clean = await Promise.all(
      live.map(
        (w) =>
          new Promise<boolean>((resolve) => {
            // Killed by the signal itself is clean too: a worker still starting (forked again after a crash)
            // has no handler yet, and nothing in flight either.
            w.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGTERM'));
            w.process.kill('SIGTERM');
          }),
      ),
    );
    return clean.every(Boolean);
  }

  return {
    port: port!,
    allUp: () => !stopping && workers.every((w) => w !== undefined && !w.isDead()),
    // The Prometheus text format's content type (prom-client's PROMETHEUS_CONTENT_TYPE), without loading it here.
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    async scrape() {
      const { AggregatorRegistry } = await import('prom-client');
      const live = workers.filter((w): w is Worker => w !== undefined && w.isConnected());
      const answers = await Promise.all(live.map((w) => ask(w, (id) => ({ t: 'scrape', id }))));
      return AggregatorRegistry.aggregate(answers.filter((a): a is object[] => Array.isArray(a))).metrics();
    },
    async probe() {
      const w = workers.find((x) => x !== undefined && x.isConnected());
      if (!w || (await ask(w, (id) => ({ t: 'probe', id }))) !== true) throw new Error('store');
    },
    stop: stopAll,
  };
}
