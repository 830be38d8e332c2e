/**
 * Channels for one comrade (CHAN-*): post a signed letter sealed under a channel key, and read a channel's
 * posts, each on a fresh connection that is never logged in (CHAN-6), so the Operator sees a channel id
 * and a time, never who posted or read. Trusted circles (CIR-*) and collectives' messages are channels;
 * this module knows neither, only keys.
 * @module
 */
import { ComradError, ProtocolError, toHex, type PublicKey, type SymmetricKey } from '@comrad/core';
import { deriveChannel, openChannelPost, sealChannelPost, type Letter } from '@comrad/core/envelope';
import type { Keymaker } from '@comrad/core/keymaker';
import { chanPowInput, solvePowAsync } from '@comrad/core/wire';
import type { OperatorConnection } from '../transport/connection.js';

/** What the channel code needs from the Comrade. */
export interface ChannelHost {
  readonly me: Keymaker;
  readonly operatorKey: PublicKey;
  /** Our own registry statement (SEAL-1), carried in every post so readers verify us without a lookup. */
  statement(): Promise<Uint8Array>;
  /** A fresh connection that is never logged in (CL-1), closed after `use`. */
  oneShot<T>(use: (conn: OperatorConnection) => Promise<T>): Promise<T>;
  /** The proof-of-work bits the Operator asks for a `send` (CHAN-7 asks the same), asked on `conn`. */
  powBits(conn: OperatorConnection): Promise<number>;
  /** The key pinned for `name` at this Operator, if any (CT-1). */
  pinned(name: string): PublicKey | undefined;
}

/** A verified post of a channel. */
export interface ChannelEntry {
  /** The Operator's id for the post in its channel. */
  readonly id: string;
  /** The author, as their registry statement inside the post names them (verified, CHAN-5). */
  readonly author: string;
  /** The letter's kind (`post` for a circle's posts; others carry their body in `letter`). */
  readonly kind: string;
  /** The text of a `post` or `dm`; empty for other kinds. */
  readonly text: string;
  readonly image?: { readonly mime: string; readonly data: Uint8Array };
  /** When the author wrote it (seconds). */
  readonly at: number;
  /** When the Operator stored it (ms). */
  readonly postedAt: number;
  /** When the Operator deletes it (ms). */
  readonly expiresAt: number;
  /** VOTE-10: up votes held now (anonymous: who voted is known to no one but each voter). */
  readonly up: number;
  /** VOTE-10: down votes held now. */
  readonly down: number;
  /** The whole verified letter, for kinds whose body says more than text. */
  readonly letter: Letter;
}

/** A channel post that failed verification: reported, never shown as genuine. */
export interface RejectedChannelPost {
  readonly id: string;
  /** The error code: DECRYPT_FAILED (not under this key), WRONG_AUTHOR (a forgery), KEY_CHANGED… */
  readonly code: string;
}

/** A page of a channel. */
export interface ChannelPage {
  readonly posts: ChannelEntry[];
  readonly rejected: RejectedChannelPost[];
  /** Pass as `before` for the next page. */
  readonly next?: string;
}

/**
 * How long the Operator keeps a post (CHAN-7, FEED-4): whole days, and a `ttl` (ms) when it must go
 * sooner, at a moment such as an event's end (EVT-8).
 */
export interface PostLife {
  /** 1 to the Operator's `maxPostDays`. */
  readonly expiresInDays: number;
  /** 60 000 ms to 366 days; the shorter of the two wins. */
  readonly ttl?: number;
}

/**
 * CHAN-4, CHAN-7: seals `letter` (from us) under `key` and files it under the key's channel, on a fresh
 * connection that never logs in, with the proof of work the Operator asks for.
 * @returns the post's id in the channel and when the Operator deletes it (ms)
 */
export async function postLetter(host: ChannelHost, key: SymmetricKey, letter: Letter, life: PostLife): Promise<{ id: string; expiresAt: number }> {
  const sealed = sealChannelPost(letter, host.me.keys, await host.statement(), key);
  return fileSealed(host, deriveChannel(key).cap, sealed, life);
}

/**
 * CHAN-7: files bytes already sealed (a channel post, or a collective message, COL-34) under the channel
 * whose capability is `cap`, on a fresh connection that never logs in, with the proof of work asked.
 * @returns the post's id in the channel and when the Operator deletes it (ms)
 */
export async function fileSealed(host: Pick<ChannelHost, 'oneShot' | 'powBits'>, cap: Uint8Array, sealed: Uint8Array, life: PostLife): Promise<{ id: string; expiresAt: number }> {
  return host.oneShot(async (conn) => {
    const bits = await host.powBits(conn);
    const pow = bits > 0 ? await solvePowAsync((n) => chanPowInput(conn.hello.challenge, cap, sealed, n), bits) : undefined;
    return conn.request('chanPost', { cap, post: sealed, ...lifeParams(life), ...(pow ? { pow } : {}) });
  });
}

/** The `expiresInDays` and `ttl` fields of `post` and `chanPost` (no `ttl` field when there is none). */
export function lifeParams(life: PostLife): { expiresInDays: number; ttl?: number } {
  return { expiresInDays: life.expiresInDays, ...(life.ttl !== undefined ? { ttl: life.ttl } : {}) };
}

/**
 * CHAN-5, CHAN-8: one page of the channel of `key`, newest first, each post opened and verified (the
 * author's statement against the pinned Operator key, then the signature); a post by a contact whose
 * pinned key differs from the one its statement gives is rejected as KEY_CHANGED (CT-2).
 */
export async function readChannel(host: ChannelHost, key: SymmetricKey, opts: { before?: string; limit?: number } = {}): Promise<ChannelPage> {
  const { id } = deriveChannel(key);
  const page = await host.oneShot((conn) => conn.request('chanFeed', { chan: id, ...opts }));
  const posts: ChannelEntry[] = [];
  const rejected: RejectedChannelPost[] = [];
  for (const p of page.posts) {
    try {
      const opened = await openChannelPost(p.post, key, host.operatorKey);
      const pinned = host.pinned(opened.letter.from);
      if (pinned && !pinned.equals(opened.authorKey)) throw new ProtocolError('KEY_CHANGED', `the key of ${opened.letter.from} differs from the one pinned`);
      // CIR-3: a key never travels in a channel; other kinds (events, …) come with their letter, text empty.
      if (opened.letter.kind === 'circle-key') throw new ProtocolError('UNSUPPORTED_KIND', 'a circle key is never posted to a channel');
      const { text, image } = opened.letter.kind === 'dm' || opened.letter.kind === 'post' ? opened.letter.body : { text: '', image: undefined };
      posts.push({
        id: p.id,
        author: opened.letter.from,
        kind: opened.letter.kind,
        text,
        ...(image ? { image } : {}),
        at: opened.letter.at,
        postedAt: p.postedAt,
        expiresAt: p.expiresAt,
        up: p.up ?? 0,
        down: p.down ?? 0,
        letter: opened.letter,
      });
    } catch (err) {
      if (!ComradError.is(err) || err.code === 'TIMEOUT' || err.code === 'CONNECTION_CLOSED') throw err;
      rejected.push({ id: p.id, code: err.code });
    }
  }
  return page.next !== undefined ? { posts, rejected, next: page.next } : { posts, rejected };
}

/** CHAN-1: the channel id of a key, hex (for logs a person reads, and for tests). */
export function channelIdHex(key: SymmetricKey): string {
  return toHex(deriveChannel(key).id);
}
