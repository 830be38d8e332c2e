/**
 * `@comrad/core/collective` — self-governing collectives (COL-*): the signed events of a collective's
 * append-only log, their strict codec, and the pure fold every member runs over the whole log to learn
 * the members, the constitution in force, and the pending requests and proposals; and messages to its
 * members, sealed under a message key the log hands out and rotates on every membership change.
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
  MAX_KEY_COPIES,
  MIN_KEY_COPY_BYTES,
  MAX_KEY_COPY_BYTES,
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
  type KeyCopy,
} from './event.js';
export {
  MAX_PENDING_REQUESTS,
  MAX_PENDING_PROPOSALS,
  emptyCollective,
  nextEvent,
  applyEvent,
  foldLog,
  stateToJson,
  rotationDue,
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
export {
  MESSAGE_VERSION,
  MESSAGE_HEADER_BYTES,
  POST_CONTEXT,
  MESSAGE_CONTEXT,
  CHANNEL_CONTEXT,
  MAX_MESSAGE_BYTES,
  MAX_POST_BYTES,
  POST_ID_BYTES,
  sealKeyCopy,
  openKeyCopy,
  nextKeyEvent,
  epochKeys,
  acceptedEvents,
  channelKey,
  createCollectivePost,
  encodeCollectivePost,
  decodeCollectivePost,
  sealMessage,
  messageEpoch,
  openMessage,
  type CollectivePost,
  type OpenedMessage,
  type EpochKeys,
} from './message.js';
