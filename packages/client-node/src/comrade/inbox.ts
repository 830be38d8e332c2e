/**
 * Receiving mail (MB-2, MB-3, MAIL-*): fetch → open and verify → store → acknowledge, in that order, so
 * that a crash at any point loses nothing and a re-delivery is stored once.
 * @module
 */
import { ComradError, ProtocolError, toHex, type PublicKey } from '@comrad/core';
import { encodeLetter, openSealedLetter, type CircleKeyBody } from '@comrad/core/envelope';
import type { Keymaker } from '@comrad/core/keymaker';
import type { MailEntry } from '@comrad/core/wire';
import type { MailStore, RejectReason, StoredLetter } from '../store/mail-store.js';
import type { Session } from '../transport/session.js';
import { describeLetter } from './events.js';

/** What one `inbox()` call received. */
export interface InboxReport {
  /**
   * The letters this call showed: every stored letter the user had not seen yet, each once, in the order
   * shown (MAIL-5): first those an earlier call stored but stopped before showing, then each page as it
   * was stored. A letter delivered again, or replayed (LET-8), once seen is never listed again.
   */
  readonly received: StoredLetter[];
  /** Letters set apart now: forged, from unknown senders, or unreadable (MAIL-3). */
  readonly rejected: { readonly reason: RejectReason; readonly claimedFrom?: string; readonly code: string }[];
  /**
   * Letters left on the Operator because their sender's pinned key no longer matches (CT-2). `statement`
   * is the Operator-signed statement the letter carried (REG-4, the new key) and `signed` the letter
   * signed with that key: the evidence of the change, to keep.
   */
  readonly held: HeldLetter[];
  /** How many delivered letters were already stored (delivered again or replayed; acknowledged, not stored twice). */
  duplicates: number;
  /**
   * Circle keys received now (CIR-6): whose circle, the key's generation, and what it changed — `new` (the
   * first key of that circle: they trust us now), `rotated` (a newer key: someone left their circle) or
   * `known` (held already, or older than the one held). Kept, never shown as letters.
   */
  readonly circleKeys: { readonly from: string; readonly gen: number; readonly status: 'new' | 'rotated' | 'known' }[];
}

/** A letter held on the Operator because its sender's key is not the pinned one (CT-2). */
export interface HeldLetter {
  /** The sender, as the Operator's statement names it. */
  readonly claimedFrom: string;
  readonly code: string;
  /** The Operator-signed statement the letter carried (SEAL-1), stating the key that differs from the pin. */
  readonly statement: Uint8Array;
  /** The signed letter, verified under the statement's key (SIG-2). */
  readonly signed: Uint8Array;
}

/** What {@link receiveMail} works with. */
export interface ReceiveContext {
  /** The authenticated session. */
  session: Session;
  store: MailStore;
  recipient: Keymaker;
  /** The pinned Operator key: it verifies the statement each letter carries about its sender (SEAL-6). */
  operatorKey: PublicKey;
  /**
   * Checks a verified sender against the pinned contacts, pinning it on first sight (CT-1); `statement`
   * is the Operator-signed statement the letter carried, the evidence of a change (CT-4).
   * @throws ProtocolError KEY_CHANGED when another key is pinned for the name (CT-2)
   */
  pinSender: (name: string, key: PublicKey, statement: Uint8Array) => Promise<void>;
  now: () => number;
  /** Test seam: runs between storing and acknowledging. */
  beforeAck?: (mailIds: readonly string[]) => void | Promise<void>;
  /** Shows one letter the user has not seen yet; it is marked seen once this resolves (MAIL-5). */
  onLetter?: (letter: StoredLetter) => void | Promise<void>;
  /** Leave the letters shown marked unseen: the caller marks them (`MailStore.markSeen`) once handled. */
  keepUnseen?: boolean;
  /**
   * CIR-6: keeps a circle key from a verified `circle-key` letter of `from`, before the letter is
   * acknowledged (so a crash loses no key); absent, such letters are set apart as unreadable.
   */
  onCircleKey?: (from: string, body: CircleKeyBody) => Promise<'new' | 'rotated' | 'known'>;
}

/** Codes that mean the network failed, not the letter: stop, acknowledge nothing more, report. */
const NETWORK: ReadonlySet<string> = new Set(['TIMEOUT', 'CONNECTION_CLOSED', 'RATE_LIMITED', 'INTERNAL']);

/** Envelope codes that mean "this letter does not open or does not parse". */
const REASONS: Readonly<Record<string, RejectReason>> = {
  WRONG_AUTHOR: 'FORGED',
  WRONG_RECIPIENT: 'WRONG_RECIPIENT',
};

/**
 * Drains the mailbox page by page.
 * @returns what arrived
 * @throws ProtocolError TIMEOUT, CONNECTION_CLOSED (letters stored before the failure stay stored; their
 *   ack is sent again on the next call, as they are delivered again)
 */
export async function receiveMail(ctx: ReceiveContext): Promise<InboxReport> {
  const report: InboxReport = { received: [], rejected: [], held: [], duplicates: 0, circleKeys: [] };
  const heldIds = new Set<string>();
  const shown = new Set<string>();
  // MAIL-5: shown, then marked seen; a kill in between shows it again, a kill before never loses it.
  const show = async (letters: readonly StoredLetter[]) => {
    for (const l of letters) {
      const key = `${l.from}\0${l.id}`;
      if (shown.has(key) || (await ctx.store.isSeen(l))) continue;
      shown.add(key);
      await ctx.onLetter?.(l);
      if (!ctx.keepUnseen) await ctx.store.markSeen(l);
      report.received.push(l);
    }
  };
  await show(await ctx.store.unseen());
  for (;;) {
    const { items } = await ctx.session.request('fetch', {});
    const fresh = items.filter((i) => !heldIds.has(i.id));
    if (fresh.length === 0) return report;
    const done: string[] = [];
    const stored: StoredLetter[] = [];
    for (const item of fresh) {
      const outcome = await receiveOne(ctx, item, report);
      if (outcome === 'held') heldIds.add(item.id);
      else done.push(item.id);
      if (typeof outcome === 'object') stored.push(outcome);
    }
    // MB-3: only what is safely on disk is acknowledged; the hook lets tests crash right here.
    await ctx.beforeAck?.(done);
    if (done.length > 0) await ctx.session.request('ack', { ids: done });
    await show(stored);
  }
}

/** The letter stored now, or what became of the item otherwise. */
async function receiveOne(ctx: ReceiveContext, item: MailEntry, report: InboxReport): Promise<StoredLetter | 'duplicate' | 'rejected' | 'held' | 'key'> {
  let claimedFrom: string | undefined;
  let evidence: { statement: Uint8Array; signed: Uint8Array } | undefined;
  try {
    // SEAL-5: the sender is verified by the statement inside the letter; nothing is asked of the Operator.
    const opened = await openSealedLetter(item.letter, ctx.recipient, ctx.operatorKey, (stated) => {
      claimedFrom = stated.name;
    });
    const { letter } = opened;
    evidence = { statement: opened.statement, signed: opened.signed };
    await ctx.pinSender(letter.from, opened.authorKey, opened.statement);
    if (letter.kind === 'circle-key') {
      // CIR-6: a circle key is kept (before the ack, MB-3), not shown as a letter; a key delivered again is kept once.
      if (!ctx.onCircleKey) throw new ProtocolError('UNSUPPORTED_KIND', 'this client keeps no circle keys');
      const status = await ctx.onCircleKey(letter.from, letter.body);
      report.circleKeys.push({ from: letter.from, gen: letter.body.gen, status });
      return 'key';
    }
    const head = { id: toHex(letter.id), from: letter.from, to: letter.to, at: letter.at, receivedAt: ctx.now() };
    const proof = { authorFingerprint: opened.authorKey.fingerprint(), signed: opened.signed };
    let stored: StoredLetter;
    if (letter.kind === 'invite' || letter.kind === 'rsvp') {
      // EVT-8: an invitation to an event that has ended is acknowledged and dropped, never shown.
      if (letter.kind === 'invite' && 'event' in letter.body && letter.body.event.end * 1000 <= ctx.now()) return 'duplicate';
      stored = { ...head, kind: letter.kind, text: describeLetter(letter), letter: encodeLetter(letter), ...proof };
    } else if (letter.kind === 'dm') {
      stored = { ...head, text: letter.body.text, ...(letter.body.image ? { image: letter.body.image } : {}), ...proof };
    } else {
      // SEAL-5 step 11 already refuses a post or an event sealed to one comrade (addressed to comrades).
      throw new ProtocolError('MALFORMED', `a ${letter.kind} does not come as a letter`);
    }
    // A duplicate is never shown from here: if still unseen, it was shown from the store at the start.
    if (!(await ctx.store.put(stored))) {
      report.duplicates++;
      return 'duplicate';
    }
    return stored;
  } catch (err) {
    if (!ComradError.is(err) || NETWORK.has(err.code)) throw err;
    if (err.code === 'KEY_CHANGED' && evidence) {
      report.held.push({ claimedFrom: claimedFrom ?? '?', code: err.code, ...evidence });
      return 'held';
    }
    const reason = REASONS[err.code] ?? 'UNREADABLE';
    const rejected = { reason, code: err.code, receivedAt: ctx.now(), ...(claimedFrom ? { claimedFrom } : {}) };
    if (await ctx.store.putRejected(item.letter, rejected)) report.rejected.push(rejected);
    else report.duplicates++;
    return 'rejected';
  }
}
