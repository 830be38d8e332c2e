/**
 * `comrad-op --metrics` on the real process (LOG-2, LOG-3): Prometheus counts move with real traffic from
 * real wire clients, the scrape names nobody (every name, key, fingerprint, id and address used in the run
 * is looked for in it), `/healthz` answers 200 while the store answers and 503 once Redis is killed, and a
 * metrics address off loopback is refused without `--metrics-allow-remote`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicKey, fromHex, randomBytes, toHex } from '@comrad/core';
import { Keymaker } from '@comrad/core/keymaker';
import { makeRegisterProof } from '@comrad/core/wire';
import { spawnOperator } from '@comrad/test-kit/processes';
import { startRedisServer } from '@comrad/test-kit/operator/redis';
import { TestClient } from '@comrad/test-kit/operator/client';
import { readyCrypto } from '@comrad/test-kit/operator/fixtures';

let dir: string;
beforeAll(async () => {
  await readyCrypto();
  dir = await mkdtemp(join(tmpdir(), 'comrad-op-metrics-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The value of one sample line of a Prometheus scrape (0 when absent). */
function sample(scrape: string, series: string): number {
  const line = scrape.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

/** Polls `/healthz` until it answers `status` (or 15 s pass). */
async function healthBecomes(url: string, status: number): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const h = await get(`${url}/healthz`);
    if (h.status === status || Date.now() > deadline) return h;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('comrad-op --metrics', () => {
  it('LOG-2 counts move with real traffic and the scrape holds no name, key, fingerprint, id or address; /healthz 200, then 503 with Redis killed', async () => {
    const redis = await startRedisServer();
    const op = spawnOperator(['--data', join(dir, 'redis'), '--port', '0', '--json', '--store', 'redis', '--redis', redis.url, '--metrics', '127.0.0.1:0', '--limit', 'sendPowBits=0']);
    try {
      const line = { ...(await op.started), metricsUrl: (await op.started).metricsUrl ?? '' };
      expect(line.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const opKey = PublicKey.from(fromHex(line.operatorKey));
      expect((await get(`${line.metricsUrl}/healthz`)).status).toBe(200);
      const before = (await get(`${line.metricsUrl}/metrics`)).body;

      // Two comrades with names that cannot occur by chance; one logs in and reads its mail.
      const suffix = [...randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
      const alice = Keymaker.generate(`alice_${suffix}`);
      const bob = Keymaker.generate(`bob_${suffix}`);
      const writer = await TestClient.connect(line.url);
      for (const who of [alice, bob]) {
        await writer.request('register', { name: who.name, key: who.publicKey, proof: makeRegisterProof(who.keys.privateKey, who.name, who.publicKey, opKey) });
      }
      const reader = await TestClient.connect(line.url);
      await reader.auth(bob);
      const letters = [randomBytes(300), randomBytes(500)];
      for (const letter of letters) await writer.request('send', { to: bob.name, letter });
      await reader.nextMailPush();
      await expect(writer.request('send', { to: `nobody_${suffix}`, letter: randomBytes(10) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(writer.request('lookup', { name: alice.name })).resolves.toBeDefined();
      const { items } = await reader.request('fetch', {});
      expect(items).toHaveLength(2);
      expect(await reader.request('ack', { ids: items.map((i) => i.id) })).toEqual({ deleted: 2 });

      const scrape = (await get(`${line.metricsUrl}/metrics`)).body;
      const moved = (series: string) => sample(scrape, series) - sample(before, series);
      expect(moved('comrad_requests_total{op="register",outcome="ok"}')).toBe(2);
      expect(moved('comrad_requests_total{op="auth",outcome="ok"}')).toBe(1);
      expect(moved('comrad_requests_total{op="send",outcome="ok"}')).toBe(2);
      expect(moved('comrad_requests_total{op="send",outcome="NOT_FOUND"}')).toBe(1);
      expect(moved('comrad_requests_total{op="fetch",outcome="ok"}')).toBe(1);
      expect(moved('comrad_requests_total{op="ack",outcome="ok"}')).toBe(1);
      expect(moved('comrad_request_duration_seconds_count{op="send"}')).toBe(3);
      expect(sample(scrape, 'comrad_request_duration_seconds_sum{op="send"}')).toBeGreaterThan(0);
      expect(sample(scrape, 'comrad_connections')).toBe(2);
      expect(sample(scrape, 'comrad_connections_logged_in')).toBe(1);
      expect(moved('comrad_mail_pushes_total')).toBeGreaterThanOrEqual(1);
      expect(moved('comrad_letters_total{event="stored"}')).toBe(2);
      expect(moved('comrad_letters_total{event="acked"}')).toBe(2);
      expect(moved('comrad_mailbox_page_items_count')).toBe(1);
      expect(moved('comrad_mailbox_page_items_sum')).toBe(2);
      expect(moved('comrad_store_duration_seconds_count{method="appendMail",result="ok"}')).toBe(2);
      expect(moved('comrad_store_duration_seconds_count{method="putPairIfAbsent",result="ok"}')).toBe(2);
      expect(sample(scrape, 'comrad_stored_bytes')).toBe(0); // both letters acknowledged
      expect(sample(scrape, 'process_resident_memory_bytes')).toBeGreaterThan(1e6);
      expect(sample(scrape, 'comrad_memory_budget_bytes{kind="total"}')).toBeGreaterThan(0);

      // LOG-2: nothing in the scrape names anyone or anything of the run.
      const secrets = [alice.name, bob.name, `nobody_${suffix}`, suffix];
      for (const who of [alice, bob]) secrets.push(who.publicKey.toHex(), who.fingerprint());
      secrets.push(line.operatorKey, line.fingerprint, ...items.map((i) => i.id), ...letters.map((l) => toHex(l).slice(0, 16)));
      secrets.push(new URL(redis.url).host, `:${redis.port}`, `:${writer.localPort}`, `:${reader.localPort}`, `:${new URL(line.url).port}`, '127.0.0.1');
      const lower = scrape.toLowerCase();
      for (const s of secrets) expect(lower.includes(s.toLowerCase()), `the scrape contains ${s}`).toBe(false);
      await writer.close();
      await reader.close();

      // /healthz: the store is what supervisors need to know about.
      await redis.kill();
      const down = await healthBecomes(line.metricsUrl, 503);
      expect(down).toEqual({ status: 503, body: 'store\n' });
      expect((await get(`${line.metricsUrl}/nothing`)).status).toBe(404);
    } finally {
      op.child.kill('SIGKILL');
      await op.exited;
      await redis.stop();
    }
  }, 60_000);

  it('LOG-3 a metrics address off loopback is a usage error naming the timing risk, unless --metrics-allow-remote', async () => {
    const refused = spawnOperator(['--data', join(dir, 'remote'), '--port', '0', '--json', '--store', 'memory', '--metrics', '0.0.0.0:0']);
    await expect(refused.started).rejects.toThrow(/exited \(2\)/);
    expect(refused.stderr()).toMatch(/--metrics 0\.0\.0\.0:0 is not a loopback address; .*timing.*--metrics-allow-remote/);
    const allowed = spawnOperator(['--data', join(dir, 'remote'), '--port', '0', '--json', '--store', 'memory', '--metrics', '0.0.0.0:0', '--metrics-allow-remote']);
    try {
      const line = { metricsUrl: (await allowed.started).metricsUrl ?? '' };
      const port = new URL(line.metricsUrl).port;
      expect((await get(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      allowed.child.kill('SIGTERM');
      expect((await allowed.exited).code).toBe(0);
    }
  }, 60_000);
});
