/**
 * TR-7: through a proxy, a CONNECT the proxy refuses is tried again until the connect timeout — what a
 * client needs while an onion service's descriptor is not yet published (Tor refuses at once then).
 * The test proxy refuses unknown names with HostUnreachable, as Tor does; a name is "published" by adding
 * it to the proxy's host map while the client is retrying.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ComradError } from '@comrad/core';
import { OperatorConnection, type ConnectRetry } from '../src/transport/connection.js';
import { openStore } from '@comrad/operator';
import { startGreetingPeer } from '@comrad/test-kit/client-node/greeting-peer';
import { refusedPort } from '@comrad/test-kit/client-node/refused-port';
import { startTestOperator } from '@comrad/test-kit/client-node/operator';
import { startSocks5Server } from '@comrad/test-kit/client-node/socks5-server';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const ONION = `${'b'.repeat(56)}.onion`;

async function errorOf(p: Promise<unknown>): Promise<ComradError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ComradError.is(err)) throw new Error(`expected a ComradError, got ${String(err)}`);
  return err;
}

describe('transport: first contact through a proxy (TR-7)', () => {
  it('TR-7 a refused CONNECT is retried on a fresh circuit until the Operator is reachable, telling onRetry each time', async () => {
    const peer = await startGreetingPeer();
    const hosts: Record<string, string> = {};
    const proxy = await startSocks5Server(hosts);
    cleanup.push(() => peer.close(), () => proxy.close());
    const retries: ConnectRetry[] = [];
    const conn = await OperatorConnection.open({
      url: `ws://${ONION}:${peer.port}`,
      proxy: proxy.url,
      connectTimeoutMs: 20_000,
      onRetry: (r) => {
        retries.push(r);
        // "Publish" the service after the second refusal.
        if (r.attempt === 2) hosts[ONION] = '127.0.0.1';
      },
    });
    cleanup.push(() => conn.closed());
    expect(conn.hello.operatorKey.equals(peer.keys.publicKey)).toBe(true);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(retries.every((r) => r.reason === 'HostUnreachable' && r.remainingMs > 0 && r.remainingMs <= 20_000)).toBe(true);
    expect(proxy.requests).toHaveLength(3);
    // TR-3: every attempt asks for its own circuit.
    expect(new Set(proxy.requests.map((r) => r.username)).size).toBe(3);
    expect(proxy.requests.every((r) => r.atyp === 'domain' && r.host === ONION)).toBe(true);
  });

  it('TR-7 refusals until the connect timeout end in TIMEOUT naming the proxy reply', async () => {
    const proxy = await startSocks5Server({});
    cleanup.push(() => proxy.close());
    const retries: ConnectRetry[] = [];
    const err = await errorOf(OperatorConnection.open({ url: `ws://${ONION}/`, proxy: proxy.url, connectTimeoutMs: 2_000, onRetry: (r) => retries.push(r) }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/HostUnreachable/);
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(proxy.requests.length).toBe(retries.length + 1);
  });

  it('TR-7 a proxy that is not listening fails at once with CONNECTION_CLOSED, without retrying', async () => {
    // Held closed, not merely found free: a port let go could be taken by a test running alongside.
    const dead = await refusedPort();
    cleanup.push(() => dead.release());
    const deadPort = dead.port;
    const retries: ConnectRetry[] = [];
    const err = await errorOf(
      OperatorConnection.open({ url: `ws://${ONION}/`, proxy: `socks5h://127.0.0.1:${deadPort}`, connectTimeoutMs: 20_000, onRetry: (r) => retries.push(r) }),
    );
    expect(err.code).toBe('CONNECTION_CLOSED');
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(retries).toEqual([]);
  });
});

describe('transport: a full Operator (TR-8)', () => {
  it('TR-8 a connection refused with RATE_LIMITED is retried with backoff until the Operator greets', async () => {
    const peer = await startGreetingPeer({ refuseFirst: 3 });
    cleanup.push(() => peer.close());
    const retries: ConnectRetry[] = [];
    const conn = await OperatorConnection.open({ url: `ws://127.0.0.1:${peer.port}`, connectTimeoutMs: 20_000, onRetry: (r) => retries.push(r) });
    cleanup.push(() => conn.closed());
    expect(conn.hello.operatorKey.equals(peer.keys.publicKey)).toBe(true);
    expect(peer.connections).toBe(4);
    expect(retries.map((r) => [r.attempt, r.reason])).toEqual([
      [1, 'RATE_LIMITED'],
      [2, 'RATE_LIMITED'],
      [3, 'RATE_LIMITED'],
    ]);
  });

  it('TR-8 an Operator that stays full ends in RATE_LIMITED (not MALFORMED) before the connect timeout', async () => {
    const peer = await startGreetingPeer({ refuseFirst: 1_000 });
    cleanup.push(() => peer.close());
    const err = await errorOf(OperatorConnection.open({ url: `ws://127.0.0.1:${peer.port}`, connectTimeoutMs: 1_500 }));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.message).toMatch(/too many connections/);
    expect(peer.connections).toBeGreaterThan(1);
  });

  it('TR-8 a request waiting on a connection the Operator closes to make room (LIMIT-4) fails with RATE_LIMITED', async () => {
    const inner = await openStore({ kind: 'memory' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The real store, with `keyOf` held: a lookup stays in flight while the next connection comes.
    const store = new Proxy(inner, {
      get(target, prop) {
        const v = Reflect.get(target, prop) as unknown;
        if (typeof v !== 'function') return v;
        if (prop !== 'keyOf') return v.bind(target);
        return async (...args: unknown[]) => {
          await gate;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const op = await startTestOperator({ store, limits: { maxConnections: 10, maxUnauthenticated: 1 } });
    cleanup.push(async () => {
      release();
      await op.stop();
      await inner.close();
    });
    const first = await OperatorConnection.open({ url: op.url });
    const pending = first.request('lookup', { name: 'nobody' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await OperatorConnection.open({ url: op.url });
    cleanup.push(() => second.closed());
    expect((await errorOf(pending)).code).toBe('RATE_LIMITED');
    expect((await second.request('info', {})).v).toBe(1);
  });
});
