/**
 * Route groups of the local API beyond the core ones in `session.ts`: each screen's server half is a
 * module in this folder that turns a {@link RouteContext} into its routes, listed once in
 * {@link ROUTE_GROUPS}. A group reaches the Comrade only through the context, so it inherits the
 * session's rules: one network action at a time, images handed out by id, nothing secret to the page.
 * @module
 */
import type { Comrade } from '../../comrade/comrade.js';
import type { Input } from '../input.js';
import { socialRoutes } from './social.js';
import { collectiveRoutes } from './collectives.js';
import type { OutboxItem } from '../outbox.js';
import type { AppTransport } from '../transport.js';
import type { TileSource } from '../tiles.js';
import { tileRoutes } from './tiles.js';
import { statusRoutes } from './status.js';

/** What the session knows of its health, for the Status screen (works before login too). */
export interface AppHealth {
  /** The Comrade, once connected (maybe not registered yet). */
  readonly comrade: Comrade | undefined;
  /** The logged-in session is up (false while it reconnects). */
  readonly connected: boolean;
  /** When the Operator last answered us, ms. */
  readonly lastContactAt?: number;
  /** Why the last attempt to connect failed. */
  readonly connectError?: { readonly code: string; readonly message: string };
  readonly sentThisSession: number;
  /** Letters the Operator holds for us over a key change (CT-2), as of the last inbox. */
  readonly heldLetters: number;
  /** Letters being sent now, and those the network failed. */
  readonly outbox: { readonly sending: OutboxItem[]; readonly unsent: OutboxItem[] };
  readonly transport: AppTransport;
}

/** One route: the checked input in, a JSON-able answer out (a thrown error becomes `{error}`). */
export type Route = (input: Input) => Promise<unknown>;

/** What the session lends a route group. */
export interface RouteContext {
  /** The logged-in Comrade (NOT_LOGGED_IN / NO_KEYSTORE when there is none yet). */
  ready(): Comrade;
  /** Runs a network action on the logged-in session after the ones before it (no race with the polls). */
  serial<T>(run: () => Promise<T>): Promise<T>;
  /** Records that the Operator answered (the Status screen's "last answer"). */
  touch(): void;
  /** An image as a one-time `/api/blob/ID` URL for the page, or undefined when its type is not shown. */
  blobUrl(image: { mime: string; data: Uint8Array }): string | undefined;
  /** Pushes a live update to the page (server-sent events). */
  live(type: string, data: unknown): void;
  /** The connection, the transport and what is pending, now. */
  health(): AppHealth;
  /** Sends an unsent letter of the outbox again, as `/api/send` does. */
  resend(id: string): Promise<unknown>;
  /** Forgets an unsent letter. */
  forget(id: string): boolean;
  /** The map's tile source (`--tiles`), when there is one. */
  tiles(): TileSource | undefined;
}

/** The route groups, each `(ctx) => ({ 'METHOD /api/path': route })`; paths must not repeat. */
export const ROUTE_GROUPS: ReadonlyArray<(ctx: RouteContext) => Record<string, Route>> = [
  socialRoutes,
  collectiveRoutes,
  statusRoutes,
  tileRoutes,
];
