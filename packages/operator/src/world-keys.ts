/**
 * World epoch keys (FEED-1, FEED-2): one random 32-byte symmetric key per UTC day, created once per epoch
 * across every Operator process (`Store.worldKey`), stored sealed under the Operator's at-rest key so a
 * store dump does not reveal them, and handed to each registered reader sealed to its own public key.
 * @module
 */
import { SymmetricKey, cellOpen, cellSeal, encryptFor, randomBytes, utf8, type KeyPair, type PublicKey } from '@comrad/core';
import type { Store } from './store/types.js';

/** How many opened epoch keys a process keeps in memory (a month and a bit). */
const CACHE_EPOCHS = 40;

/** The world feed's epoch keys, as one Operator process sees them. */
export class WorldKeys {
  readonly #cache = new Map<number, Uint8Array>();

  /**
   * @param store - where the sealed epoch keys live
   * @param world - the world account's key pair (`@comrades`)
   * @param atRestKey - the Operator's at-rest key; never leaves the process
   */
  constructor(
    private readonly store: Store,
    private readonly world: KeyPair,
    private readonly atRestKey: SymmetricKey,
  ) {}

  /** The epoch key of `epoch` (32 bytes), creating it if this is the first request for that epoch. */
  async epochKey(epoch: number): Promise<Uint8Array> {
    const cached = this.#cache.get(epoch);
    if (cached) return cached;
    // The context binds each stored key to its epoch: a swapped or replayed value does not open (FEED-2).
    const context = utf8(`comrad/world-epoch-key/v1/${epoch}`);
    const stored = await this.store.worldKey(epoch, () => cellSeal(this.atRestKey, randomBytes(32), context));
    const key = cellOpen(this.atRestKey, stored, context);
    this.#cache.set(epoch, key);
    if (this.#cache.size > CACHE_EPOCHS) this.#cache.delete(Math.min(...this.#cache.keys()));
    return key;
  }

  /** The epoch key sealed to `reader`: `encryptFor(worldPrivateKey, reader, key)` (FEED-2). */
  async sealedFor(epoch: number, reader: PublicKey): Promise<Uint8Array> {
    return encryptFor(this.world.privateKey, reader, await this.epochKey(epoch));
  }
}
