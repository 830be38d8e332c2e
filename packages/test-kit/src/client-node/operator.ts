/**
 * A real Operator in this process (the reference server, memory store, ephemeral loopback port), for
 * library tests. Process-level tests start the built `comrad-op` instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyPair, ready } from '@comrad/core';
import { openStore, operatorKeys, startOperator, type Logger, type OperatorKeys, type RunningOperator, type ServerLimits, type Store, type TokenOptions } from '@comrad/operator';

/** A running test Operator. */
export interface TestOperator {
  url: string;
  port: number;
  keys: OperatorKeys;
  store: Store;
  server: RunningOperator;
  /** Stops the server (the store stays, so a restart on the same port finds the same data). */
  stop(): Promise<void>;
}

/**
 * Starts an Operator.
 * @param opts - keys (fresh by default), store (fresh memory store by default), port (0 = any), limits,
 *   tokens (TOK-9, TOK-11), logger (default: silent), heartbeatMs (default 0: no heartbeat pings)
 */
export async function startTestOperator(
  opts: { keys?: OperatorKeys; store?: Store; port?: number; limits?: Partial<ServerLimits>; tokens?: Partial<TokenOptions>; logger?: Logger; heartbeatMs?: number } = {},
): Promise<TestOperator> {
  await ready();
  const keys = opts.keys ?? operatorKeys(KeyPair.generate(), KeyPair.generate());
  const store = opts.store ?? (await openStore({ kind: 'memory' }));
  // Registration without proof of work unless a test asks for it (REG-6), so tests register fast.
  const server = await startOperator({ store, keys, port: opts.port ?? 0, heartbeatMs: opts.heartbeatMs ?? 0, sweepIntervalMs: 0, limits: { registerPowBits: 0, ...opts.limits }, ...(opts.tokens ? { tokens: opts.tokens } : {}), ...(opts.logger ? { logger: opts.logger } : {}) });
  return { url: server.url, port: server.port, keys, store, server, stop: () => server.close() };
}

/** A fresh temporary directory, and a function that removes it. */
export async function tempHome(prefix = 'comrad-home-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
