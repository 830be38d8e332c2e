/**
 * `@comrad/core/client` — the client session, transport-agnostic (spec/19-browser.md): the Operator's
 * signed greeting checked against the pinned key, the sealed channel, requests matched to answers,
 * `mail` pushes. Give it any {@link ClientSocket}: {@link webSocketOf} wraps a browser's `WebSocket`;
 * `@comrad/client-node` wraps `ws` (with SOCKS for Tor).
 *
 * @example
 * ```ts
 * import { ready, KeyPair } from '@comrad/core';
 * import { ClientSession, webSocketOf } from '@comrad/core/client';
 * import { withClientHello } from '@comrad/core/wire';
 *
 * await ready(); // webcrypto in a browser
 * const ephemeral = await KeyPair.generateAsync();
 * const ws = new WebSocket(withClientHello(new URL('ws://127.0.0.1:7077'), ephemeral.publicKey));
 * const session = await ClientSession.open(webSocketOf(ws), { ephemeral });
 * const info = await session.request('info', {});
 * session.on('mail', () => console.log('mail is waiting'));
 * ```
 * @packageDocumentation
 */
export {
  ClientSession,
  DEFAULT_GREETING_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ClientSocket,
  type ClientSessionOptions,
  type ClientSessionEvents,
} from './session.js';
export { webSocketOf, type StandardWebSocket } from './web-socket.js';
