/**
 * Which channel each trusted or collective post this home has shown came from (16-votes, Clients), so
 * `comrad vote POST up|down|none` finds the channel of a post id seen in `comrad feed` or
 * `comrad collective feed` without being told. One file sealed at rest under a key derived from the
 * identity key (it names circles and collectives this comrade reads); a post is forgotten when it expires,
 * and beyond {@link MAX_SHOWN} the one shown longest ago first.
 * @module
 */
import { join } from 'node:path';
import { cellSeal, encode, utf8, type PrivateKey, type PublicKey, type SymmetricKey } from '@comrad/core';
import { Fields } from '@comrad/core/codec';
import { atomicWrite } from '@comrad/core/node';
import type { HomePaths } from '../home/home.js';
import { homeFileKey, readSealedCellMap } from './sealed-cell.js';

const CONTEXT = utf8('comrad/local/shown-posts/v1');
/** Posts remembered at most: a few pages of every circle and collective. */
export const MAX_SHOWN = 2000;
/** Far above MAX_SHOWN entries of at most a few hundred bytes: a larger file is not ours. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Where a shown channel post came from: a circle's key generation, or a collective's channel. */
export type PostSource = { readonly via: 'circle'; readonly owner: string; readonly gen: number } | { readonly via: 'collective'; readonly name: string };

/** A shown post: its source, and when the Operator deletes it (ms). */
interface Shown {
  readonly source: PostSource;
  readonly expiresAt: number;
}

/** The sealed file of shown channel posts. */
export class ShownPosts {
  readonly #key: SymmetricKey;
  readonly #path: string;

  /**
   * @param paths - the home's paths
   * @param identityKey - the unlocked identity private key (the file's key is derived from it)
   */
  constructor(paths: HomePaths, identityKey: PrivateKey) {
    this.#path = join(paths.root, 'shown-posts.cell');
    this.#key = homeFileKey(identityKey, 'shown-posts');
  }

  /**
   * Remembers posts shown now, at the Operator with key `operator`; expired ones are forgotten.
   * @param posts - each post's id in its channel, its source and expiry (ms)
   * @param now - ms since the epoch
   */
  async remember(operator: PublicKey, posts: ReadonlyArray<{ id: string; expiresAt: number; source: PostSource }>, now: number): Promise<void> {
    if (posts.length === 0) return;
    const all = await this.#read();
    const prefix = `${operator.toHex()}/`;
    for (const p of posts) {
      // Re-inserted last, shown again or not: the post shown last is forgotten last.
      all.delete(prefix + p.id);
      all.set(prefix + p.id, { source: p.source, expiresAt: p.expiresAt });
    }
    for (const [k, v] of all) if (v.expiresAt <= now) all.delete(k);
    for (const k of [...all.keys()].slice(0, Math.max(0, all.size - MAX_SHOWN))) all.delete(k);
    await this.#write(all);
  }

  /**
   * Where the post `id` shown at the Operator `operator` came from, while it lives.
   * @param now - ms since the epoch
   * @returns its source, or undefined (never shown by this home, forgotten, or expired)
   */
  async find(operator: PublicKey, id: string, now: number): Promise<PostSource | undefined> {
    const held = (await this.#read()).get(`${operator.toHex()}/${id}`);
    return held && held.expiresAt > now ? held.source : undefined;
  }

  /** Overwrites the file key in memory. */
  wipe(): void {
    this.#key.wipe();
  }

  async #write(all: Map<string, Shown>): Promise<void> {
    const posts = [...all].map(([k, v]) => ({ k, e: v.expiresAt, ...(v.source.via === 'circle' ? { o: v.source.owner, g: v.source.gen } : { c: v.source.name }) }));
    await atomicWrite(this.#path, cellSeal(this.#key, encode({ v: 1, posts }), CONTEXT), { mode: 0o600 });
  }

  async #read(): Promise<Map<string, Shown>> {
    const raw = await readSealedCellMap(this.#path, this.#key, CONTEXT, MAX_FILE_BYTES, 'shown-posts', 'posts');
    const all = new Map<string, Shown>();
    if (raw === undefined) return all;
    if (!Array.isArray(raw)) return all;
    for (const v of raw.slice(0, MAX_SHOWN)) {
      const f = Fields.of(v, 'shown post', ['k', 'e', 'o', 'g', 'c']);
      const source: PostSource = f.has('c') ? { via: 'collective', name: f.str('c', { max: 32 }) } : { via: 'circle', owner: f.str('o', { max: 32 }), gen: f.int('g', { min: 1, max: 0xffff_ffff }) };
      all.set(f.str('k', { max: 256 }), { source, expiresAt: f.int('e') });
    }
    return all;
  }
}
