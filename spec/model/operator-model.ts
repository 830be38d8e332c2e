/**
 * The executable model of the Operator (spec/PROTOCOL.md, sections REG, MB, FEED, LIMIT): a pure state
 * machine, `(state, command) → {state, answer}`, written from the spec text and nothing else. The
 * model-based tests run random command sequences against this model and the real Operator (real
 * WebSocket, every store) and require the same answers.
 *
 * Letters and posts are opaque byte strings here (hex), exactly as they are to the Operator; ids are
 * store-assigned, so the model identifies items by content and order.
 */

/** Limits the model enforces; the test starts the real Operator with the same values. */
export interface ModelLimits {
  readonly mailboxItems: number;
  readonly mailTtlMs: number;
  readonly maxPostDays: number;
  readonly postsPerHour: number;
}

export interface ModelMail {
  readonly letter: string;
  readonly receivedAt: number;
  readonly expiresAt: number;
}

export interface ModelPost {
  readonly seq: number;
  readonly author: string;
  readonly post: string;
  readonly postedAt: number;
  readonly expiresAt: number;
}

/** The whole Operator state the protocol makes observable. */
export interface ModelState {
  readonly now: number;
  /** REG-1: name → public key (hex), permanent. */
  readonly registry: ReadonlyMap<string, string>;
  readonly mailboxes: ReadonlyMap<string, readonly ModelMail[]>;
  readonly posts: readonly ModelPost[];
  readonly nextSeq: number;
}

export type ModelAnswer =
  | { ok: true; value?: unknown }
  | { ok: false; code: 'NAME_TAKEN' | 'KEY_TAKEN' | 'NOT_FOUND' | 'QUOTA_EXCEEDED' | 'RATE_LIMITED' | 'MALFORMED' };

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The state of a fresh Operator at time `now`. */
export function initialState(now: number): ModelState {
  return { now, registry: new Map(), mailboxes: new Map(), posts: [], nextSeq: 0 };
}

/** REG-1/REG-2: a name and a key register once, forever. */
export function register(s: ModelState, name: string, keyHex: string): { state: ModelState; answer: ModelAnswer } {
  if (s.registry.has(name)) return { state: s, answer: { ok: false, code: 'NAME_TAKEN' } };
  for (const k of s.registry.values()) if (k === keyHex) return { state: s, answer: { ok: false, code: 'KEY_TAKEN' } };
  const registry = new Map(s.registry).set(name, keyHex);
  return { state: { ...s, registry }, answer: { ok: true } };
}

/** REG-3: lookup answers the registered key. */
export function lookup(s: ModelState, name: string): ModelAnswer {
  const key = s.registry.get(name);
  return key === undefined ? { ok: false, code: 'NOT_FOUND' } : { ok: true, value: key };
}

/** MB-4: a letter goes to a registered recipient's mailbox unless it is full. */
export function send(s: ModelState, limits: ModelLimits, to: string, letterHex: string): { state: ModelState; answer: ModelAnswer } {
  if (!s.registry.has(to)) return { state: s, answer: { ok: false, code: 'NOT_FOUND' } };
  const box = live(s.mailboxes.get(to) ?? [], s.now);
  if (box.length >= limits.mailboxItems) return { state: s, answer: { ok: false, code: 'QUOTA_EXCEEDED' } };
  const item: ModelMail = { letter: letterHex, receivedAt: s.now, expiresAt: s.now + limits.mailTtlMs };
  const mailboxes = new Map(s.mailboxes).set(to, [...box, item]);
  return { state: { ...s, mailboxes }, answer: { ok: true } };
}

/** MB-2: fetching lists unexpired letters oldest first and deletes nothing. */
export function fetch(s: ModelState, who: string, limit: number): string[] {
  return live(s.mailboxes.get(who) ?? [], s.now)
    .slice(0, limit)
    .map((m) => m.letter);
}

/** MB-2: ack deletes exactly the acknowledged letters (here: the first `count` of a fetch). */
export function ack(s: ModelState, who: string, letters: readonly string[]): { state: ModelState; deleted: number } {
  const box = s.mailboxes.get(who) ?? [];
  const gone = new Set(letters);
  const kept = box.filter((m) => !gone.has(m.letter));
  const deleted = live(box, s.now).length - live(kept, s.now).length;
  return { state: { ...s, mailboxes: new Map(s.mailboxes).set(who, kept) }, deleted };
}

/** FEED-1/LIMIT-4: a post is stored for 1..maxPostDays days, at most postsPerHour per author. */
export function post(
  s: ModelState,
  limits: ModelLimits,
  author: string,
  postHex: string,
  days: number,
): { state: ModelState; answer: ModelAnswer } {
  if (!Number.isInteger(days) || days < 1 || days > limits.maxPostDays) return { state: s, answer: { ok: false, code: 'MALFORMED' } };
  const recent = s.posts.filter((p) => p.author === author && p.postedAt >= s.now - HOUR).length;
  if (recent >= limits.postsPerHour) return { state: s, answer: { ok: false, code: 'RATE_LIMITED' } };
  const p: ModelPost = { seq: s.nextSeq, author, post: postHex, postedAt: s.now, expiresAt: s.now + days * DAY };
  return { state: { ...s, posts: [...s.posts, p], nextSeq: s.nextSeq + 1 }, answer: { ok: true } };
}

/** FEED-2: the feed lists unexpired posts, newest first. */
export function feed(s: ModelState, limit: number): ModelPost[] {
  return s.posts
    .filter((p) => p.expiresAt > s.now)
    .sort((a, b) => b.seq - a.seq)
    .slice(0, limit);
}

/** FEED-3: only the author deletes a post; anyone else gets the same answer as for no post. */
export function deletePost(s: ModelState, who: string, seq: number): { state: ModelState; answer: ModelAnswer } {
  const p = s.posts.find((x) => x.seq === seq && x.expiresAt > s.now);
  if (!p || p.author !== who) return { state: s, answer: { ok: false, code: 'NOT_FOUND' } };
  return { state: { ...s, posts: s.posts.filter((x) => x !== p) }, answer: { ok: true } };
}

/** MB-3/FEED-2: time passes; whatever expired is gone. */
export function advance(s: ModelState, ms: number): ModelState {
  const now = s.now + ms;
  const mailboxes = new Map([...s.mailboxes].map(([k, v]) => [k, live(v, now)] as const));
  return { ...s, now, mailboxes, posts: s.posts.filter((p) => p.expiresAt > now) };
}

function live(box: readonly ModelMail[], now: number): ModelMail[] {
  return box.filter((m) => m.expiresAt > now);
}
