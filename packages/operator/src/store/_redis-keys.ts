/**
 * How the Redis store names its keys: the prefix every key starts with.
 * @internal
 */

/** The default key prefix. */
export const DEFAULT_REDIS_PREFIX = 'comrad:';
/** A prefix is plain characters only, so `SCAN MATCH <prefix>*` matches exactly this store's keys. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
