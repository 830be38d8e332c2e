/**
 * Received mail on disk (MAIL-*): one file per letter, sealed at rest, written atomically before the
 * Operator is told to delete it (MB-3), and named so a re-delivered letter lands on the same file and is
 * stored once (MAIL-2). A letter the user has not seen yet waits as `<name>.new` and becomes
 * `<name>.letter` once shown, one atomic rename (MAIL-5), so whenever a reader is killed, each letter is
 * shown once. Letters that fail verification go to a separate folder and are never listed as genuine
 * (MAIL-3).
 * @module
 */
import { createHmac } from 'node:crypto';
import { renameSync } from 'node:fs';
import { access, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ProtocolError, SymmetricKey, cellOpen, cellSeal, decode, encode, utf8, type PrivateKey } from '@comrad/core';
import { Fields } from '@comrad/core/codec';
import { atomicWrite, readFileBounded } from '@comrad/core/node';
import type { HomePaths } from '../home/home.js';
import { homeFileKey } from './sealed-cell.js';

/** A verified letter as kept on disk. */
export interface StoredLetter {
  /** The letter id (LET-8), hex. */
  readonly id: string;
  /** The verified author (SEAL-6). */
  readonly from: string;
  readonly to: string;
  /** When the author wrote it (seconds). */
  readonly at: number;
  /** When this client stored it (ms). */
  readonly receivedAt: number;
  /**
   * The letter's kind when it is not a `dm`: `invite` or `rsvp` (EVT-5, EVT-6); `text` then says in words
   * what it is, and `letter` holds it whole.
   */
  readonly kind?: 'invite' | 'rsvp';
  /** The text of a `dm`; for another kind, what it is in words. */
  readonly text: string;
  /** The canonical letter (LET-1) when `kind` is set, for `decodeLetter`. */
  readonly letter?: Uint8Array;
  readonly image?: { readonly mime: string; readonly data: Uint8Array };
  /** The fingerprint of the key the signature was verified with. */
  readonly authorFingerprint: string;
  /** The signed letter: proof of authorship anyone with the author's key can check (SIG-2). */
  readonly signed: Uint8Array;
}

/** Why a letter was set apart. */
export type RejectReason =
  | 'FORGED' // the signature is not by the key registered for the claimed sender
  | 'UNKNOWN_SENDER' // the claimed sender is not registered
  | 'WRONG_RECIPIENT' // a letter for someone else, re-sealed to us
  | 'UNREADABLE'; // does not open or does not decode

/** A letter that failed verification: kept apart as evidence, never shown as genuine (MAIL-3). */
export interface RejectedLetter {
  readonly reason: RejectReason;
  /** The sender the letter claimed, when it could be read that far. */
  readonly claimedFrom?: string;
  /** The error code behind the reason. */
  readonly code: string;
  readonly receivedAt: number;
}

const MAIL_CONTEXT = utf8('comrad/local/mail/v1');
/** A stored letter the user has seen (MAIL-5); homes from before MAIL-5 hold only these. */
const SEEN = '.letter';
/** A stored letter the user has not seen yet (MAIL-5). */
const UNSEEN = '.new';
const REJECTED_CONTEXT = utf8('comrad/local/rejected/v1');
/** A stored letter file is a sealed letter plus a little: bounded before reading (MAIL-4). */
const MAX_STORED_BYTES = 1024 * 1024;

/** The mail folders of one home, sealed with a key derived from the identity key. */
export class MailStore {
  readonly #key: SymmetricKey;
  readonly #mac: Buffer;
  #wiped = false;

  /**
   * @param paths - the home's paths
   * @param key - the storage key ({@link MailStore.keyFor})
   */
  constructor(
    private readonly paths: HomePaths,
    key: SymmetricKey,
  ) {
    this.#key = key;
    const bytes = key.bytes();
    this.#mac = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  /** Overwrites the storage key and its naming key in memory; the store is unusable afterwards. */
  wipe(): void {
    this.#wiped = true;
    this.#key.wipe();
    this.#mac.fill(0);
  }

  /**
   * The storage key of an identity (MAIL-1): HKDF-SHA-256 of the private key, so mail at rest opens only
   * with the unlocked keystore, and no second secret has to be kept.
   * @param privateKey - the identity's private key
   */
  static keyFor(privateKey: PrivateKey): SymmetricKey {
    return homeFileKey(privateKey, 'mail');
  }

  /**
   * Stores a verified letter unless it is already stored (MAIL-2: the file name is a keyed hash of
   * sender and letter id, so the same letter always maps to the same file, and names reveal nothing).
   * @returns true when stored now, false for a duplicate
   */
  async put(letter: StoredLetter): Promise<boolean> {
    const base = this.#letterBase(letter);
    // LET-8: (from, id) is the letter, however it was sealed or delivered: a replay is never new again.
    if ((await exists(`${base}${SEEN}`)) || (await exists(`${base}${UNSEEN}`))) return false;
    await atomicWrite(`${base}${UNSEEN}`, cellSeal(this.#liveKey(), encode(toMap(letter)), MAIL_CONTEXT));
    return true;
  }

  /**
   * Deletes a stored letter, seen or not (EVT-8: an invitation or an answer about an event that has
   * ended is dropped). Not stored: nothing to do.
   */
  async remove(letter: Pick<StoredLetter, 'from' | 'id'>): Promise<void> {
    const base = this.#letterBase(letter);
    for (const ext of [SEEN, UNSEEN]) await rm(`${base}${ext}`, { force: true });
  }

  /** The stored letters the user has not seen yet, oldest first (MAIL-5). @throws ProtocolError for a damaged file */
  async unseen(): Promise<StoredLetter[]> {
    return sortLetters(await this.#readAll(this.paths.mail, [UNSEEN], MAIL_CONTEXT, fromMap));
  }

  /** Whether the user has seen this stored letter (MAIL-5); false for one not stored. */
  async isSeen(letter: Pick<StoredLetter, 'from' | 'id'>): Promise<boolean> {
    return exists(`${this.#letterBase(letter)}${SEEN}`);
  }

  /**
   * Records that the user has seen a stored letter (MAIL-5): one rename, so a crash leaves it either new
   * or seen, never lost. Call it only after the letter was shown. Seen already: nothing to do.
   */
  async markSeen(letter: Pick<StoredLetter, 'from' | 'id'>): Promise<void> {
    const base = this.#letterBase(letter);
    try {
      // Synchronous on purpose: a letter printed just before is marked with no turn of the event loop in
      // between, which keeps the instant in which a kill shows it twice as short as it can be.
      renameSync(`${base}${UNSEEN}`, `${base}${SEEN}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /**
   * Keeps a rejected letter apart, once per sealed letter (MAIL-3).
   * @param sealed - the bytes as received, which name it
   * @returns true when stored now, false for a duplicate
   */
  async putRejected(sealed: Uint8Array, rejected: RejectedLetter): Promise<boolean> {
    const file = join(this.paths.rejected, `${this.#name(sealed)}.rejected`);
    if (await exists(file)) return false;
    const map = { reason: rejected.reason, code: rejected.code, receivedAt: rejected.receivedAt, ...(rejected.claimedFrom ? { claimedFrom: rejected.claimedFrom } : {}) };
    await atomicWrite(file, cellSeal(this.#liveKey(), encode(map), REJECTED_CONTEXT));
    return true;
  }

  /** Every stored letter, oldest first. @throws ProtocolError for a damaged file */
  async list(): Promise<StoredLetter[]> {
    return sortLetters(await this.#readAll(this.paths.mail, [SEEN, UNSEEN], MAIL_CONTEXT, fromMap));
  }

  /** Every rejected letter, oldest first. */
  async listRejected(): Promise<RejectedLetter[]> {
    const out = await this.#readAll(this.paths.rejected, ['.rejected'], REJECTED_CONTEXT, rejectedFromMap);
    return out.sort((a, b) => a.receivedAt - b.receivedAt);
  }

  async #readAll<T>(dir: string, exts: readonly string[], context: Uint8Array, read: (v: unknown) => T): Promise<T[]> {
    const names = (await readdir(dir)).filter((n) => exts.some((ext) => n.endsWith(ext)));
    const out: T[] = [];
    for (const n of names) {
      // MAIL-4: bounded before a byte is read: a huge file planted in the home costs nothing.
      const bytes = await readFileBounded(join(dir, n), MAX_STORED_BYTES);
      out.push(read(decode(cellOpen(this.#liveKey(), bytes, context), MAX_STORED_BYTES)));
    }
    return out;
  }

  /**
   * The storage key, unless wiped: a letter stored by an `inbox()` still running when its comrade was
   * closed must fail (and stay on the Operator), not be sealed under zeros and then acknowledged.
   */
  #liveKey(): SymmetricKey {
    if (this.#wiped) throw new ProtocolError('CONNECTION_CLOSED', 'the mail store was closed');
    return this.#key;
  }

  /** The path of a letter's file without its extension (MAIL-2: a keyed hash of sender and id). */
  #letterBase(letter: Pick<StoredLetter, 'from' | 'id'>): string {
    return join(this.paths.mail, this.#name(`${letter.from}\0${letter.id}`));
  }

  #name(data: string | Uint8Array): string {
    return createHmac('sha256', this.#mac).update(data).digest('hex').slice(0, 40);
  }
}

function sortLetters(letters: StoredLetter[]): StoredLetter[] {
  return letters.sort((a, b) => a.at - b.at || a.receivedAt - b.receivedAt);
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

const FIELDS = ['id', 'from', 'to', 'at', 'receivedAt', 'kind', 'text', 'letter', 'image', 'authorFingerprint', 'signed'] as const;

function toMap(l: StoredLetter): Record<string, unknown> {
  return {
    id: l.id,
    from: l.from,
    to: l.to,
    at: l.at,
    receivedAt: l.receivedAt,
    ...(l.kind ? { kind: l.kind } : {}),
    text: l.text,
    ...(l.letter ? { letter: l.letter } : {}),
    ...(l.image ? { image: { mime: l.image.mime, data: l.image.data } } : {}),
    authorFingerprint: l.authorFingerprint,
    signed: l.signed,
  };
}

function fromMap(v: unknown): StoredLetter {
  const f = Fields.of(v, 'stored letter', FIELDS);
  const image = f.has('image') ? Fields.of(f.raw('image'), 'stored image', ['mime', 'data']) : undefined;
  const kind = f.has('kind') ? f.oneOf('kind', ['invite', 'rsvp'] as const) : undefined;
  const letter = f.optBytes('letter', { max: MAX_STORED_BYTES });
  return {
    id: f.str('id', { max: 64 }),
    from: f.str('from', { max: 32 }),
    to: f.str('to', { max: 32 }),
    at: f.int('at'),
    receivedAt: f.int('receivedAt'),
    ...(kind ? { kind } : {}),
    text: f.str('text', { max: 4000 }),
    ...(letter ? { letter: letter.slice() } : {}),
    ...(image ? { image: { mime: image.str('mime', { max: 32 }), data: image.bytes('data', { max: MAX_STORED_BYTES }) } } : {}),
    authorFingerprint: f.str('authorFingerprint', { max: 64 }),
    signed: f.bytes('signed', { max: MAX_STORED_BYTES }),
  };
}

function rejectedFromMap(v: unknown): RejectedLetter {
  const f = Fields.of(v, 'rejected letter', ['reason', 'code', 'receivedAt', 'claimedFrom']);
  const claimedFrom = f.optStr('claimedFrom', { max: 32 });
  return {
    reason: f.oneOf('reason', ['FORGED', 'UNKNOWN_SENDER', 'WRONG_RECIPIENT', 'UNREADABLE'] as const),
    code: f.str('code', { max: 32 }),
    receivedAt: f.int('receivedAt'),
    ...(claimedFrom ? { claimedFrom } : {}),
  };
}
