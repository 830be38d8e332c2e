/**
 * `@comrad/core/collective` — self-governing collectives (COL-*): the signed events of a collective's
 * append-only log, their strict codec, and the pure fold every member runs over the whole log to learn
 * the members, the constitution in force, and the pending requests and proposals.
 *
 * @example
 * ```ts
 * import { ready, KeyPair } from '@comrad/core';
 * import { emptyCollective, nextEvent, signEvent, applyEvent } from '@comrad/core/collective';
 * await ready();
 * const alice = KeyPair.generate();
 * const keysOf = (name: string) => (name === 'alice' ? alice.publicKey : undefined);
 * const s0 = emptyCollective('portland');
 * const rule = { permille: 300, min: 1, cap: 10 };
 * const found = signEvent(nextEvent(s0, 'alice', 1764000000, { kind: 'found', constitution: { admit: rule, amend: rule } }), alice.privateKey);
 * const r = applyEvent(s0, found, keysOf); // r.ok, r.state.members = {alice}
 * ```
 * @module @comrad/core/collective
 */
export { MAX_MEMBERS, quorum, readConstitution, constitutionToMap, type Quorum, type Constitution } from './constitution.js';
export {
  EVENT_VERSION,
  EVENT_CONTEXT,
  MAX_EVENT_BYTES,
  MAX_EVENT_MESSAGE_BYTES,
  MAX_NOTE_CHARS,
  EVENT_ID_BYTES,
  MAX_SEQ,
  MAX_EVENT_AT,
  GENESIS_PREV,
  EVENT_KINDS,
  encodeEvent,
  signEvent,
  decodeEvent,
  verifyEvent,
  eventId,
  type EventKind,
  type EventBody,
  type EventHead,
  type CollectiveEvent,
  type DecodedEvent,
} from './event.js';
export {
  MAX_PENDING_REQUESTS,
  MAX_PENDING_PROPOSALS,
  emptyCollective,
  nextEvent,
  applyEvent,
  foldLog,
  stateToJson,
  type PendingRequest,
  type Proposal,
  type CollectiveState,
  type KeysOf,
  type FoldResult,
  type Rejection,
  type CollectiveStateJson,
} from './fold.js';
export {
  MAX_ENTRY_BYTES,
  MAX_POSITION,
  ENTRY_CONTEXT,
  APPEND_CONTEXT,
  KEYS_CONTEXT,
  newCollectiveKeys,
  encodeCollectiveKeys,
  decodeCollectiveKeys,
  sealEntry,
  openEntry,
  signAppend,
  checkAppend,
  type CollectiveKeys,
} from './entry.js';
