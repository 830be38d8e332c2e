/**
 * How the Redis store names its keys (STORE-5): every key of one store is `{P}` followed by its kind and
 * owner, where P is the store's prefix. The braces make P the key's hash tag, so on a Redis Cluster all of
 * one store's keys live in one hash slot: every script touches one slot, and a key a script derives from
 * an index entry (an expiring letter's mailbox) is in that slot too. Stores with other prefixes hash to
 * other slots, and so spread over the cluster's masters.
 * @internal
 */

/** The default key prefix. */
export const DEFAULT_REDIS_PREFIX = 'comrad:';
/** A prefix is plain characters only (never a brace), so `{P}` is always a well-formed hash tag. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** STORE-5: what every key of the store with prefix `prefix` starts with: the prefix as a hash tag. */
export function taggedPrefix(prefix: string): string {
  return `{${prefix}}`;
}

/**
 * The keys a store wrote before STORE-5 (prefix, then kind, no braces), by kind: a whole key for the
 * store-wide ones, a kind and `:` for the per-owner ones. Only these are moved by the migration, so the
 * keys of another store whose prefix starts with this one's are never touched. Fixed: stores written
 * since use the tagged layout, whatever kinds are added later.
 */
export const UNTAGGED_SINGLE_KINDS = ['mx', 'pi', 'pd', 'px', 'pl', 'w', 'ph', 'sb', 'pfx', 'cx', 'pnc', 'pnx'] as const;
export const UNTAGGED_OWNED_KINDS = ['n:', 'k:', 'mi:', 'md:', 'mb:', 'pa:', 'mh:', 'cl:', 'pf:', 'ci:', 'cd:', 'ct:', 'ch:', 'pn:', 'pnv:'] as const;
