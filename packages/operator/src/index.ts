/**
 * `@comrad/operator` — the Comrad Operator: the relay every comrade talks to. It keeps one permanent
 * record (name ↔ public key), holds sealed letters until their recipient acknowledges them, keeps world
 * posts until they expire, and never learns who writes to whom.
 *
 * @example
 * ```ts
 * import { ready } from '@comrad/core';
 * import { startOperator, loadOrCreateKeys, openStore, createLogger } from '@comrad/operator';
 * await ready();
 * const { keys, publicInfo } = await loadOrCreateKeys({ dataDir: './data' });
 * const store = await openStore({ kind: 'lmdb', path: './data/store' });
 * const op = await startOperator({ store, keys, port: 7077, logger: createLogger() });
 * console.log(op.url, publicInfo.fingerprint);
 * // later
 * await op.close();
 * await store.close();
 * ```
 * @packageDocumentation
 */
export { startOperator, type StartOperatorOptions, type RunningOperator } from './server.js';
export { type OperatorKeys, type Clock } from './handlers.js';
export { DEFAULT_LIMITS, resolveLimits, type ServerLimits } from './limits.js';
export {
  PASSPHRASE_ENV,
  KEY_FILES,
  loadOrCreateKeys,
  readPublicInfo,
  operatorKeys,
  deriveAtRestKey,
  type LoadKeysOptions,
  type LoadedKeys,
  type OperatorPublicInfo,
  type PassphraseSource,
} from './keys.js';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './log.js';
export {
  openStore,
  DEFAULT_REDIS_PREFIX,
  type StoreOptions,
  type RedisStoreOptions,
  type Store,
  type MailItem,
  type StoredPost,
  type NewPost,
  type NewMail,
  type RegisterResult,
  type MailQuota,
  type PostQuota,
  type PutMailResult,
  type PutPostResult,
  type Stored,
  type LogQuota,
  type LogPage,
  type AppendEntryResult,
  type StoredProfile,
  type PutProfileResult,
  type StoredChanPost,
  type NewChanPost,
  type ChanQuota,
  type PutChanPostResult,
  type StoredPin,
  type PutPinResult,
  type PinVoteRule,
  type VotePinResult,
  type SpendResult,
  type TokensTaken,
  type CastVoteResult,
  type NewVote,
  type TokenSpend,
  type VoteTally,
} from './store/index.js';
export {
  TokenIssuer,
  actionDigest,
  resolveTokenOptions,
  DEFAULT_TOKEN_BUDGET,
  DEFAULT_TOKEN_PERIOD_MS,
  type TokenOptions,
  type CheckedToken,
} from './tokens.js';
export { paidWith } from './handlers.js';
export {
  OperatorMetrics,
  startMetricsServer,
  HEALTH_TIMEOUT_MS,
  type MetricsSink,
  type RefusalReason,
  type WatchedOperator,
  type MetricsServer,
  type MetricsServerOptions,
} from './metrics.js';
export { startOnionService, type OnionService, type OnionServiceOptions } from './tor/onion-service.js';
export { Policy, mailKey, postKey, chanPostKey, type PolicyOptions } from './policy/index.js';
export { randomPart } from './policy/ids.js';
