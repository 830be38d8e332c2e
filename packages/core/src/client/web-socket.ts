/**
 * A standard `WebSocket` (browsers, Deno, Node ≥ 22) as a {@link ClientSocket} (BRW-1).
 * @module
 */
import type { ClientSocket } from './session.js';

/** The part of the standard `WebSocket` interface the adapter uses. */
export interface StandardWebSocket {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close' | 'error', listener: () => void): void;
}

/**
 * Wraps a standard WebSocket, just created with the client hello in its URL (`withClientHello`), as a
 * {@link ClientSocket}: binary messages as bytes, text as strings, one close.
 * @param ws - e.g. `new WebSocket(withClientHello(new URL(url), ephemeral.publicKey))`
 * @returns the socket for {@link ClientSession.open}
 * @example `const session = await ClientSession.open(webSocketOf(new WebSocket(helloUrl)), { ephemeral })`
 */
export function webSocketOf(ws: StandardWebSocket): ClientSocket {
  ws.binaryType = 'arraybuffer';
  const messages: Array<Uint8Array | string> = [];
  let onMessage: ((data: Uint8Array | string) => void) | undefined;
  let onClose: ((error?: Error) => void) | undefined;
  let closed = false;
  let failed = false;
  ws.addEventListener('message', (event) => {
    const data = typeof event.data === 'string' ? event.data : new Uint8Array(event.data as ArrayBuffer);
    if (onMessage) onMessage(data);
    else messages.push(data);
  });
  ws.addEventListener('error', () => {
    failed = true;
  });
  ws.addEventListener('close', () => {
    if (closed) return;
    closed = true;
    // A browser says nothing about why (by design): an error before any message is "cannot reach".
    onClose?.(failed ? new Error('the WebSocket failed') : undefined);
  });
  return {
    send: (data) => {
      // A socket that is closing drops what is sent; the close that follows fails what waits.
      if (ws.readyState === 1) ws.send(data);
    },
    onMessage: (handler) => {
      onMessage = handler;
      for (const data of messages.splice(0)) handler(data);
    },
    onClose: (handler) => {
      onClose = handler;
    },
    close: () => {
      if (ws.readyState <= 1) ws.close(1000);
    },
  };
}
