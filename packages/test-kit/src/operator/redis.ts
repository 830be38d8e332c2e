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
import { DURABLE_REDIS_ARGS, VOLATILE_REDIS_ARGS, redisServerBinary, startRedisServer, type RedisServer } from '../redis-server.mjs';

export { DURABLE_REDIS_ARGS, VOLATILE_REDIS_ARGS, redisServerBinary, startRedisServer, type RedisServer };

/**
 * Starts one redis-server before the tests of the current file (or `describe`) and stops it after them.
 * @returns an object whose `url` is valid inside tests and hooks (not at collection time)
 */
export function useRedisServer(): { readonly url: string } {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get url(): string {
      if (!server) throw new Error('the redis-server is not running (use .url inside tests or hooks)');
      return server.url;
    },
  };
}
