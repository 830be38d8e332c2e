/**
 * Runs the store conformance suite against every backend: memory, LMDB in a temp directory, and Redis
 * on a real redis-server and on a real three-master Redis Cluster, both started for this file (two
 * instances on one prefix stand for two Operator processes).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/index.js';
import { useRedisCluster, useRedisServer } from '@comrad/test-kit/operator/redis';
import { storeConformance } from '@comrad/test-kit/operator/store-conformance';

storeConformance('memory', async () => {
  const store = await openStore({ kind: 'memory' });
  return { store, teardown: () => store.close() };
});

storeConformance('lmdb', async () => {
  const path = await mkdtemp(join(tmpdir(), 'comrad-lmdb-'));
  let current = await openStore({ kind: 'lmdb', path });
  return {
    store: current,
    reopen: async () => {
      await current.close(); // LMDB: one open instance per directory; "crash" = closed without any ack
      current = await openStore({ kind: 'lmdb', path });
      return current;
    },
    teardown: async () => {
      try {
        await current.close();
      } finally {
        await rm(path, { recursive: true, force: true });
      }
    },
  };
});

const redis = useRedisServer();
const cluster = useRedisCluster();
/** One Redis, or a three-master Redis Cluster (STORE-5): one prefix per test, so one hash slot per test. */
const redisStores = (url: () => string, isCluster: boolean) => async () => {
  const prefix = `t${randomBytes(6).toString('hex')}:`;
  const opened: Store[] = [];
  const open = async () => {
    const store = await openStore({ kind: 'redis', url: url(), prefix, cluster: isCluster });
    opened.push(store);
    return store;
  };
  let current = await open();
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await open();
      return current;
    },
    twin: open,
    teardown: async () => {
      await Promise.all(opened.map((s) => s.close()));
    },
  };
};
storeConformance('redis', redisStores(() => redis.url, false));
storeConformance('redis-cluster', redisStores(() => cluster.url, true));
