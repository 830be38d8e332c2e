/**
 * The events this home hosts and the answers it gave (EVT-*), by Operator, in one file sealed at rest under
 * a key derived from the identity key (like the collective keyring): it names the events and who was
 * invited. An ended event is dropped from it (EVT-8).
 * @module
 */
import { join } from 'node:path';
import { cellSeal, encode, utf8, type PrivateKey, type PublicKey, type SymmetricKey } from '@comrad/core';
import { Fields } from '@comrad/core/codec';
import { RSVP_ANSWERS, decodeLetter, encodeLetter, type EventLetter, type RsvpAnswer } from '@comrad/core/envelope';
import { atomicWrite } from '@comrad/core/node';
import type { HomePaths } from '../home/home.js';
import { homeFileKey, readSealedCellMap } from './sealed-cell.js';

const CONTEXT = utf8('comrad/local/events/v1');
/** An event letter is at most a few KiB: thousands fit; a larger file is not ours. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** Invitees kept per hosted event. */
const MAX_INVITED = 10_000;

/** An event this home hosts. */
export interface HostedEvent {
  /** The event as an `event` letter from the host (EVT-1), as it was (or would be) posted. */
  readonly letter: EventLetter;
  /** Where it was announced: the world feed, a collective's members (EVT-14), or only to those invited. */
  readonly to: 'world' | 'invited' | 'collective' | 'trusted';
  /** With `to: 'collective'`: which one. */
  readonly collective?: string;
  /** Who was sent an invitation (EVT-5). */
  readonly invited: readonly string[];
  /** An anonymous event (EVT-10): its one-time private key and its mailbox key, which only this home holds. */
  readonly anon?: { readonly key: Uint8Array; readonly pub: Uint8Array; readonly box: Uint8Array };
}

/** An answer this home gave (EVT-6). */
export interface GivenAnswer {
  readonly answer: RsvpAnswer;
  /** The event's end (seconds), when the answer is dropped (EVT-8). */
  readonly end: number;
}

interface Book {
  hosted: Map<string, HostedEvent>;
  answers: Map<string, GivenAnswer>;
}

/** The sealed file of hosted events and given answers. */
export class EventBook {
  readonly #key: SymmetricKey;
  readonly #path: string;

  /**
   * @param paths - the home's paths
   * @param identityKey - the unlocked identity private key (the file's key is derived from it)
   */
  constructor(paths: HomePaths, identityKey: PrivateKey) {
    this.#path = join(paths.root, 'events.cell');
    this.#key = homeFileKey(identityKey, 'events');
  }

  /**
   * The hosted events and given answers at the Operator with key `operator`, ended ones dropped (EVT-8:
   * and dropped from the file too).
   * @param now - seconds since the epoch
   */
  async read(operator: PublicKey, now: number): Promise<{ hosted: Map<string, HostedEvent>; answers: Map<string, GivenAnswer> }> {
    const book = await this.#read();
    let dropped = false;
    for (const [k, v] of book.hosted) if (v.letter.body.end <= now) dropped = book.hosted.delete(k) || dropped;
    for (const [k, v] of book.answers) if (v.end <= now) dropped = book.answers.delete(k) || dropped;
    if (dropped) await this.#write(book);
    const prefix = `${operator.toHex()}/`;
    const mine = <T>(m: Map<string, T>) => new Map([...m].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
    return { hosted: mine(book.hosted), answers: mine(book.answers) };
  }

  /** Keeps (or replaces) a hosted event, by its id in hex. */
  async putHosted(operator: PublicKey, eid: string, event: HostedEvent): Promise<void> {
    const book = await this.#read();
    book.hosted.set(`${operator.toHex()}/${eid}`, event);
    await this.#write(book);
  }

  /** Keeps the answer given to an event, by its id in hex. */
  async putAnswer(operator: PublicKey, eid: string, answer: GivenAnswer): Promise<void> {
    const book = await this.#read();
    book.answers.set(`${operator.toHex()}/${eid}`, answer);
    await this.#write(book);
  }

  /** Overwrites the file key in memory. */
  wipe(): void {
    this.#key.wipe();
  }

  async #write(book: Book): Promise<void> {
    const hosted = Object.fromEntries(
      [...book.hosted].map(([k, v]) => [k, { letter: encodeLetter(v.letter), to: v.to, ...(v.collective ? { collective: v.collective } : {}), invited: [...v.invited], ...(v.anon ? { anon: { key: v.anon.key, pub: v.anon.pub, box: v.anon.box } } : {}) }]),
    );
    const answers = Object.fromEntries([...book.answers].map(([k, v]) => [k, { answer: v.answer, end: v.end }]));
    await atomicWrite(this.#path, cellSeal(this.#key, encode({ v: 1, book: { hosted, answers } }), CONTEXT), { mode: 0o600 });
  }

  async #read(): Promise<Book> {
    const raw = await readSealedCellMap(this.#path, this.#key, CONTEXT, MAX_FILE_BYTES, 'events', 'book');
    const book: Book = { hosted: new Map(), answers: new Map() };
    if (raw === undefined) return book;
    const f = Fields.of(raw, 'event book', ['hosted', 'answers']);
    for (const [k, v] of Object.entries(Fields.open(f.raw('hosted'), 'hosted events') && (f.raw('hosted') as object))) {
      const e = Fields.of(v, 'hosted event', ['letter', 'to', 'collective', 'invited', 'anon']);
      const letter = decodeLetter(e.bytes('letter', { max: MAX_FILE_BYTES }));
      if (letter.kind !== 'event') continue;
      const invited = e.list('invited', MAX_INVITED).map((n) => (typeof n === 'string' ? n : ''));
      const anon = e.has('anon') ? Fields.of(e.raw('anon'), 'anonymous event', ['key', 'pub', 'box']) : undefined;
      book.hosted.set(k, {
        letter,
        to: e.oneOf('to', ['world', 'invited', 'collective', 'trusted'] as const),
        ...(e.has('collective') ? { collective: e.str('collective', { max: 32 }) } : {}),
        invited,
        ...(anon ? { anon: { key: anon.bytes('key', { min: 32, max: 64 }).slice(), pub: anon.bytes('pub', { min: 45, max: 77 }).slice(), box: anon.bytes('box', { min: 32, max: 32 }).slice() } } : {}),
      });
    }
    for (const [k, v] of Object.entries(Fields.open(f.raw('answers'), 'answers') && (f.raw('answers') as object))) {
      const a = Fields.of(v, 'answer', ['answer', 'end']);
      book.answers.set(k, { answer: a.oneOf('answer', RSVP_ANSWERS), end: a.int('end') });
    }
    return book;
  }
}
