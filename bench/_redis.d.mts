/** A running throwaway redis-server (see `_redis.mjs`). */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * The redis-server binary, found in `dirs` (default: PATH, then /usr/bin, /usr/sbin, /usr/local/bin); throws
 * an Error that says `apt-get install -y redis-server` when it is missing.
 */
export function redisServerBinary(dirs?: readonly string[]): string;

/** Starts a redis-server on a free 127.0.0.1 port with no persistence and waits until it answers PING. */
export function startRedisServer(): Promise<RedisServer>;
