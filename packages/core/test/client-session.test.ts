/**
 * `@comrad/core/client` (BRW-1..BRW-3) over an in-memory socket, with real crypto on both ends: the
 * Operator's end is core's own greeting and channel, the client's is the session under the `webcrypto`
 * backend (asynchronous, so sealing can finish out of order). The Node client runs the same session over
 * `ws` (client-node/test/transport*.test.ts), and the browser page over a real WebSocket (test/browser).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComradError, KeyPair, ready, type PublicKey } from '@comrad/core';
import { ClientSession, type ClientSocket } from '@comrad/core/client';
import { decodeRequest, encodeErr, encodeMailPush, encodeOk, makeGreeting, type Op } from '@comrad/core/wire';

/** Both ends of an in-memory socket; the Operator's end is driven by the test. */
function socketPair() {
  const toClient: Array<(data: Uint8Array | string) => void> = [];
  let closeClient: ((error?: Error) => void) | undefined;
  const sent: Uint8Array[] = [];
  let onSent: ((bytes: Uint8Array) => void) | undefined;
  let closed = false;
  const client: ClientSocket = {
    send: (data) => {
      if (closed) return;
      sent.push(data);
      onSent?.(data);
    },
    onMessage: (handler) => void toClient.push(handler),
    onClose: (handler) => {
      closeClient = handler;
    },
    close: () => {
      if (closed) return;
      closed = true;
      queueMicrotask(() => closeClient?.());
    },
  };
  return {
    client,
    sent,
    /** The Operator sends a message (asynchronously, as a socket would). */
    push: (data: Uint8Array | string) => queueMicrotask(() => toClient.forEach((h) => h(data))),
    /** The socket drops. */
    drop: (error?: Error) => {
      closed = true;
      queueMicrotask(() => closeClient?.(error));
    },
    onSent: (fn: (bytes: Uint8Array) => void) => {
      onSent = fn;
    },
    get closed() {
      return closed;
    },
  };
}

let operator: KeyPair;
let world: PublicKey;

beforeAll(async () => {
  await ready({ backend: 'node' });
  operator = KeyPair.generate();
  world = KeyPair.generate().publicKey;
});
afterAll(async () => {
  await ready({ backend: 'node' });
});

/** A greeted session under `backend`; the Operator's end answers through the returned channel. */
async function greeted(backend: 'webcrypto' | 'node' = 'webcrypto') {
  await ready({ backend: 'node' });
  const ephemeral = KeyPair.generate();
  const made = makeGreeting(operator, world, ephemeral.publicKey);
  await ready({ backend });
  const pair = socketPair();
  const opening = ClientSession.open(pair.client, { ephemeral, operatorKey: operator.publicKey, timeoutMs: 5_000 });
  pair.push(made.frame);
  return { session: await opening, pair, channel: made.channel, ephemeral };
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof ComradError) return err.code;
    throw err;
  }
};

const statement = new Uint8Array(100).fill(7);

describe('the client session over an abstract socket', () => {
  it('BRW-1 BRW-3 concurrent requests are numbered and sent in call order, and answers are matched by id whatever their order', async () => {
    const { session, pair, channel } = await greeted();
    const seen: Array<{ id: number; op: Op }> = [];
    const answered = new Promise<void>((resolve) => {
      pair.onSent(async () => {
        if (pair.sent.length < 5) return;
        // The Operator opens them in the order they came: each opens only in its place (AUTH-10).
        for (const bytes of pair.sent) {
          const req = decodeRequest(await channel.openAsync(bytes));
          seen.push({ id: req.id, op: req.op });
        }
        // ...and answers in reverse order.
        for (const { id } of [...seen].reverse()) pair.push(await channel.sealAsync(encodeOk(id, 'lookup', { statement: statement.map((b) => b + id) })));
        resolve();
      });
    });
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => session.request('lookup', { name: `${n}${n}${n}` })));
    await answered;
    expect(seen.map((s) => s.op)).toEqual(['lookup', 'lookup', 'lookup', 'lookup', 'lookup']);
    // Each answer went to the request with its id.
    results.forEach((r, i) => expect(r.statement[0]).toBe((7 + seen[i]!.id) & 0xff));
    session.close();
  });

  it('BRW-1 a mail push is an event; an error answer is the request’s typed error', async () => {
    const { session, pair, channel } = await greeted();
    const mail = new Promise<void>((resolve) => session.on('mail', resolve));
    pair.onSent(async (bytes) => {
      const req = decodeRequest(await channel.openAsync(bytes));
      pair.push(await channel.sealAsync(encodeMailPush()));
      pair.push(await channel.sealAsync(encodeErr(req.id, 'NOT_FOUND', 'no such name')));
    });
    expect(await codeOf(session.request('lookup', { name: 'nobody' }))).toBe('NOT_FOUND');
    await mail;
    session.close();
  });

  it('BRW-3 AUTH-10 a frame that does not open breaks the session: waiting requests fail with DECRYPT_FAILED, the socket closes', async () => {
    const { session, pair, channel } = await greeted();
    pair.onSent(async (bytes) => {
      await channel.openAsync(bytes);
      const frame = await channel.sealAsync(encodeMailPush());
      frame[frame.length - 1]! ^= 1;
      pair.push(frame);
    });
    expect(await codeOf(session.request('lookup', { name: 'alice' }))).toBe('DECRYPT_FAILED');
    expect(pair.closed).toBe(true);
    expect(await codeOf(session.request('lookup', { name: 'alice' }))).toBe('DECRYPT_FAILED');
  });

  it('BRW-2 nothing is sent before the greeting is checked; each wrong first message has its code and wipes the ephemeral key', async () => {
    await ready({ backend: 'node' });
    const other = KeyPair.generate();
    const cases: Array<[string, (push: (d: Uint8Array | string) => void, drop: (e?: Error) => void, eph: KeyPair) => void, string]> = [
      ['a text message', (push) => push('hello'), 'MALFORMED'],
      ['a refusal in place of the greeting', (push) => push(encodeErr(undefined, 'RATE_LIMITED', 'full')), 'RATE_LIMITED'],
      ['a greeting by another key', (push, _d, eph) => push(makeGreeting(other, world, eph.publicKey).frame), 'KEY_CHANGED'],
      ['a greeting for another client key', (push) => push(makeGreeting(operator, world, KeyPair.generate().publicKey).frame), 'BAD_SIGNATURE'],
      ['a close before any greeting', (_p, drop) => drop(), 'CONNECTION_CLOSED'],
      ['the transport’s own error', (_p, drop) => drop(new ComradError('CONNECTION_CLOSED', 'proxy said no')), 'CONNECTION_CLOSED'],
      ['no greeting at all', () => {}, 'TIMEOUT'],
    ];
    for (const [name, act, code] of cases) {
      await ready({ backend: 'node' });
      const ephemeral = KeyPair.generate();
      const frames: Array<Uint8Array | string> = [];
      let dropped: { error?: Error } | undefined;
      // The Operator's frames are made under node (makeGreeting is synchronous), before webcrypto is active.
      act((d) => frames.push(d), (e) => (dropped = { ...(e ? { error: e } : {}) }), ephemeral);
      await ready({ backend: 'webcrypto' });
      const pair = socketPair();
      const opening = ClientSession.open(pair.client, { ephemeral, operatorKey: operator.publicKey, timeoutMs: 300 });
      for (const f of frames) pair.push(f);
      if (dropped) pair.drop(dropped.error);
      expect(await codeOf(opening), name).toBe(code);
      expect(pair.sent, name).toEqual([]);
      expect(ephemeral.privateKey.raw.every((b) => b === 0), name).toBe(true);
    }
  });

  it('BRW-1 the same session runs on a synchronous backend (node), and close fails what waits with CONNECTION_CLOSED', async () => {
    const { session, pair } = await greeted('node');
    const waiting = session.request('lookup', { name: 'alice' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pair.sent.length).toBe(1);
    session.close();
    expect(await codeOf(waiting)).toBe('CONNECTION_CLOSED');
    expect(session.isOpen).toBe(false);
  });
});
