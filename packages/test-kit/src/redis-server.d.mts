/** A running throwaway redis-server (see `redis-server.mjs`). */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Its data directory (the append-only file lives here). */
  readonly dir: string;
  /** Stops the server and removes its directory (unless the directory was given to `startRedisServer`). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: the directory stays, so a server started on it again finds what was persisted. */
  kill(): Promise<void>;
}

/** The persistence the README gives (STORE-1): `--appendonly yes --appendfsync always`. */
export const DURABLE_REDIS_ARGS: readonly string[];
/** No persistence at all (Redis's defaults minus snapshots), which the store refuses without allowDataLoss. */
export const VOLATILE_REDIS_ARGS: readonly string[];

/**
 * The redis-server binary, found in `dirs` (default: PATH, then /usr/bin, /usr/sbin, /usr/local/bin); throws
 * an Error that says `apt-get install -y redis-server` when it is missing.
 */
export function redisServerBinary(dirs?: readonly string[]): string;

/**
 * Starts a redis-server on a free 127.0.0.1 port (persistence `args`, default {@link DURABLE_REDIS_ARGS})
 * and waits until it answers PING. With `dir`, it runs on that existing directory and leaves it in place.
 */
export function startRedisServer(o?: { args?: readonly string[]; dir?: string }): Promise<RedisServer>;

/** A running throwaway Redis Cluster (see `startRedisCluster`). */
export interface RedisCluster {
  /** The first node's `redis://127.0.0.1:<port>`: a cluster client finds the others from it. */
  readonly url: string;
  readonly nodes: ReadonlyArray<{ readonly url: string; readonly port: number }>;
  /** Stops every node and removes their directories. */
  stop(): Promise<void>;
}

/**
 * Starts a local Redis Cluster of `masters` masters (default 3, no replicas) on free ports, with the durable
 * persistence, and waits for `cluster_state:ok` on every node.
 */
export function startRedisCluster(o?: { masters?: number }): Promise<RedisCluster>;
