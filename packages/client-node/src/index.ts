/**
 * `@comrad/client-node` — the Comrad client for Node.js: a {@link Comrade} session over WebSocket
 * (optionally through Tor's SOCKS proxy), with the identity, pinned contacts, known Operators and
 * received mail kept in one private directory. The `comrad` CLI is built on exactly this API; other
 * clients can use it as their reference for `@comrad/core`.
 *
 * @example
 * ```ts
 * import { Comrade } from '@comrad/client-node';
 * // The passphrase unlocks the home before any connection: sending then needs no login at all.
 * const alice = await Comrade.connect({ home: '/tmp/alice', operator: { name: 'local', url: 'ws://127.0.0.1:7077' }, passphrase });
 * await alice.register('alice');
 * await alice.send('bob', 'meet at noon');           // sealed sender, on a connection of its own, never logged in
 * const { received } = await alice.inbox();           // logs in now: fetch → verify → store → ack
 * await alice.post('hello world', { expiresInDays: 7 });
 * const { posts } = await alice.feed();
 * await alice.close();
 * ```
 * @module @comrad/client-node
 */
export {
  Comrade,
  DEFAULT_POST_DAYS,
  type ComradeOptions,
  type ComradeEvents,
  type Identity,
  type Content,
  type PostOptions,
  type FeedEntry,
  type FeedPage,
  type RejectedPost,
  type InboxOptions,
  type ProfileInput,
  type ProfileView,
} from './comrade/comrade.js';
export { type InboxReport, type HeldLetter } from './comrade/inbox.js';
export { placePins, formatAge, type PinView } from './comrade/pins.js';
export { PIN_COLOURS, MAP_MARGIN_PX, pinMapSvg, pinMapHtml, pinMapPng, projectToMap, type PinMapInput } from './map/pin-map.js';
export { type ChannelEntry, type ChannelPage, type RejectedChannelPost } from './comrade/channels.js';
export { type CollectiveView, type RequestView, type ProposalView, type CollectiveMessage, type CollectiveFeedPage } from './comrade/collectives.js';
export { UsageError, type UsageErrorCode } from './errors.js';
export { defaultHome, ensureHome, homePaths, type HomePaths } from './home/home.js';
export { SealedHome, type HomeState } from './home/sealed-home.js';
export { deriveHomeKey, type HomeKeyPurpose } from './home/home-key.js';
export { prepareImage, MAX_IMAGE_INPUT_BYTES, type PreparedImage, type ImageBounds } from './images/prepare-image.js';
export { ContactBook, type Contact, type PinResult } from './store/contacts.js';
export { OperatorBook, DEFAULT_OPERATOR, type OperatorEntry } from './store/operators.js';
export { MailStore, type StoredLetter, type RejectedLetter, type RejectReason } from './store/mail-store.js';
export {
  OperatorConnection,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  randomIsolation,
  type ConnectionOptions,
  type ConnectRetry,
  type ConnectionEvents,
  type Hello,
} from './transport/connection.js';
export { Session, type SessionOptions, type SessionEvents } from './transport/session.js';
export { checkOperatorUrl, checkProxyUrl, isOnion, proxyAgent } from './transport/proxy.js';
export { atomicWrite, type AtomicWriteOptions } from '@comrad/core/node';
export { saveKeystore, loadKeystore } from './files/keystore-file.js';
export { startTorClient, TorError, type TorClient, type TorClientOptions } from './tor/tor-client.js';
