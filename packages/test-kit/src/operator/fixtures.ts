/**
 * Shared set-up of the Operator tests: crypto, keys, a movable clock, stores of every kind, a running
 * Operator, and registered comrades.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyPair, ready } from '@comrad/core';
import { Keymaker } from '@comrad/core/keymaker';
import { makeRegisterProof, registerPowInput, solvePow } from '@comrad/core/wire';
import { openStore, operatorKeys, startOperator, type Clock, type OperatorKeys, type RunningOperator, type StartOperatorOptions, type Store } from '@comrad/operator';
import { TestClient } from './client.js';

/** Starts crypto: the default backend, or the one COMRAD_CRYPTO names. */
export async function readyCrypto(): Promise<void> {
  await ready();
}

/** A clock tests move by hand; starts at noon UTC so an hour either way stays in one epoch. */
export class ManualClock implements Clock {
  constructor(public t = Date.UTC(2025, 5, 1, 12)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Fresh Operator keys. */
export function freshKeys(): OperatorKeys {
  return operatorKeys(KeyPair.generate(), KeyPair.generate());
}

/** The store kinds every main-flow test runs on. */
export type StoreKind = 'memory' | 'lmdb' | 'redis' | 'redis-cluster';

/**
 * Opens an empty store of `kind` (Redis, or a Redis Cluster whose node `redisUrl` names: under a fresh key
 * prefix); `cleanup` closes it
 * and removes what it left on disk.
 */
export async function openTestStore(kind: StoreKind, redisUrl?: () => string): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (kind === 'redis' || kind === 'redis-cluster') {
    if (!redisUrl) throw new Error('a redis store needs the url of a running redis-server (or of a node of a Redis Cluster)');
    const store = await openStore({ kind: 'redis', url: redisUrl(), prefix: `t${randomBytes(6).toString('hex')}:`, cluster: kind === 'redis-cluster' });
    return { store, cleanup: () => store.close() };
  }
  if (kind === 'memory') {
    const store = await openStore({ kind });
    return { store, cleanup: () => store.close() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'comrad-op-'));
  const store = await openStore({ kind, path: join(dir, 'store') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A running Operator on a free loopback port, with what it was started with. */
export interface TestOperator {
  readonly op: RunningOperator;
  readonly store: Store;
  readonly keys: OperatorKeys;
  readonly clock: ManualClock;
  readonly url: string;
  /** Connects a new client. */
  connect(): Promise<TestClient>;
  /** Registers `name` with a fresh key pair (solving proof of work if asked) and returns its keymaker. */
  register(name: string): Promise<Keymaker>;
  /** A client logged in as a freshly registered `name`. */
  login(name: string): Promise<{ client: TestClient; me: Keymaker }>;
  /** Closes every client it made, the Operator, and the store when it opened it. */
  close(): Promise<void>;
}

/** Starts an Operator for a test; the store defaults to a fresh memory store (closed with it). */
export async function startTestOperator(options: Partial<StartOperatorOptions> & { clock?: ManualClock } = {}): Promise<TestOperator> {
  await readyCrypto();
  const ownStore = !options.store;
  const store = options.store ?? (await openStore({ kind: 'memory' }));
  const keys = options.keys ?? freshKeys();
  const clock = options.clock ?? new ManualClock();
  // Registration without proof of work unless a test asks for it (REG-6), so tests register many names fast.
  // The manual clock never refills the greeting bucket (LIMIT-8): tests that want it set it themselves.
  const op = await startOperator({ sweepIntervalMs: 0, heartbeatMs: 0, ...options, limits: { registerPowBits: 0, greetingsPerSecond: 1_000_000, ...options.limits }, store, keys, clock, host: '127.0.0.1', port: 0 });
  const clients: TestClient[] = [];
  const connect = async () => {
    const c = await TestClient.connect(op.url);
    clients.push(c);
    return c;
  };
  const register = async (name: string) => {
    const me = Keymaker.generate(name);
    const c = await connect();
    const bits = op.info.pow.register;
    const pow = bits > 0 ? solvePow((n) => registerPowInput(c.hello.challenge, name, me.publicKey, n), bits) : undefined;
    await c.request('register', { name, key: me.publicKey, proof: makeRegisterProof(me.keys.privateKey, name, me.publicKey, keys.operator.publicKey), ...(pow ? { pow } : {}) });
    await c.close();
    return me;
  };
  return {
    op,
    store,
    keys,
    clock,
    url: op.url,
    connect,
    register,
    async login(name) {
      const me = await register(name);
      const client = await connect();
      await client.auth(me, clock.now());
      return { client, me };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await op.close();
      if (ownStore) await store.close();
    },
  };
}

/** Asserts that `p` rejects with a ProtocolError of `code`. */
export async function refusedWith(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!err) throw new Error(`expected ${code}, but it succeeded`);
  if ((err as { code?: string }).code !== code) throw new Error(`expected ${code}, got ${(err as { code?: string }).code}: ${(err as Error).message}`);
}

/**
 * The real store `inner`, with one method held until `release()`: requests pile up in flight. `entered`
 * resolves when the first call reaches the hold.
 */
export function holdStore(inner: Store, method: keyof Store): { store: Store; entered: Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let enter!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const store = new Proxy(inner, {
    get(target, prop) {
      const v = Reflect.get(target, prop) as unknown;
      if (typeof v !== 'function') return v;
      if (prop !== method) return v.bind(target);
      return async (...args: unknown[]) => {
        enter();
        await gate;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, entered, release };
}
