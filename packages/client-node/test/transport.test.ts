import { describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { WebSocket } from 'ws';
import { withClientHello } from '@comrad/core/wire';
import { startTestOperator } from '@comrad/test-kit/operator/fixtures';
import { ComradError, KeyPair } from '@comrad/core';
import { startCrypto } from '../src/crypto-ready.js';
import { OperatorConnection } from '../src/transport/connection.js';
import { Session } from '../src/transport/session.js';
import { UsageError } from '../src/errors.js';
import { checkOperatorUrl } from '../src/transport/proxy.js';
import { startGreetingPeer, startMuteServer, type GreetingPeer } from '@comrad/test-kit/client-node/greeting-peer';
import { startSocks5Server, type TestSocksServer } from '@comrad/test-kit/client-node/socks5-server';
import { refusedPort } from '@comrad/test-kit/client-node/refused-port';
import { testScope } from '@comrad/test-kit/client-node/scope';

const scope = testScope();

async function peer(): Promise<GreetingPeer> {
  const p = await startGreetingPeer();
  scope.defer(() => p.close());
  return p;
}

async function socks(hosts: Record<string, string>): Promise<TestSocksServer> {
  const s = await startSocks5Server(hosts);
  scope.defer(() => s.close());
  return s;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (ComradError.is(err) || err instanceof UsageError) return err.code;
  throw new Error(`expected a coded error, got ${String(err)}`);
}

describe('transport: timeouts (TR-4)', () => {
  it('TR-4 a server that never answers the WebSocket handshake gives TIMEOUT', async () => {
    const mute = await startMuteServer();
    scope.defer(() => mute.close());
    expect(await codeOf(OperatorConnection.open({ url: `ws://127.0.0.1:${mute.port}`, connectTimeoutMs: 300 }))).toBe('TIMEOUT');
  });

  it('TR-4 a request the Operator never answers gives TIMEOUT, and the connection stays usable', async () => {
    const p = await peer();
    const conn = await OperatorConnection.open({ url: `ws://127.0.0.1:${p.port}`, requestTimeoutMs: 200 });
    scope.defer(() => conn.closed());
    const err = await conn.request('info', {}).catch((e: unknown) => e);
    expect(ComradError.is(err, 'TIMEOUT')).toBe(true);
    expect((err as Error).message).toMatch(/did not answer "info"/);
    expect(conn.isOpen).toBe(true);
    expect(p.received.length).toBe(1);
  });

  it('TR-4 a refused connection gives CONNECTION_CLOSED', async () => {
    // Held closed, not a server closed again: a port let go could be taken by a test running alongside.
    const closed = await refusedPort();
    scope.defer(() => closed.release());
    const port = closed.port;
    expect(await codeOf(OperatorConnection.open({ url: `ws://127.0.0.1:${port}`, connectTimeoutMs: 2_000 }))).toBe('CONNECTION_CLOSED');
  });

  it('TR-4 requests in flight fail with CONNECTION_CLOSED when the connection drops', async () => {
    const p = await peer();
    const conn = await OperatorConnection.open({ url: `ws://127.0.0.1:${p.port}` });
    const pending = conn.request('info', {});
    await waitFor(() => p.received.length === 1);
    p.dropAll();
    expect(await codeOf(pending)).toBe('CONNECTION_CLOSED');
  });
});

describe('transport: pinned Operator key (OPS-2)', () => {
  it('OPS-2 a greeting with another key than the pinned one is refused with KEY_CHANGED', async () => {
    await startCrypto();
    const p = await peer();
    const other = KeyPair.generate().publicKey;
    const err = await OperatorConnection.open({ url: `ws://127.0.0.1:${p.port}`, operatorKey: other }).catch((e: unknown) => e);
    expect(ComradError.is(err, 'KEY_CHANGED')).toBe(true);
    expect((err as Error).message).toContain(other.fingerprint());
    expect((err as Error).message).toContain(p.keys.publicKey.fingerprint());
  });
});

describe('transport: pushes and reconnect (TR-6)', () => {
  it('MB-6 a mail push surfaces as a "mail" event', async () => {
    const p = await peer();
    const conn = await OperatorConnection.open({ url: `ws://127.0.0.1:${p.port}` });
    scope.defer(() => conn.closed());
    const got = new Promise<void>((resolve) => conn.once('mail', resolve));
    p.pushMail();
    await got;
  });

  it('TR-6 a session reconnects after a drop, re-runs onConnect and serves new requests on the new connection', async () => {
    const p = await peer();
    let connects = 0;
    const session = await Session.open({
      url: `ws://127.0.0.1:${p.port}`,
      backoffInitialMs: 20,
      requestTimeoutMs: 200,
      onConnect: async () => void connects++,
    });
    scope.defer(() => session.close());
    const reconnected = new Promise<void>((resolve) => session.once('reconnect', resolve));
    p.dropAll();
    await reconnected;
    expect(connects).toBe(2);
    // The peer never answers, so the request times out; what matters is that it reached the new socket.
    expect(await codeOf(session.request('info', {}))).toBe('TIMEOUT');
    expect(p.received.length).toBe(1);
    const mail = new Promise<void>((resolve) => session.once('mail', resolve));
    p.pushMail();
    await mail;
  });

  it('TR-6 a request made while the Operator is down waits for it to come back', async () => {
    const p = await peer();
    const session = await Session.open({ url: `ws://127.0.0.1:${p.port}`, backoffInitialMs: 20, requestTimeoutMs: 300 });
    scope.defer(() => session.close());
    const down = new Promise<void>((resolve) => session.once('disconnect', resolve));
    p.dropAll();
    await down;
    const before = p.received.length;
    expect(await codeOf(session.request('info', {}))).toBe('TIMEOUT');
    expect(p.received.length).toBe(before + 1);
  });

  it('TR-6 a session that cannot reconnect in time fails waiting requests with TIMEOUT', async () => {
    const p = await peer();
    const session = await Session.open({ url: `ws://127.0.0.1:${p.port}`, backoffInitialMs: 20, connectTimeoutMs: 400 });
    scope.defer(() => session.close());
    const down = new Promise<void>((resolve) => session.once('disconnect', resolve));
    await p.close();
    await down;
    const err = await session.request('info', {}).catch((e: unknown) => e);
    expect(ComradError.is(err, 'TIMEOUT')).toBe(true);
    expect((err as Error).message).toMatch(/could not reconnect/);
  });
});

describe('transport: SOCKS proxy (TR-1..TR-3)', () => {
  it('TR-1 traffic goes through the proxy and the host name reaches it unresolved (ATYP domain)', async () => {
    const p = await peer();
    // A name no resolver knows: only the proxy can map it, so the test fails if the client resolves it.
    const proxy = await socks({ 'operator.comrad.invalid': '127.0.0.1' });
    // A clearnet name over plain ws:// (TR-9 would refuse it): --insecure, as a test network needs.
    const conn = await OperatorConnection.open({ url: `ws://operator.comrad.invalid:${p.port}`, proxy: proxy.url, insecure: true });
    scope.defer(() => conn.closed());
    expect(conn.hello.operatorKey.equals(p.keys.publicKey)).toBe(true);
    expect(proxy.requests).toHaveLength(1);
    expect(proxy.requests[0]).toMatchObject({ atyp: 'domain', host: 'operator.comrad.invalid', port: p.port });
  });

  it('TR-2 an onion address is reached through the proxy, by name', async () => {
    const p = await peer();
    const onion = `${'a'.repeat(56)}.onion`;
    const proxy = await socks({ [onion]: '127.0.0.1' });
    const conn = await OperatorConnection.open({ url: `ws://${onion}:${p.port}`, proxy: proxy.url });
    scope.defer(() => conn.closed());
    expect(proxy.requests[0]).toMatchObject({ atyp: 'domain', host: onion });
  });

  it('TR-2 an onion address without a proxy is refused before any connection', async () => {
    expect(await codeOf(OperatorConnection.open({ url: `ws://${'a'.repeat(56)}.onion:80` }))).toBe('ONION_NEEDS_PROXY');
  });

  it('TR-1 a socks5:// proxy (local DNS) is refused; only socks5h:// is accepted', async () => {
    expect(await codeOf(OperatorConnection.open({ url: 'ws://127.0.0.1:1', proxy: 'socks5://127.0.0.1:9050' }))).toBe('BAD_PROXY');
    expect(await codeOf(OperatorConnection.open({ url: 'http://127.0.0.1:1' }))).toBe('BAD_URL');
  });

  it('TR-3 each connection gets its own SOCKS credentials, so Tor gives it its own circuit', async () => {
    const p = await peer();
    const proxy = await socks({ 'operator.comrad.invalid': '127.0.0.1' });
    const a = await OperatorConnection.open({ url: `ws://operator.comrad.invalid:${p.port}`, proxy: proxy.url, insecure: true });
    const b = await OperatorConnection.open({ url: `ws://operator.comrad.invalid:${p.port}`, proxy: proxy.url, insecure: true });
    scope.defer(() => a.closed(), () => b.closed());
    const [ua, ub] = proxy.requests.map((r) => r.username);
    expect(ua).toMatch(/^[0-9a-f]{24}$/);
    expect(ub).toMatch(/^[0-9a-f]{24}$/);
    expect(ua).not.toBe(ub);
  });
});

describe('transport: no plain ws:// across a network (TR-9)', () => {
  it('TR-9 plain ws:// to a host that is neither loopback nor an onion is refused before any connection', async () => {
    const proxy = await socks({});
    for (const url of ['ws://operator.example:7077', 'ws://192.0.2.7:7077', 'ws://[2001:db8::1]:7077', 'ws://10.0.0.1']) {
      expect(await codeOf(OperatorConnection.open({ url }))).toBe('INSECURE_URL');
      // Through Tor to a clearnet host the last hop is as plain as without it.
      expect(await codeOf(OperatorConnection.open({ url, proxy: proxy.url }))).toBe('INSECURE_URL');
    }
    expect(proxy.requests).toEqual([]);
  });

  it('TR-9 wss://, loopback and onion addresses pass; --insecure lets plain ws:// through', () => {
    for (const url of ['wss://operator.example', 'ws://127.0.0.1:7077', 'ws://127.8.9.1:1', 'ws://localhost:7077', 'ws://[::1]:7077']) {
      expect(checkOperatorUrl(url).href).toBe(new URL(url).href);
    }
    expect(checkOperatorUrl(`ws://${'a'.repeat(56)}.onion`, 'socks5h://127.0.0.1:9050').hostname).toMatch(/\.onion$/);
    expect(checkOperatorUrl('ws://operator.example:7077', undefined, true).hostname).toBe('operator.example');
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not reached');
}

describe('transport: no compression (TR-5)', () => {
  it('TR-5 the client offers no WebSocket compression, and the Operator accepts none when a client offers it', async () => {
    await startCrypto();
    // The client side: what its upgrade request asks for, seen by a bare HTTP server.
    let headers: IncomingHttpHeaders | undefined;
    const http = createServer();
    http.on('upgrade', (req, socket) => {
      headers = req.headers;
      socket.destroy();
    });
    await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
    scope.defer(() => new Promise<void>((done) => http.close(() => done())));
    const port = (http.address() as { port: number }).port;
    await OperatorConnection.open({ url: `ws://127.0.0.1:${port}`, connectTimeoutMs: 2_000 }).catch(() => undefined);
    expect(headers?.upgrade).toBe('websocket');
    expect(headers?.['sec-websocket-extensions']).toBeUndefined();
    // The Operator side: a client that offers permessage-deflate gets no extension in the answer.
    const op = await startTestOperator();
    scope.defer(() => op.close());
    const ws = new WebSocket(withClientHello(new URL(op.url), KeyPair.generate().publicKey), { perMessageDeflate: true });
    let answered: IncomingHttpHeaders | undefined;
    ws.once('upgrade', (res) => (answered = res.headers));
    await new Promise((done, fail) => {
      ws.once('open', done);
      ws.once('error', fail);
    });
    scope.defer(() => ws.close());
    expect(answered).toBeDefined();
    expect(answered?.['sec-websocket-extensions']).toBeUndefined();
    expect(ws.extensions).toBe('');
  });
});
