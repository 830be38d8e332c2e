/**
 * Trusted circles as this home keeps them (CIR-*): our own circle — whom we trust and every generation of
 * its key — and the circle keys others sent us, by Operator and owner, in one file sealed at rest under a
 * key derived from the identity key (like the collective keyring): it names whom we trust and who trusts
 * us, and the keys read their posts.
 * @module
 */
import { hkdfSync } from 'node:crypto';
import { join } from 'node:path';
import { SymmetricKey, bytesEqual, cellSeal, encode, utf8, type PrivateKey, type PublicKey } from '@comrad/core';
import { Fields } from '@comrad/core/codec';
import { MAX_CIRCLE_GEN } from '@comrad/core/envelope';
import { atomicWrite } from '@comrad/core/node';
import type { HomePaths } from '../home/home.js';
import { readSealedCellMap } from './sealed-cell.js';

const CONTEXT = utf8('comrad/local/circles/v1');
/** A generation is about 60 bytes, a trusted name 32: tens of thousands fit; a larger file is not ours. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** CIR-1: most comrades one circle trusts (each rotation sends this many letters). */
export const MAX_TRUSTED = 1000;

/** One generation of a circle key (CIR-5). */
export interface CircleGeneration {
  /** 1 for the first key, one more at each rotation. */
  readonly gen: number;
  readonly key: SymmetricKey;
  /** When this home made or received it (ms). */
  readonly since: number;
  /** When a newer generation arrived or was made (ms): posts under this one stop within `maxPostDays` after. */
  readonly replacedAt?: number;
}

/** Our own circle: whom we trust, and its keys, oldest first (the last is the current one). */
export interface OwnCircle {
  readonly trusted: readonly string[];
  readonly gens: readonly CircleGeneration[];
}

/** A circle someone else shares with us: its owner and the keys they sent, oldest first. */
export interface HeldCircle {
  readonly owner: string;
  readonly gens: readonly CircleGeneration[];
}

/** What keeping a received key changed (CIR-6). */
export type KeepResult = 'new' | 'rotated' | 'known';

/** The sealed file of circles, by Operator key. */
export class CircleStore {
  readonly #key: SymmetricKey;
  readonly #path: string;

  /**
   * @param paths - the home's paths
   * @param identityKey - the unlocked identity private key (the file's key is derived from it)
   */
  constructor(paths: HomePaths, identityKey: PrivateKey) {
    this.#path = join(paths.root, 'circles.cell');
    const secret = identityKey.bytes();
    const derived = new Uint8Array(hkdfSync('sha256', secret, utf8('comrad/local-storage/v1'), utf8('circles'), 32));
    try {
      this.#key = SymmetricKey.from(derived);
    } finally {
      secret.fill(0);
      derived.fill(0);
    }
  }

  /**
   * Our own circle at the Operator with key `operator`, if we ever trusted anyone there.
   * @throws ProtocolError MALFORMED, TOO_LARGE, DECRYPT_FAILED for a damaged file (HOME-3: never reset)
   */
  async own(operator: PublicKey): Promise<OwnCircle | undefined> {
    const own = (await this.#read()).get(ownSlot(operator));
    return own && { trusted: own.trusted ?? [], gens: own.gens };
  }

  /** Replaces our own circle, atomically, 0600. */
  async putOwn(operator: PublicKey, own: OwnCircle): Promise<void> {
    const all = await this.#read();
    all.set(ownSlot(operator), { trusted: [...own.trusted], gens: [...own.gens] });
    await this.#write(all);
  }

  /** The circles others share with us at the Operator with key `operator`, by owner. */
  async held(operator: PublicKey): Promise<HeldCircle[]> {
    const prefix = `${operator.toHex()}/from/`;
    return [...(await this.#read())]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => ({ owner: k.slice(prefix.length), gens: v.gens }))
      .sort((a, b) => (a.owner < b.owner ? -1 : 1));
  }

  /**
   * CIR-6: keeps the key of generation `gen` of `owner`'s circle. A generation already held with the same
   * key is `known` (a letter delivered again); a newer one than every held is `rotated` (or `new` for the
   * first), and marks the others replaced; an older one is kept as such, to read older posts.
   */
  async keep(operator: PublicKey, owner: string, gen: number, key: Uint8Array, now: number): Promise<KeepResult> {
    const all = await this.#read();
    const slot = `${operator.toHex()}/from/${owner}`;
    const gens = [...(all.get(slot)?.gens ?? [])];
    const same = gens.find((g) => g.gen === gen);
    if (same && bytesEqual(same.key.raw, key)) return 'known';
    const latest = gens.reduce((m, g) => Math.max(m, g.gen), 0);
    // A generation sent again with another key (the owner's home restored from an old backup): the newer word wins.
    const rest = gens.filter((g) => g.gen !== gen);
    const fresh: CircleGeneration = { gen, key: SymmetricKey.from(key), since: now, ...(gen < latest ? { replacedAt: now } : {}) };
    const next = [...rest.map((g) => (gen > g.gen && g.replacedAt === undefined ? { ...g, replacedAt: now } : g)), fresh].sort((a, b) => a.gen - b.gen);
    all.set(slot, { gens: next });
    await this.#write(all);
    return gens.length === 0 ? 'new' : gen > latest ? 'rotated' : 'known';
  }

  /** Overwrites the file key in memory. */
  wipe(): void {
    this.#key.wipe();
  }

  async #write(all: Map<string, Slot>): Promise<void> {
    const value = Object.fromEntries([...all].map(([k, v]) => [k, { ...(v.trusted ? { trusted: [...v.trusted] } : {}), gens: v.gens.map(genToMap) }]));
    await atomicWrite(this.#path, cellSeal(this.#key, encode({ v: 1, circles: value }), CONTEXT), { mode: 0o600 });
  }

  async #read(): Promise<Map<string, Slot>> {
    const raw = await readSealedCellMap(this.#path, this.#key, CONTEXT, MAX_FILE_BYTES, 'circles', 'circles');
    if (raw === undefined) return new Map();
    const out = new Map<string, Slot>();
    for (const [k, v] of Object.entries(raw)) {
      const e = Fields.of(v, 'kept circle', ['trusted', 'gens']);
      const trusted = e.has('trusted') ? e.list('trusted', MAX_TRUSTED).map((n) => String(n)) : undefined;
      const gens = e.list('gens', MAX_CIRCLE_GEN).map(genFromMap);
      out.set(k, { ...(trusted ? { trusted } : {}), gens });
    }
    return out;
  }
}

interface Slot {
  readonly trusted?: readonly string[];
  readonly gens: readonly CircleGeneration[];
}

function ownSlot(operator: PublicKey): string {
  return `${operator.toHex()}/own`;
}

function genToMap(g: CircleGeneration): Record<string, unknown> {
  return { gen: g.gen, key: g.key.bytes(), since: g.since, ...(g.replacedAt !== undefined ? { replacedAt: g.replacedAt } : {}) };
}

function genFromMap(v: unknown): CircleGeneration {
  const f = Fields.of(v, 'circle generation', ['gen', 'key', 'since', 'replacedAt']);
  const replacedAt = f.has('replacedAt') ? f.int('replacedAt') : undefined;
  return { gen: f.int('gen', { min: 1, max: MAX_CIRCLE_GEN }), key: SymmetricKey.from(f.bytes('key', { min: 32, max: 32 })), since: f.int('since'), ...(replacedAt !== undefined ? { replacedAt } : {}) };
}
