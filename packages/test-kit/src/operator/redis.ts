/**
 * A real redis-server for tests, from the one launcher the benchmarks use too (`@comrad/test-kit/redis-server`).
 * Never skips: without redis-server installed the test FAILS with "apt-get install -y redis-server"
 * (CI installs it).
 *
 * @example
 * ```ts
 * const redis = useRedisServer(); // registers beforeAll/afterAll in the current file or describe
 * it('…', async () => { const store = await openStore({ kind: 'redis', url: redis.url, prefix: 't1:' }); … });
 * ```
 */
import { afterAll, beforeAll } from 'vitest';
import { DURABLE_REDIS_ARGS, VOLATILE_REDIS_ARGS, redisServerBinary, startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '../redis-server.mjs';

export { DURABLE_REDIS_ARGS, VOLATILE_REDIS_ARGS, redisServerBinary, startRedisCluster, startRedisServer, type RedisCluster, type RedisServer };

/**
 * Starts one redis-server before the tests of the current file (or `describe`) and stops it after them.
 * @returns an object whose `url` is valid inside tests and hooks (not at collection time)
 */
export function useRedisServer(): { readonly url: string } {
  return useStarted(() => startRedisServer(), 'the redis-server');
}

/**
 * Starts a local three-master Redis Cluster before the tests of the current file (or `describe`) and stops
 * it after them (STORE-5).
 * @returns an object whose `url` (one node; a cluster client finds the rest) is valid inside tests and hooks
 */
export function useRedisCluster(): { readonly url: string } {
  return useStarted(() => startRedisCluster(), 'the Redis Cluster');
}

/** Runs `start` before the current file's (or describe's) tests and stops what it started after them. */
function useStarted(start: () => Promise<RedisServer | RedisCluster>, what: string): { readonly url: string } {
  let running: RedisServer | RedisCluster | undefined;
  beforeAll(async () => {
    running = await start();
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
  });
  return {
    get url(): string {
      if (!running) throw new Error(`${what} is not running (use .url inside tests or hooks)`);
      return running.url;
    },
  };
}
