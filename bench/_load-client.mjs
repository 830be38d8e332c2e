// One client process of scale.bench.mjs (not a bench itself: run.mjs runs `*.bench.mjs` only). Clients
// run in processes of their own so the Operator's process holds nothing but the Operator (its RSS and CPU
// are its own) and the clients' event loops, heaps and GC never share a thread with the server they load.
//
//   node bench/_load-client.mjs '<json config>'
//   config.mode: 'mail' — `clients` comrades (registered here), each on an anonymous connection (send to
//                itself) and a logged-in one (fetch, ack), looping send → fetch → ack
//                'echo' — `clients` bare WebSockets to an echo server, each looping three frames of the
//                byte sizes the mail loop sends (its send, fetch and ack requests, sealed)
//                'idle' — `clients` connections logged in (as `names` comrades, registered here), then idle
//
// Protocol on stdio: one JSON line `{"ready":true}` once set up; then, for mail and echo, the line `go` on
// stdin starts a warm-up of `warmupMs` and a measured phase of `phaseMs`, and one JSON line
// `{"count","ms","lat"}` reports the requests answered in the phase and each one's latency (ms); for
// idle, the process holds its connections until stdin closes.

import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { KeyPair, PublicKey, fromHex, randomBytes, ready } from '@comrad/core';
import { CHANNEL_OVERHEAD_BYTES, encodeRequest, makeAuthProof, makeRegisterProof } from '@comrad/core/wire';
import { OperatorConnection } from '@comrad/client-node';

const config = JSON.parse(process.argv[2]);
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));
const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

await ready();
if (config.mode === 'mail') await mail();
else if (config.mode === 'echo') await echo();
else if (config.mode === 'idle') await idle();
else throw new Error(`unknown mode ${config.mode}`);
process.exit(0);

async function mail() {
  const operatorKey = PublicKey.from(fromHex(config.operatorKey));
  const people = await registerMany(operatorKey, config.clients, config.prefix);
  const clients = await inBatches(people, 20, async (me) => ({ me, anon: await connect(operatorKey), inbox: await login(operatorKey, me) }));
  const letter = randomBytes(config.letterBytes);
  const steps = [
    ({ me, anon }) => anon.request('send', { to: me.name, letter }),
    async (c) => {
      const { items } = await c.inbox.request('fetch', { limit: 50 });
      if (items.length === 0) throw new Error('a sent letter was not fetched');
      c.ids = items.map((i) => i.id);
    },
    async (c) => {
      const { deleted } = await c.inbox.request('ack', { ids: c.ids });
      if (deleted !== c.ids.length) throw new Error(`acked ${c.ids.length}, deleted ${deleted}`);
    },
  ];
  say({ ready: true });
  await nextLine();
  say(await measure(clients, steps));
  await Promise.all(clients.flatMap((c) => [c.anon.closed(), c.inbox.closed()]));
}

async function echo() {
  // The frames the mail loop sends, sealed: their sizes, in random bytes (the echo server reads nothing).
  const name = `${config.prefix}_00`.slice(0, 32);
  const sizes = [
    encodeRequest(1, 'send', { to: name, letter: randomBytes(config.letterBytes) }).length,
    encodeRequest(2, 'fetch', { limit: 50 }).length,
    encodeRequest(3, 'ack', { ids: ['0000018c3f2a1b2c-0123456789ab'] }).length,
  ].map((n) => n + CHANNEL_OVERHEAD_BYTES);
  const frames = sizes.map((n) => randomBytes(n));
  const sockets = await inBatches(Array.from({ length: config.clients }), 20, () => openEcho(config.url));
  const steps = frames.map((frame) => (ws) => roundTrip(ws, frame));
  say({ ready: true, sizes });
  await nextLine();
  say(await measure(sockets, steps));
  for (const ws of sockets) ws.terminate();
}

async function idle() {
  const operatorKey = PublicKey.from(fromHex(config.operatorKey));
  const people = await registerMany(operatorKey, config.names, config.prefix);
  const conns = await inBatches(Array.from({ length: config.clients }, (_, i) => people[i % people.length]), 25, (me) => login(operatorKey, me));
  say({ ready: true, open: conns.length });
  // Until the parent closes stdin (or dies).
  await new Promise((resolve) => lines.once('close', resolve));
  await Promise.all(conns.map((c) => c.closed()));
}

/** Runs `steps` in turn for every client at once: a warm-up, then the measured phase. */
async function measure(clients, steps) {
  await drive(clients, steps, config.warmupMs, undefined);
  const lat = [];
  const { count, ms } = await drive(clients, steps, config.phaseMs, lat);
  return { count, ms, lat: lat.map((v) => Math.round(v * 100) / 100) };
}

async function drive(clients, steps, ms, lat) {
  const start = performance.now();
  const end = start + ms;
  let count = 0;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        for (const step of steps) {
          const t = performance.now();
          await step(c);
          lat?.push(performance.now() - t);
          count++;
        }
      }
    }),
  );
  return { count, ms: performance.now() - start };
}

/** `fn` over `items`, `size` at a time (a burst of thousands of handshakes would only measure the queue). */
async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

async function registerMany(operatorKey, count, prefix) {
  const conn = await connect(operatorKey);
  const people = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}_${String(i).padStart(2, '0')}`.slice(0, 32);
    const keys = KeyPair.generate();
    await conn.request('register', { name, key: keys.publicKey, proof: makeRegisterProof(keys.privateKey, name, keys.publicKey, operatorKey) });
    people.push({ name, keys });
  }
  await conn.closed();
  return people;
}

function connect(operatorKey) {
  return OperatorConnection.open({ url: config.url, operatorKey, connectTimeoutMs: 60_000 });
}

async function login(operatorKey, me) {
  const conn = await connect(operatorKey);
  const at = Date.now();
  const sig = makeAuthProof(me.keys.privateKey, { challenge: conn.hello.challenge, operatorKey, name: me.name, at });
  await conn.request('auth', { name: me.name, at, sig });
  return conn;
}

function openEcho(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function roundTrip(ws, frame) {
  return new Promise((resolve) => {
    ws.once('message', resolve);
    ws.send(frame);
  });
}
