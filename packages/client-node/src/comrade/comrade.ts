/**
 * The `Comrade`: one person's session with one Operator — register, look comrades up (pinning their
 * keys), send letters without revealing the sender, read the inbox without ever losing mail, post to the
 * world and read the feed.
 *
 * Connections (CL-1, CL-2): the Comrade never mixes what names you with what names your correspondents.
 * - a *public* session, never authenticated, opened by {@link Comrade.connect}: `info` only;
 * - a *private* session, authenticated, opened only when an op needs it (`inbox`, `post`, `feed`,
 *   `deletePost`, `setProfile`, `profile`, or `login`): `fetch`, `ack`, `worldKey`, `post`, `feed`,
 *   `delete`, `profileSet`, the `mail` pushes;
 * - a fresh connection for each `register`, each `send` (with the recipient's lookup when not pinned),
 *   each `lookup`, each feed page's unknown authors and each profile read (`profileGet`, with the author's
 *   lookup when not pinned), closed right after; through Tor each gets a
 *   circuit of its own.
 * Sending needs no login: with `passphrase` given to {@link Comrade.connect}, the keystore is unlocked
 * before anything touches the network, and a process that only sends never authenticates. Each letter
 * carries our own registry statement (SEAL-1), so its recipient verifies us without asking the Operator.
 *
 * What stays observable (CL-4): the Operator sees every connection's timing. A send from a process that
 * also holds a private session (an `inbox` followed by a reply, a bot) is close in time to that
 * session's traffic, and a send right after a process starts follows that process's `info`; separate
 * circuits do not hide timing. A program that must not be linked by timing sends from a process (or at
 * a moment) apart from its logged-in work.
 * @module
 */
import { EventEmitter } from 'node:events';
import { ComradError, ProtocolError, SymmetricKey, bytesEqual, decryptFrom, encode, toHex, type KeyPair, type PublicKey } from '@comrad/core';
import { channelKey, constitutionToMap, type Constitution } from '@comrad/core/collective';
import {
  MAX_PROFILE_PHOTO_BYTES,
  MAX_PROFILE_PHOTO_SIDE,
  PROFILE_TTL_SECONDS,
  checkRegistrableName,
  createLetter,
  createProfile,
  deriveChannel,
  normaliseName,
  openProfile,
  openWorldLetter,
  profileHeader,
  sealLetter,
  sealPost,
  sealProfile,
  sealTrustedProfile,
  verifyStatement,
  type EventBody,
  type EventLetter,
  type Image,
  type Letter,
  type LetterContent,
  type ProfileVisibility,
  type RsvpAnswer,
  type TextBody,
} from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';
import {
  DEFAULT_PIN_TTL_SECONDS,
  MAX_PIN_TTL_SECONDS,
  MIN_PIN_TTL_SECONDS,
  checkPinKind,
  checkPinNote,
  coverCells,
  pinCell,
  pinNullifier,
  pinNullifierSecret,
  type PinVote,
} from '@comrad/core/pins';
import {
  epochOf,
  makeAuthProof,
  makeRegisterProof,
  registerPowInput,
  sendPowInput,
  solvePowAsync,
  verifyLookup,
  type InfoResult,
  type Op,
  type Params,
  type Result,
  VOTE_CHOICES,
  chanVoteVoter,
  voteSecret,
  voteVoter,
  type Tally,
  type VoteChoice,
} from '@comrad/core/wire';
import { startCrypto } from '../crypto-ready.js';
import { UsageError } from '../errors.js';
import { ensureHome, type HomePaths } from '../home/home.js';
import { SealedHome } from '../home/sealed-home.js';
import { prepareImage, type PreparedImage } from '../images/prepare-image.js';
import { ContactBook, type Contact, type PinResult } from '../store/contacts.js';
import type { JsonStore } from '../store/json-file.js';
import { MailStore, type RejectedLetter, type StoredLetter } from '../store/mail-store.js';
import { OperatorBook, type OperatorEntry } from '../store/operators.js';
import { OwnStatements } from '../store/own-statement.js';
import { CollectiveKeyring } from '../store/collective-keyring.js';
import { EventBook } from '../store/event-book.js';
import { TokenWallet } from '../store/token-wallet.js';
import { ShownPosts, type PostSource } from '../store/shown-posts.js';
import * as tok from './tokens.js';
import { CircleStore } from '../store/circles.js';
import { OperatorConnection, randomIsolation, type ConnectionOptions } from '../transport/connection.js';
import { Session } from '../transport/session.js';
import * as chan from './channels.js';
import * as circle from './circles.js';
import * as col from './collectives.js';
import type { CollectiveView, ProposalView, RequestView } from './collectives.js';
import { receiveMail, type InboxReport, type ReceiveContext } from './inbox.js';
import * as ev from './events.js';
import type { EventInput, EventView } from './events.js';
import { placePins, type PinView } from './pins.js';

/** Options of {@link Comrade.inbox} (MAIL-5). */
export type InboxOptions = Pick<ReceiveContext, 'onLetter' | 'keepUnseen'>;

/** Options of {@link Comrade.connect}. */
export interface ComradeOptions {
  /** The local data directory (default `COMRAD_HOME` or `~/.comrad`). */
  home: string;
  /**
   * Which Operator: the name of an entry in the home's `operators.json` (default: its default entry),
   * or an entry given directly. An entry without a key gets the key the Operator announces pinned
   * (trust on first use) — saved in `operators.json` when the entry came from there.
   */
  operator?: string | OperatorEntry;
  /** A `socks5h://` proxy (Tor) for every connection. */
  proxy?: string;
  /** Waiting for a connection (default 60 s). */
  connectTimeoutMs?: number;
  /** Waiting for one answer (default 30 s). */
  requestTimeoutMs?: number;
  /** Told when the proxy could not reach the Operator yet and a connection is tried again (TR-7). */
  onRetry?: ConnectionOptions['onRetry'];
  /** TR-9: allow plain `ws://` to a host that is neither loopback nor an onion. */
  insecure?: boolean;
  /** Told before a proof of work is solved (REG-6, MB-9: seconds of CPU), e.g. to say why a command takes a while. */
  onWork?: (work: { op: 'register' | 'send'; bits: number }) => void;
  /** The clock (ms); for tests. */
  now?: () => number;
  /**
   * The home's passphrase. When given, {@link Comrade.connect} unlocks the home (HOME-4) and the identity
   * in it before anything touches the network: the known Operators and the contacts are sealed under it
   * (HOME-5), and `send` then works without any authenticated connection (CL-2). Ops that need the
   * private session open it when first called. A new home is sealed under it. Without it, only a new home
   * (in memory until `register`) or an `operator` given as an entry can connect, and `login` unlocks the
   * home later.
   */
  passphrase?: string;
  /**
   * Called after the inbox stored letters and before it acknowledges them: the window in which a crash
   * must lose nothing (MB-3). For tests of exactly that.
   */
  beforeAck?: (mailIds: readonly string[]) => void | Promise<void>;
}

/** Who this comrade is. */
export interface Identity {
  readonly name: string;
  readonly publicKey: PublicKey;
  /** The key's fingerprint (KEY-4), to compare out of band. */
  readonly fingerprint: string;
}

/** Content of a letter or post: text, and optionally an image (file bytes, or already prepared). */
export type Content = string | { readonly text?: string; readonly image?: Uint8Array | PreparedImage };

/** Options of {@link Comrade.post}. */
export interface PostOptions {
  readonly image?: Uint8Array | PreparedImage;
  /** Days until the post expires: 1 to the Operator's maximum (default 7). */
  readonly expiresInDays?: number;
}

/** A verified post of the world feed. */
export interface FeedEntry {
  /** The Operator's id for the post (for `deletePost`). */
  readonly id: string;
  readonly author: string;
  readonly text: string;
  readonly image?: { readonly mime: string; readonly data: Uint8Array };
  /** When the author wrote it (seconds). */
  readonly at: number;
  /** When the Operator stored it (ms since the Unix epoch). */
  readonly postedAt: number;
  /** When the Operator deletes it (ms since the Unix epoch). */
  readonly expiresAt: number;
  /** VOTE-5: up votes now (anonymous: who voted is not known to anyone but each voter). */
  readonly up: number;
  /** VOTE-5: down votes now. */
  readonly down: number;
}

/** A post that failed verification: reported, never shown as genuine (FEED-7). */
export interface RejectedPost {
  readonly id: string;
  /** The author the Operator filed it under. */
  readonly author: string;
  /** The error code (WRONG_AUTHOR for a forgery, KEY_CHANGED while a contact's key change is pending…). */
  readonly code: string;
}

/** A page of the world feed. */
export interface FeedPage {
  readonly posts: FeedEntry[];
  /** The events posted to the world on this page (EVT-7), verified like posts; `events()` lists them. */
  readonly events?: EventLetter[];
  readonly rejected: RejectedPost[];
  /** Pass as `before` for the next page. */
  readonly next?: string;
}

/** What {@link Comrade.setProfile} takes (PROF-3, PROF-4). */
export interface ProfileInput {
  /** What to be called: 1–64 characters on one line. */
  readonly display: string;
  /** A short text, at most 280 characters (default empty). */
  readonly bio?: string;
  /** A photo: file bytes (re-encoded here, metadata stripped, ≤ 512 px and 64 KiB: PROF-13) or already prepared. */
  readonly photo?: Uint8Array | PreparedImage;
  /** `world` (default): any registered comrade reads it. `trusted`: sealed to the trusted circle, so only comrades this one trusts read it (PROF-12); refused NO_CIRCLE before trusting anyone (CIR-7). */
  readonly visibility?: ProfileVisibility;
}

/** A verified profile (PROF-8, PROF-9). */
export interface ProfileView {
  readonly name: string;
  readonly display: string;
  readonly bio: string;
  readonly photo?: { readonly mime: string; readonly data: Uint8Array };
  readonly visibility: ProfileVisibility;
  /** When its author signed it (seconds). */
  readonly at: number;
  /** When it stops being valid unless refreshed (seconds, PROF-5). */
  readonly validUntil: number;
  /** When the Operator deletes it unless replaced (ms since the Unix epoch). */
  readonly expiresAt: number;
}

/** Events of a {@link Comrade}. */
export interface ComradeEvents {
  /** The Operator says new mail is waiting (call `inbox()`). */
  mail: [];
  /** The Operator's key was pinned on first use; show the fingerprint. */
  'operator-pinned': [fingerprint: string];
  /** A comrade's key was pinned on first contact (CT-1): worth comparing in person (CLI-15). */
  'contact-pinned': [name: string, fingerprint: string];
  /** A session lost its connection and is reconnecting. */
  disconnect: [];
  /** A session is back. */
  reconnect: [];
}

/** Default post lifetime (FEED-4). */
export const DEFAULT_POST_DAYS = 7;

/** How many pages of the world feed `events()` reads for events posted to the world (EVT-7). */
const WORLD_EVENT_PAGES = 5;

/**
 * One comrade's session with one Operator: the API the `comrad` CLI is built on. Open one with
 * {@link Comrade.connect}; give it the home's passphrase to act as the identity in it.
 *
 * What each method returns, in short: {@link Comrade.register} → {@link Identity} `{ name, publicKey,
 * fingerprint }`; {@link Comrade.send} → `{ id }`; {@link Comrade.inbox} → {@link InboxReport}
 * `{ received, rejected, held, duplicates }`; {@link Comrade.post} → `{ id, expiresAt }`;
 * {@link Comrade.feed} → {@link FeedPage} `{ posts, rejected, next? }`; {@link Comrade.lookup} →
 * {@link Contact} with `status`. Events: `mail` (new mail is waiting), `contact-pinned`,
 * `operator-pinned`, `disconnect`, `reconnect` ({@link ComradeEvents}).
 *
 * @example
 * ```ts
 * import { Comrade } from '@comrad/client-node';
 *
 * const bot = await Comrade.connect({ home: './bot-home', passphrase: process.env.COMRAD_PASSPHRASE });
 * bot.on('mail', async () => {
 *   const { received } = await bot.inbox();            // verified letters only
 *   for (const letter of received) await bot.send(letter.from, `echo: ${letter.text}`);
 * });
 * ```
 */
export class Comrade extends EventEmitter<ComradeEvents> {
  readonly #opts: ComradeOptions;
  readonly #paths: HomePaths;
  readonly #public: Session;
  #contacts: ContactBook;
  #home: SealedHome | undefined;
  /** The Operator's key was pinned on first use while the home was locked: saved when it is unlocked. */
  #pinLater: string | undefined;
  readonly #info: InfoResult;
  readonly #entry: OperatorEntry;
  #me: Keymaker | undefined;
  #private: Promise<Session> | undefined;
  #mail: MailStore | undefined;
  #circles: CircleStore | undefined;
  #statements: OwnStatements | undefined;
  #keyring: CollectiveKeyring | undefined;
  #events: EventBook | undefined;
  #wallet: TokenWallet | undefined;
  #shown: ShownPosts | undefined;
  readonly #epochKeys = new Map<number, SymmetricKey>();

  private constructor(opts: ComradeOptions, paths: HomePaths, pub: Session, info: InfoResult, entry: OperatorEntry, contacts: ContactBook) {
    super();
    this.#opts = opts;
    this.#paths = paths;
    this.#public = pub;
    this.#info = info;
    this.#entry = entry;
    this.#contacts = contacts;
    this.#forward(pub);
  }

  /**
   * Opens the home, unlocks the keystore when `opts.passphrase` is given (before any network traffic),
   * connects to the Operator, reads its `info` and checks its key against the pin (OPS-1, OPS-2),
   * pinning it on first use. Nothing is authenticated yet: that waits for an op that needs it.
   * @param opts - home, Operator, passphrase, proxy, timeouts
   * @returns a session: unlocked when a passphrase was given and the home holds an identity
   * @throws ProtocolError WRONG_PASSPHRASE, CORRUPT_KEYSTORE (before connecting), KEY_CHANGED (the
   *   Operator's key is not the pinned one), TIMEOUT, CONNECTION_CLOSED; UsageError UNKNOWN_OPERATOR,
   *   BAD_URL, ONION_NEEDS_PROXY, BAD_PROXY
   * @example
   * ```ts
   * const alice = await Comrade.connect({ home: '/home/alice/.comrad', passphrase });
   * await alice.send('bob', 'meet at noon'); // no login: the Operator cannot tell who sent it
   * ```
   */
  static async connect(opts: ComradeOptions): Promise<Comrade> {
    await startCrypto();
    const paths = await ensureHome(opts.home);
    // HOME-5, CL-2: the Operator list is sealed, so the home is unlocked before connecting (a typo costs
    // nothing), and so is the identity: a send needs no login, hence no connection beyond its own.
    const home = opts.passphrase !== undefined ? await SealedHome.unlock(paths.root, opts.passphrase) : undefined;
    let me: Keymaker | undefined;
    try {
      me = home && (await home.hasIdentity()) ? await home.identity() : undefined;
      return await Comrade.#connect(opts, paths, home, me);
    } catch (err) {
      home?.wipe();
      me?.wipe();
      throw err;
    }
  }

  static async #connect(opts: ComradeOptions, paths: HomePaths, home: SealedHome | undefined, me: Keymaker | undefined): Promise<Comrade> {
    if (!home && typeof opts.operator !== 'object' && !(await SealedHome.state(paths.root)).newPassphrase) {
      throw new UsageError('NOT_LOGGED_IN', 'this home is sealed: give its passphrase to Comrade.connect (its Operator list is sealed too)');
    }
    const book = await OperatorBook.load(home ? home.operatorsFile : memoryStore());
    const entry = typeof opts.operator === 'object' ? opts.operator : book.get(opts.operator);
    const pub = await Session.open({ ...connectionOptions(opts, entry.url), ...(entry.key ? { operatorKey: entry.key } : {}) });
    try {
      const info = await pub.request('info', {});
      // OPS-1: the key `info` announces must be the one greeting us and the pinned one (OPS-2).
      const greeted = pub.connection?.hello.operatorKey;
      if (greeted && !greeted.equals(info.operatorKey)) throw new ProtocolError('KEY_CHANGED', 'the Operator greeted with one key and announced another');
      let pinnedNow = false;
      if (typeof opts.operator === 'object') {
        if (entry.key && !entry.key.equals(info.operatorKey)) book.check(entry.name, info.operatorKey);
      } else if (book.check(entry.name, info.operatorKey) === 'new') {
        await book.save();
        pinnedNow = true;
      }
      const contacts = await ContactBook.load(home ? home.contactsFile : memoryStore());
      const pinnedEntry: OperatorEntry = { ...entry, key: info.operatorKey };
      const comrade = new Comrade(opts, paths, pub, info, pinnedEntry, contacts);
      comrade.#home = home;
      if (pinnedNow && !home) comrade.#pinLater = entry.name;
      if (me) comrade.#unlocked(me);
      if (pinnedNow) queueMicrotask(() => comrade.emit('operator-pinned', info.operatorKey.fingerprint()));
      return comrade;
    } catch (err) {
      await pub.close();
      throw err;
    }
  }

  /**
   * The Operator's announced facts, as read at {@link Comrade.connect}.
   * @returns `{ operatorKey, worldKey, limits, … }`: its keys, limits and proof-of-work difficulties
   */
  get info(): InfoResult {
    return this.#info;
  }

  /**
   * The Operator's key, the pinned one (OPS-2).
   * @returns its public key (`.fingerprint()` to show it)
   */
  get operatorKey(): PublicKey {
    return this.#info.operatorKey;
  }

  /**
   * Where the home keeps what.
   * @returns the home's root and the paths of its files
   */
  get paths(): HomePaths {
    return this.#paths;
  }

  /**
   * Whose identity is unlocked, if anyone's.
   * @returns `{ name, publicKey, fingerprint }`, or undefined before a passphrase unlocked an identity
   */
  get identity(): Identity | undefined {
    return this.#me && { name: this.#me.name, publicKey: this.#me.publicKey, fingerprint: this.#me.fingerprint() };
  }

  /**
   * Creates an identity: a fresh key pair, registered under `name` with a proof of possession (REG-3)
   * and proof of work when the Operator asks (REG-6), then kept in the home sealed under its home key
   * (HOME-5; a new home is sealed under `passphrase`), with the Operator's statement about it (what our
   * letters carry, SEAL-1). The identity is unlocked; nothing is authenticated.
   * @param name - the name as typed (normalised: `@Alice` → `alice`)
   * @param passphrase - the home's passphrase (default: the one given to `connect`; unlocks the home
   *   unless `connect` did)
   * @returns the new identity: `{ name, publicKey, fingerprint }` (the name normalised)
   * @throws UsageError KEYSTORE_EXISTS, BAD_ARGUMENT (no passphrase); ProtocolError INVALID_NAME,
   *   NAME_TAKEN, RATE_LIMITED…
   * @example
   * ```ts
   * const me = await comrade.register('Alice');   // a home with no identity yet, opened with a passphrase
   * console.log(`@${me.name} ${me.fingerprint}`);  // "@alice k3v9-2q7m-…": compare it in person
   * ```
   */
  async register(name: string, passphrase: string | undefined = this.#opts.passphrase): Promise<Identity> {
    if (passphrase === undefined && !this.#home) throw new UsageError('BAD_ARGUMENT', 'register needs a passphrase to seal the home');
    const home = this.#home ?? (await this.#unlockHome(passphrase!));
    if (await home.hasIdentity()) {
      throw new UsageError('KEYSTORE_EXISTS', `this home already holds an identity (${this.#paths.identity}); use another --home`);
    }
    const normalised = checkRegistrableName(normaliseName(name));
    const me = Keymaker.generate(normalised);
    const statement = await this.#registerKey(normalised, me.keys);
    // Saved only once the Operator confirmed: a refused name leaves no identity behind.
    await home.saveIdentity(me);
    await this.#private?.then((s) => s.close(), () => undefined);
    this.#private = undefined;
    this.#unlocked(me);
    await this.#statements!.put(this.operatorKey, statement);
    return this.identity!;
  }

  /**
   * Registers `name` with `pair` (REG-3, with proof of work when asked, REG-6) on a connection of its
   * own (CL-1), and checks the Operator's statement.
   * @returns the statement
   */
  async #registerKey(name: string, pair: KeyPair): Promise<Uint8Array> {
    const proof = makeRegisterProof(pair.privateKey, name, pair.publicKey, this.operatorKey);
    const result = await this.#oneShot(async (conn) => {
      // POW-1: the work is bound to this connection's challenge, so it is done once connected.
      const bits = await this.#powBits(conn, 'register');
      const pow = bits > 0 ? await solvePowAsync((n) => registerPowInput(conn.hello.challenge, name, pair.publicKey, n), bits) : undefined;
      return conn.request('register', { name, key: pair.publicKey, proof, ...(pow ? { pow } : {}) });
    });
    verifyLookup(result.statement, this.operatorKey, { name, key: pair.publicKey });
    return result.statement;
  }

  /**
   * Founds a collective (COL-9, COL-25): registers its name with a key of its own (with proof of work
   * like any name), keeps its keys in this home, and appends the `found` event; we are its only member.
   * @param name - the collective's name, as typed (`@portland` → `portland`)
   * @param constitution - the quorums to admit, amend and (optionally) expel (COL-4, COL-5)
   * @returns the collective as its log folds now ({@link CollectiveView})
   * @throws UsageError NOT_LOGGED_IN; ProtocolError INVALID_NAME, NAME_TAKEN, MALFORMED (a constitution out of bounds)
   * @example
   * ```ts
   * const rule = (permille: number) => ({ permille, min: 1, cap: 100 });
   * await comrade.found('portland', { admit: rule(300), amend: rule(500) });
   * ```
   */
  async found(name: string, constitution: Constitution): Promise<CollectiveView> {
    return col.found(this.#collectiveHost(), name, constitution);
  }

  /**
   * Invites a comrade to a collective we are a member of (COL-26): a letter carrying the collective's
   * keys, with which they can read its log and ask to join.
   * @returns nothing; the letter is on its way
   * @throws ProtocolError NOT_MEMBER, NOT_FOUND (no such comrade)
   * @example `await comrade.invite('portland', 'bob')`
   */
  async invite(name: string, who: string): Promise<void> {
    return col.invite(this.#collectiveHost(), name, who);
  }

  /**
   * Asks to join a collective (COL-10), with the keys of an invitation we received (COL-26).
   * @param note - a word to the members (at most 280 characters)
   * @returns the collective as its log folds after the request
   * @throws ProtocolError NOT_FOUND (no invitation), DUPLICATE (a member already, or asked already)
   * @example `await comrade.request('portland', 'from the tenants union')`
   */
  async request(name: string, note?: string): Promise<CollectiveView> {
    return col.request(this.#collectiveHost(), name, note);
  }

  /**
   * The pending requests of a collective, with their vouches and the quorum they need (COL-5, COL-12).
   * @returns `[{ name, note?, vouches, needed }]`, by name
   * @throws ProtocolError NOT_MEMBER (no keys for it)
   * @example `for (const r of await comrade.requests('portland')) console.log(r.name, r.vouches.length, '/', r.needed)`
   */
  async requests(name: string): Promise<RequestView[]> {
    const host = this.#collectiveHost();
    return col.requestsOf((await col.readCollective(host, await col.keysFor(host, name))).state);
  }

  /**
   * Vouches for a candidate (COL-11); when this vouch completes the quorum of the constitution in force,
   * also admits them (COL-12: the admission is an event of its own, appended right after).
   * @returns `{ admitted }`: whether the candidate is a member now, and the collective's view
   * @throws ProtocolError NOT_MEMBER (we are not a member), NOT_FOUND (no such request), DUPLICATE (vouched already)
   * @example `const { admitted } = await comrade.vouch('portland', 'bob')`
   */
  async vouch(name: string, who: string): Promise<{ admitted: boolean; view: CollectiveView }> {
    return col.vouch(this.#collectiveHost(), name, who);
  }

  /**
   * Admits a candidate whose vouches meet the quorum now (COL-12), by a member or the candidate; nothing
   * happens when they do not (yet).
   * @returns whether the candidate is a member now
   * @example `await comrade.admit('portland', 'bob')`
   */
  async admit(name: string, who: string): Promise<boolean> {
    const host = this.#collectiveHost();
    const view = await col.admitIfMet(host, await col.keysFor(host, name), normaliseName(who));
    return view.state.members.has(normaliseName(who));
  }

  /**
   * The members, the constitution in force and the pending proposals of a collective, from its whole log.
   * @returns `{ members, constitution, proposals, length, rejected }`
   * @throws ProtocolError NOT_MEMBER (no keys for it)
   * @example `const { members } = await comrade.members('portland')`
   */
  async members(name: string): Promise<{ members: string[]; constitution: Constitution | undefined; proposals: ProposalView[]; length: number; rejected: number }> {
    const host = this.#collectiveHost();
    const view = await col.readCollective(host, await col.keysFor(host, name));
    return { members: [...view.state.members].sort(), constitution: view.state.constitution, proposals: col.proposalsOf(view.state), length: view.length, rejected: view.rejected.length };
  }

  /**
   * Proposes a new constitution (COL-13); it comes into force when yes votes reach the `amend` quorum of
   * the one in force (COL-14).
   * @returns the proposal's id (the `seq` of its event), to vote on
   * @throws ProtocolError NOT_MEMBER, QUOTA_EXCEEDED, MALFORMED
   * @example `const id = await comrade.propose('portland', { admit: rule(500), amend: rule(500) })`
   */
  async propose(name: string, constitution: Constitution): Promise<number> {
    const host = this.#collectiveHost();
    return (await col.act(host, await col.keysFor(host, name), () => ({ kind: 'propose', constitution }))).seq!;
  }

  /**
   * Votes on a pending proposal (COL-14).
   * @returns whether the proposal's constitution is in force now
   * @throws ProtocolError NOT_MEMBER, NOT_FOUND (no such pending proposal), DUPLICATE (voted already)
   * @example `await comrade.vote('portland', 7, true)`
   */
  async vote(name: string, proposal: number, yes: boolean): Promise<{ passed: boolean }> {
    const host = this.#collectiveHost();
    const keys = await col.keysFor(host, name);
    let proposed: Constitution | undefined;
    const { view } = await col.act(host, keys, (v) => {
      proposed = v.state.proposals.get(proposal)?.constitution;
      return { kind: 'vote', proposal, yes };
    });
    const now = view.state.constitution;
    const same = proposed !== undefined && now !== undefined && bytesEqual(encode(constitutionToMap(now)), encode(constitutionToMap(proposed)));
    return { passed: same && !view.state.proposals.has(proposal) };
  }

  /**
   * Leaves a collective, or withdraws a pending request (COL-16). The keys stay in this home (the log
   * stays readable; asking again needs no new invitation).
   * @returns nothing
   * @throws ProtocolError NOT_MEMBER
   * @example `await comrade.leave('portland')`
   */
  async leave(name: string): Promise<void> {
    const host = this.#collectiveHost();
    await col.act(host, await col.keysFor(host, name), () => ({ kind: 'leave' }));
  }

  /**
   * Votes to expel a member (COL-17), where the constitution in force allows it; when this vote reaches
   * the `expel` quorum, the member is out and we rotate the collective's message key at once (COL-31), so
   * they cannot read anything posted from now on (COL-35).
   * @returns `{ expelled }`: whether the member is out now
   * @throws ProtocolError FORBIDDEN (no expulsion in the constitution, or ourselves), NOT_MEMBER (we are
   *   not a member), NOT_FOUND (they are not a member), DUPLICATE (voted already)
   * @example `const { expelled } = await comrade.expel('portland', 'mallory')`
   */
  async expel(name: string, who: string): Promise<{ expelled: boolean }> {
    const { expelled } = await col.expel(this.#collectiveHost(), name, who);
    return { expelled };
  }

  /**
   * Posts a message to a collective we are a member of (COL-31..COL-34): sealed once under the
   * collective's current message key, which is rotated first if someone left since it was made, and
   * filed in the collective's channel on a fresh connection that never logs in. Only the members of this
   * moment can read it.
   * @param name - the collective
   * @param content - text, or `{ text, image }` (an image is re-encoded without metadata, IMG-1)
   * @param opts - `expiresInDays`: 1 to the Operator's `maxPostDays` (default 7)
   * @returns the message's id in the channel, when the Operator deletes it (ms), and the key's epoch
   * @throws ProtocolError NOT_MEMBER; UsageError BAD_ARGUMENT; whatever `chanPost` answers
   * @example `await comrade.collectivePost('portland', 'General assembly on Thursday, 7pm.')`
   */
  async collectivePost(name: string, content: Content, opts: { expiresInDays?: number } = {}): Promise<{ id: string; expiresAt: number; epoch: number }> {
    const days = this.#postDays(opts.expiresInDays);
    return col.post(this.#collectiveHost(), name, await toBody(content), { expiresInDays: days });
  }

  /**
   * A page of a collective's messages, newest first (COL-33): each opened with the message key of its
   * epoch, as the log hands it to us, and verified against its author's registry key. Messages sealed
   * while we were not a member are in `unreadable` with `NOT_FOUND`: we never held their key.
   * @param opts - `before` (the previous page's `next`) and `limit`
   * @returns `{ messages, unreadable, next? }`
   * @throws ProtocolError NOT_MEMBER (no keys for it)
   * @example `for (const m of (await comrade.collectiveFeed('portland')).messages) console.log(m.author, m.text)`
   */
  async collectiveFeed(name: string, opts: { before?: string; limit?: number } = {}): Promise<col.CollectiveFeedPage> {
    const page = await col.feed(this.#collectiveHost(), name, opts);
    // So that a vote on a message shown names no more than its id (16-votes, Clients).
    const source: PostSource = { via: 'collective', name: normaliseName(name) };
    await this.#shown!.remember(this.operatorKey, page.messages.map((m) => ({ id: m.id, expiresAt: m.expiresAt, source })), this.#now());
    return page;
  }

  /**
   * The collectives this home holds keys for, each folded from its log.
   * @returns `[{ name, status, members, requests, proposals }]`: `status` is `member`, `candidate` (asked,
   *   pending), or `outside` (invited, left or expelled)
   * @example `for (const c of await comrade.collectives()) console.log(c.name, c.status)`
   */
  async collectives(): Promise<Array<{ name: string; status: 'member' | 'candidate' | 'outside'; members: number; requests: number; proposals: number }>> {
    const host = this.#collectiveHost();
    const out = [];
    for (const { keys } of await host.keyring.list(this.operatorKey)) {
      const { state } = await col.readCollective(host, keys);
      out.push({ name: keys.name, status: col.statusOf(state, host.me.name), members: state.members.size, requests: state.requests.size, proposals: state.proposals.size } as const);
    }
    return out;
  }

  /**
   * A collective whole, from one read of its log: where we stand, its members, the constitution in force,
   * the requests waiting for vouches, the proposals and the votes to expel, each with the quorum it needs
   * now (COL-5, COL-12, COL-14, COL-17).
   * @returns {@link col.CollectiveOverview}
   * @throws ProtocolError NOT_MEMBER (no keys for it)
   * @example `const { requests } = await comrade.collective('portland'); for (const r of requests) console.log(r.name, r.vouches.length, '/', r.needed)`
   */
  async collective(name: string): Promise<col.CollectiveOverview> {
    const host = this.#collectiveHost();
    return col.overviewOf(await col.readCollective(host, await col.keysFor(host, name)), host.me.name);
  }

  /**
   * The invitations stored in this home to collectives it holds no keys for yet (COL-26), newest first,
   * one per collective, each checked against the registry's key for the collective's name (COL-25). Read
   * the mail first ({@link Comrade.inbox}) to see the newest.
   * @returns `[{ name, from, at }]`; ask to join with {@link Comrade.request}
   * @example `for (const i of await comrade.collectiveInvitations()) await comrade.request(i.name)`
   */
  async collectiveInvitations(): Promise<col.InvitationView[]> {
    return col.invitations(this.#collectiveHost());
  }

  /**
   * Hosts an event (EVT-*): to the world feed (`to: 'world'`), or kept for invitations (the default).
   * Checked whole first: nothing is sent or kept for a title too long or an event that has ended.
   * @param input - title, start and end (seconds), where, note, audience, expiry in the feed
   * @returns the event ({@link EventView}), its `id` for {@link Comrade.inviteToEvent}
   * @throws ProtocolError TOO_LARGE, MALFORMED (EVT-3, EVT-4), EXPIRED; UsageError BAD_ARGUMENT
   * @example
   * ```ts
   * const start = Math.floor(Date.now() / 1000) + 86_400;
   * const e = await comrade.createEvent({ title: 'Tenants assembly', start, end: start + 7200, where: 'Library hall' });
   * await comrade.inviteToEvent(e.id, ['bob', 'carol']);
   * ```
   */
  async createEvent(input: EventInput): Promise<EventView> {
    return ev.createEvent(this.#eventHost(), input);
  }

  /**
   * Invites comrades to an event this home hosts: a sealed `invite` letter to each (EVT-5).
   * @param id - the event id, or a prefix of at least 8 hex digits
   * @param names - the comrades to invite
   * @returns `{ id, invited }`: the full id and the names invited
   * @throws ProtocolError NOT_FOUND (not an event hosted here), INVALID_NAME, the send's codes
   * @example `await comrade.inviteToEvent('3f2a9c01', ['bob'])`
   */
  async inviteToEvent(id: string, names: readonly string[]): Promise<{ id: string; invited: string[] }> {
    return ev.invite(this.#eventHost(), id, names);
  }

  /**
   * Answers an event known here (invited, or seen in the world feed): a sealed `rsvp` letter to its host
   * (EVT-6).
   * @param id - the event id, or a prefix of at least 8 hex digits
   * @param answer - `yes`, `no` or `maybe`
   * @returns `{ id, host, answer }`
   * @throws ProtocolError NOT_FOUND (no such event known here: nothing is sent), EXPIRED; UsageError BAD_ARGUMENT
   * @example `await comrade.rsvp('3f2a9c01', 'yes')`
   */
  async rsvp(id: string, answer: RsvpAnswer): Promise<{ id: string; host: string; answer: RsvpAnswer }> {
    return ev.rsvp(this.#eventHost(), id, answer);
  }

  /**
   * Proves to one comrade that we host an anonymous event (EVT-17): an invitation from us with a signature
   * by the event's one-time key; their client checks it against the event they see.
   * @param id - the event id, or a prefix of at least 8 hex digits
   * @param name - the comrade
   * @returns `{ id, to }`
   * @throws ProtocolError NOT_FOUND (no anonymous event hosted here), the send's codes
   * @example `await comrade.proveHost('3f2a9c01', 'bob')`
   */
  async proveHost(id: string, name: string): Promise<{ id: string; to: string }> {
    return ev.proveHost(this.#eventHost(), id, name);
  }

  /**
   * The events that have not ended: those hosted here with every comrade's latest answer, those we are
   * invited to, those in the world feed (EVT-8: ended ones are dropped). Fetches waiting letters first.
   * @returns hosted first, then the others, by start ({@link EventView})
   * @example `for (const e of await comrade.events()) console.log(e.title, e.role, e.rsvps)`
   */
  async events(): Promise<EventView[]> {
    return ev.listEvents(this.#eventHost());
  }

  /** What the event code needs of this Comrade. */
  #eventHost(): ev.EventHost {
    const me = this.#requireUnlocked();
    return {
      me,
      operatorKey: this.operatorKey,
      book: this.#events!,
      chan: this.#channelHost(),
      worldKey: (epoch) => this.#epochKey(epoch),
      worldKeyBeforeAnonymous: async (epoch) => {
        const wasLoggedIn = this.#private !== undefined;
        try {
          return await this.#epochKey(epoch);
        } finally {
          if (!wasLoggedIn) await this.#logOut();
        }
      },
      postPaid: async (cap, post, life) => {
        await this.anonymous('chanPost', { cap, post, ...chan.lifeParams(life) });
      },
      maxPostDays: this.#info.limits.maxPostDays,
      now: () => this.#now(),
      sendLetter: async (to, content, ttlMs) => {
        await this.#sendLetter(to, content, ttlMs);
      },
      postWorld: async (letter, life) => {
        const epoch = epochOf(this.#now());
        const sealed = sealPost(letter, me.keys, await this.#epochKey(epoch), epoch);
        return (await this.#privateSession()).request('post', { post: sealed, ...chan.lifeParams(life) });
      },
      postTrusted: async (letter, life) => {
        await this.circlePostLetter(letter, life);
      },
      trustedEvents: async () => {
        const { posts } = await this.circleFeed();
        return posts.flatMap((p) => (p.letter.kind === 'event' ? [{ circle: p.circle, letter: p.letter }] : []));
      },
      postCollective: async (name, event, life) => {
        await col.post(this.#collectiveHost(), name, { event }, life);
      },
      collectiveEvents: async () => {
        const out: { collective: string; author: string; event: EventBody }[] = [];
        const colHost = this.#collectiveHost();
        for (const { keys } of await colHost.keyring.list(this.operatorKey)) {
          try {
            let before: string | undefined;
            for (let page = 0; page < WORLD_EVENT_PAGES; page++) {
              const p = await col.feed(colHost, keys.name, before !== undefined ? { before } : {});
              for (const e of p.events ?? []) out.push({ collective: keys.name, author: e.author, event: e.event });
              if (p.next === undefined) break;
              before = p.next;
            }
          } catch (err) {
            // A collective we hold keys for but cannot read now is not this listing's failure.
            if (!ComradError.is(err) || err.code === 'TIMEOUT' || err.code === 'CONNECTION_CLOSED') throw err;
          }
        }
        return out;
      },
      worldEvents: async () => {
        const out: EventLetter[] = [];
        let before: string | undefined;
        // The feed is newest first and an event is posted at most maxPostDays before it ends: a few pages
        // reach back far enough on a small Operator; a larger one would want an events index.
        for (let page = 0; page < WORLD_EVENT_PAGES; page++) {
          const p = await this.feed(before !== undefined ? { before } : {});
          out.push(...(p.events ?? []));
          if (p.next === undefined) break;
          before = p.next;
        }
        return out;
      },
      letters: (fetch) => this.#storedLetters(fetch),
      dropLetter: (l) => this.#mail!.remove(l),
    };
  }

  /** The letters stored in the home, after fetching the waiting ones (left unseen for `inbox`) when `fetch`. */
  async #storedLetters(fetch: boolean): Promise<StoredLetter[]> {
    if (fetch) await this.inbox({ keepUnseen: true });
    return this.#mail!.list();
  }

  /** What the collective code needs of this Comrade (CL-1: every log op on a fresh connection). */
  #collectiveHost(): col.CollectiveHost {
    const me = this.#requireUnlocked();
    return {
      me,
      operatorKey: this.operatorKey,
      keyring: this.#keyring!,
      now: () => this.#now(),
      oneShot: (use) => this.#oneShot(use),
      authorKeys: (names) => this.#authorKeys(names),
      registryKey: async (name) => (await this.#registryStatement(name)).key,
      register: async (name, pair) => {
        await this.#registerKey(name, pair);
      },
      send: async (to, text) => {
        await this.send(to, text);
      },
      sendLetter: async (to, content) => {
        await this.#sendLetter(to, content);
      },
      letters: (fetch) => this.#storedLetters(fetch),
      powBits: (conn) => this.#powBits(conn, 'send'),
    };
  }

  /**
   * Opens the identity kept in the home and authenticates the private session now (AUTH-2). Kept for
   * compatibility: prefer `passphrase` in {@link Comrade.connect}, which unlocks without authenticating;
   * the ops that need the private session open it themselves. After `login`, this process holds a
   * logged-in connection, so its sends are close in time to it (CL-4). The home is unlocked with
   * `passphrase` unless `connect` unlocked it already.
   * @param passphrase - the home's passphrase
   * @returns the identity: `{ name, publicKey, fingerprint }`
   * @throws UsageError NO_KEYSTORE; ProtocolError WRONG_PASSPHRASE, CORRUPT_KEYSTORE, AUTH_FAILED
   */
  async login(passphrase: string): Promise<Identity> {
    const me = await (await this.#unlockHome(passphrase)).identity();
    if (this.#me?.name !== me.name || !this.#me.publicKey.equals(me.publicKey)) {
      await this.#private?.then((s) => s.close(), () => undefined);
      this.#private = undefined;
      this.#unlocked(me);
    } else {
      me.wipe();
    }
    await this.#privateSession();
    return this.identity!;
  }

  /** Checks a key against the pin (CT-1, CT-2), saying so when it was pinned now (CLI-15). Does not save. */
  #pin(name: string, key: PublicKey, statement?: Uint8Array): PinResult {
    const result = this.#contacts.check(this.operatorKey, name, key, this.#now(), statement);
    if (result.status === 'new') this.emit('contact-pinned', name, key.fingerprint());
    return result;
  }

  /**
   * Looks a comrade up and pins the key (CT-1): the Operator's signed statement is verified against the
   * pinned Operator key (REG-4), and a key that differs from the one pinned earlier is refused (CT-2),
   * with both signed statements kept as evidence (CT-4).
   * @param name - as typed
   * @returns the contact, `{ name, key, pinnedAt, statement?, changes, status }`, with `status` `new`
   *   (pinned now) or `same` (matches the pin)
   * @throws ProtocolError NOT_FOUND, KEY_CHANGED, BAD_SIGNATURE, INVALID_NAME
   * @example
   * ```ts
   * const bob = await comrade.lookup('bob');
   * console.log(bob.key.fingerprint(), bob.status);   // compare the fingerprint with Bob in person
   * ```
   */
  async lookup(name: string): Promise<Contact & { status: 'new' | 'same' }> {
    const normalised = normaliseName(name);
    const { key, statement } = await this.#registryStatement(normalised);
    try {
      const result = this.#pin(normalised, key, statement);
      return { ...result.contact, status: result.status };
    } finally {
      // A new pin, or the evidence of a KEY_CHANGED (CT-4), is on disk before anyone hears of it.
      if (this.#contacts.dirty) await this.#contacts.save();
    }
  }

  /**
   * Accepts a changed key for a contact (CT-3). Names are permanent, so this is never routine: the
   * caller must give the new key's full fingerprint, as the person confirmed it out of band, and the
   * evidence of the change stays in the home (CT-4).
   * @param name - as typed
   * @param fingerprint - the full fingerprint of the key the Operator now gives (KEY-4)
   * @returns `{ previous?, contact }`: the previously pinned contact (if any) and the newly pinned one
   * @throws UsageError BAD_ARGUMENT (the fingerprint is not the one of the key offered now); ProtocolError
   *   NOT_FOUND, BAD_SIGNATURE
   */
  async acceptKeyChange(name: string, fingerprint: string): Promise<{ previous?: Contact; contact: Contact }> {
    const normalised = normaliseName(name);
    const { key, statement } = await this.#registryStatement(normalised);
    if (typeof fingerprint !== 'string' || fingerprint.trim().toLowerCase() !== key.fingerprint()) {
      throw new UsageError('BAD_ARGUMENT', `that is not the fingerprint of the key the Operator gives for @${normalised}: nothing accepted`);
    }
    const previous = this.#contacts.get(this.operatorKey, normalised);
    const contact = this.#contacts.replace(this.operatorKey, normalised, key, this.#now(), statement);
    await this.#contacts.save();
    return previous ? { previous, contact } : { contact };
  }

  /**
   * The contacts pinned at this Operator, from the home alone (no request).
   * @returns each `{ name, key, pinnedAt, statement?, changes }`
   */
  contacts(): Contact[] {
    return this.#contacts.list(this.operatorKey);
  }

  /**
   * Sends a letter (MB-1): signed by us, sealed with our registry statement to the recipient's pinned
   * key (SEAL-2), and handed to the Operator over a fresh connection that never authenticates (CL-1). An
   * unpinned recipient is looked up on that same anonymous connection. Needs the keystore unlocked (the
   * `passphrase` of `connect`), not a login. An image is re-encoded without metadata first (IMG-1).
   * @param name - the recipient, as typed
   * @param content - text, or `{text, image}`
   * @returns `{ id }`: the letter id (hex), as the recipient will see it
   * @throws UsageError NOT_LOGGED_IN (locked); ProtocolError NOT_FOUND, KEY_CHANGED, TOO_LARGE, QUOTA_EXCEEDED…
   * @example
   * ```ts
   * await comrade.send('bob', 'Meeting moved to the library, 6pm.');
   * await comrade.send('bob', { text: 'the flyer', image: await readFile('flyer.jpg') }); // metadata stripped
   * ```
   */
  async send(name: string, content: Content): Promise<{ id: string }> {
    this.#requireUnlocked();
    return this.#sendLetter(name, { kind: 'dm', body: await toBody(content) });
  }

  /**
   * Signs, seals and sends a letter of any kind to one comrade (MB-1, SEAL-2) on a fresh anonymous
   * connection (CL-1); `ttlMs` asks the Operator to delete it then if not fetched (MB-5).
   */
  async #sendLetter(name: string, content: LetterContent, ttlMs?: number): Promise<{ id: string }> {
    const me = this.#requireUnlocked();
    const to = normaliseName(name);
    const statement = await this.#ownStatement(me);
    const letter = createLetter({ ...content, from: me.name, to, at: Math.floor(this.#now() / 1000) });
    // Sealed once: a retry (another connection, the same token) sends the very same bytes (MB-11, TOK-8).
    let sealed: Uint8Array | undefined;
    const ttl = ttlMs !== undefined ? { ttl: ttlMs } : {};
    const sealedFor = async (conn: OperatorConnection, token?: Uint8Array): Promise<void> => {
      // A pinned contact needs no lookup; an unknown one is looked up on this same anonymous connection,
      // which names the recipient anyway, so no logged-in connection ever asks about the people we write to.
      const pinned = this.#contacts.get(this.operatorKey, to);
      let key = pinned?.key;
      if (!key) {
        const recipient = await conn.request('lookup', { name: to });
        key = verifyLookup(recipient.statement, this.operatorKey, to).key;
        this.#pin(to, key, recipient.statement);
        await this.#contacts.save();
      }
      sealed ??= sealLetter(letter, me.keys, key, statement);
      const letterBytes = sealed;
      if (token) {
        // TOK-11: a token pays for the letter; no proof of work.
        await conn.request('send', { to, letter: letterBytes, ...ttl, token });
        return;
      }
      const bits = await this.#powBits(conn, 'send');
      const pow = bits > 0 ? await solvePowAsync((n) => sendPowInput(conn.hello.challenge, to, letterBytes, n), bits) : undefined;
      await conn.request('send', { to, letter: letterBytes, ...ttl, ...(pow ? { pow } : {}) });
    };
    // TOK-11: a held token spares the proof of work; an Operator that requires tokens says so and gets one.
    const paid = () => tok.payWithToken(this.#tokenHost(), (conn, token) => sealedFor(conn, token));
    if (this.#info.pow.send > 0 && (await this.#wallet!.count(this.operatorKey, this.#now())) > 0) await paid();
    else {
      try {
        await this.#oneShot((conn) => sealedFor(conn));
      } catch (err) {
        if (!ComradError.is(err, 'TOKEN_REQUIRED')) throw err;
        await paid();
      }
    }
    return { id: toHex(letter.id) };
  }

  /**
   * Fetches waiting mail, opens and verifies each letter, stores it, and only then acknowledges it
   * (MB-3: a crash before the ack means the Operator delivers it again; the store keeps it once,
   * MAIL-2). Forged and unreadable letters are kept apart and acknowledged (MAIL-3); a letter from a
   * contact whose key changed is left on the Operator until the change is accepted (CT-2), and reported
   * with the statement the letter carried as evidence. Each sender is verified by the registry statement
   * inside the letter (SEAL-6): the inbox never asks the Operator about anyone who wrote (CL-3).
   *
   * Each letter the user has not seen yet is handed to `opts.onLetter` as soon as its page is stored
   * (first any that an earlier call stored but stopped before showing) and marked seen once that
   * resolves (MAIL-5): a crash shows it again on the next call, never loses it, and a replayed letter
   * is never new twice (LET-8). Without `onLetter`, `received` is the only record of what was new.
   * @param opts - `onLetter` shows one letter; `keepUnseen` leaves marking to {@link markSeen}
   * @returns what arrived now, `{ received, rejected, held, duplicates }`: `received` the verified letters
   *   not seen before ({@link StoredLetter}: `{ id, from, to, at, text, image?, authorFingerprint, … }`),
   *   `rejected` those set apart (`{ reason, claimedFrom?, code }`), `held` those left on the Operator
   *   over a key change (with the evidence), `duplicates` how many were already stored
   * @throws UsageError NOT_LOGGED_IN (locked); ProtocolError TIMEOUT, CONNECTION_CLOSED, AUTH_FAILED
   * @example
   * ```ts
   * const { received, rejected } = await comrade.inbox();
   * for (const l of received) console.log(`@${l.from}: ${l.text}`);    // verified: really from l.from
   * if (rejected.length) console.warn(`${rejected.length} letters set apart (forged or unreadable)`);
   * ```
   */
  async inbox(opts: InboxOptions = {}): Promise<InboxReport> {
    const me = this.#requireUnlocked();
    return receiveMail({
      ...opts,
      session: await this.#privateSession(),
      store: this.#mail!,
      recipient: me,
      operatorKey: this.operatorKey,
      pinSender: async (name, key, statement) => {
        // CT-1: the Operator-signed statement in the letter pins a sender on first sight, like a lookup
        // would; a KEY_CHANGED keeps it as evidence (CT-4), on disk before anyone hears of it.
        try {
          this.#pin(name, key, statement);
        } finally {
          if (this.#contacts.dirty) await this.#contacts.save();
        }
      },
      now: () => this.#now(),
      // CIR-6: a circle key is kept (sealed at rest) before its letter is acknowledged.
      onCircleKey: (from, body) => this.#circles!.keep(this.operatorKey, from, body.gen, body.key, this.#now()),
      ...(this.#opts.beforeAck ? { beforeAck: this.#opts.beforeAck } : {}),
    });
  }

  /**
   * Records that the user has seen these letters (MAIL-5), after an `inbox({keepUnseen: true})`.
   * @param letters - letters from `inbox()` or {@link Comrade.letters}
   * @returns once the marks are on disk
   */
  async markSeen(letters: readonly Pick<StoredLetter, 'from' | 'id'>[]): Promise<void> {
    this.#requireUnlocked();
    for (const l of letters) await this.#mail!.markSeen(l);
  }

  /**
   * Every letter stored in this home, from the home alone (no request).
   * @returns the verified letters, oldest first, each `{ id, from, to, at, receivedAt, text, image?,
   *   authorFingerprint, signed }`
   */
  async letters(): Promise<StoredLetter[]> {
    this.#requireUnlocked();
    return this.#mail!.list();
  }

  /**
   * The letters set apart because they failed verification (MAIL-3), kept as evidence.
   * @returns each with its reason (`FORGED`, `UNKNOWN_SENDER`, `WRONG_RECIPIENT`, `UNREADABLE`)
   */
  async rejectedLetters(): Promise<RejectedLetter[]> {
    this.#requireUnlocked();
    return this.#mail!.listRejected();
  }

  /**
   * Posts to the world (FEED-3): a post letter signed by us, sealed under today's world key.
   * @param text - the post's text (may be empty with an image)
   * @param opts - image and lifetime
   * @returns `{ id, expiresAt }`: the post id (for {@link Comrade.deletePost}) and when the Operator
   *   deletes it (ms since the Unix epoch)
   * @throws UsageError NOT_LOGGED_IN, BAD_ARGUMENT; ProtocolError RATE_LIMITED, TOO_LARGE…
   * @example
   * ```ts
   * const { id } = await comrade.post('Solidarity with the strikers at the port!', { expiresInDays: 3 });
   * ```
   */
  async post(text: string, opts: PostOptions = {}): Promise<{ id: string; expiresAt: number }> {
    const me = this.#requireUnlocked();
    const days = this.#postDays(opts.expiresInDays);
    const body = await toBody(opts.image ? { text, image: opts.image } : text);
    const now = this.#now();
    const epoch = epochOf(now);
    const letter = createLetter({ kind: 'post', from: me.name, body, at: Math.floor(now / 1000) });
    const sealed = sealPost(letter, me.keys, await this.#epochKey(epoch), epoch);
    return (await this.#privateSession()).request('post', { post: sealed, expiresInDays: days });
  }

  /**
   * Reads a page of the world feed, newest first. Each post is verified against the author the Operator
   * filed it under (FEED-7): with the pinned key, or for an author not pinned yet a key looked up (and
   * pinned) on one fresh anonymous connection for the page, which names only authors the page already
   * named. The signature is checked before the letter is decoded (POST-3). Posts that fail are listed in
   * `rejected`, never in `posts`.
   * @param opts - `before` (the previous page's `next`) and `limit`
   * @returns `{ posts, rejected, next? }`: the verified posts ({@link FeedEntry}: `{ id, author, text,
   *   image?, at, postedAt, expiresAt }`), those that failed (`{ id, author, code }`), and where the next
   *   page starts when there is one
   * @throws UsageError NOT_LOGGED_IN (locked); ProtocolError TIMEOUT…
   * @example
   * ```ts
   * let page = await comrade.feed({ limit: 20 });
   * for (const p of page.posts) console.log(`@${p.author}: ${p.text}`);
   * if (page.next) page = await comrade.feed({ before: page.next });   // older posts
   * ```
   */
  async feed(opts: { before?: string; limit?: number } = {}): Promise<FeedPage> {
    this.#requireUnlocked();
    const page = await (await this.#privateSession()).request('feed', opts);
    const keys = await this.#authorKeys([...new Set(page.posts.map((p) => p.author))]);
    const posts: FeedEntry[] = [];
    const events: EventLetter[] = [];
    const rejected: RejectedPost[] = [];
    for (const p of page.posts) {
      try {
        const key = keys.get(p.author);
        if (key instanceof Error) throw key;
        const opened = await openWorldLetter(p.post, (epoch) => this.#epochKey(epoch), { name: p.author, key: key! });
        // FEED-7: the Operator files a post under an epoch too; the header must say the same.
        if (opened.epoch !== p.epoch) throw new ProtocolError('WRONG_AUTHOR', 'the post is filed under another epoch');
        if (opened.letter.kind === 'event') {
          events.push(opened.letter); // EVT-7: an event in the feed is listed by events(), not as a post
          continue;
        }
        const { text, image } = opened.letter.body;
        posts.push({ id: p.id, author: p.author, text, ...(image ? { image } : {}), at: opened.letter.at, postedAt: p.postedAt, expiresAt: p.expiresAt, up: p.up ?? 0, down: p.down ?? 0 });
      } catch (err) {
        if (!ComradError.is(err) || err.code === 'TIMEOUT' || err.code === 'CONNECTION_CLOSED') throw err;
        rejected.push({ id: p.id, author: p.author, code: err.code });
      }
    }
    // CT-2: a post that fails under a pinned key is a forgery, or signed by another key the registry now
    // gives for its author; asking the registry tells which, and the latter refuses the feed (KEY_CHANGED).
    const suspects = new Set(rejected.filter((r) => r.code === 'WRONG_AUTHOR' && this.#contacts.get(this.operatorKey, r.author)).map((r) => r.author));
    for (const author of suspects) await this.lookup(author);
    return { posts, ...(events.length > 0 ? { events } : {}), rejected, ...(page.next !== undefined ? { next: page.next } : {}) };
  }

  /**
   * Publishes our profile (PROF-6, PROF-10): signed by us, sealed under today's world key, kept by the
   * Operator as our only profile until it expires (PROF-5) or we set a newer one. A photo is re-encoded
   * first, metadata stripped and bounded in bytes and pixels (PROF-13). Everything is checked before any
   * request, so a bio too long is refused with nothing sent.
   * @param input - display name, bio, photo, visibility
   * @returns the profile as signed, and when the Operator deletes it unless refreshed (ms)
   * With visibility `trusted` it is sealed under our trusted circle's current key instead (CIR-9): only the
   * comrades we trust read it.
   * @throws UsageError NOT_LOGGED_IN, NO_CIRCLE (visibility `trusted` before we trusted anyone); ProtocolError
   *   TOO_LARGE, MALFORMED (a field breaks PROF-3/PROF-4), STORAGE_FULL…
   * @example
   * ```ts
   * await comrade.setProfile({ display: 'Alice', bio: 'Tenant organiser.', photo: await readFile('me.jpg') });
   * ```
   */
  async setProfile(input: ProfileInput): Promise<{ profile: ProfileView; expiresAt: number }> {
    const me = this.#requireUnlocked();
    let photo: Image | undefined;
    if (input.photo) {
      const prepared = input.photo instanceof Uint8Array ? await prepareImage(input.photo, { maxBytes: MAX_PROFILE_PHOTO_BYTES, maxSide: MAX_PROFILE_PHOTO_SIDE }) : input.photo;
      photo = { mime: prepared.mime, data: prepared.data };
    }
    const init = { name: me.name, display: input.display, bio: input.bio ?? '', ...(photo ? { photo } : {}), visibility: input.visibility ?? 'world' };
    // PROF-2, PROF-3: every field checked before anything is sent.
    let profile = createProfile({ ...init, at: Math.floor(this.#now() / 1000) });
    // CIR-9: a profile for those we trust needs our circle's key (NO_CIRCLE before anything is sent).
    const circleKey = profile.vis === 'trusted' ? (await circle.currentKey(this.#circleHost())).key : undefined;
    const session = await this.#privateSession();
    const put = async () => {
      if (circleKey) return session.request('profileSet', { profile: sealTrustedProfile(profile, me.keys, circleKey) });
      const epoch = epochOf(this.#now());
      return session.request('profileSet', { profile: sealProfile(profile, me.keys, await this.#epochKey(epoch), epoch) });
    };
    let result;
    try {
      result = await put();
    } catch (err) {
      if (!ComradError.is(err, 'OUT_OF_ORDER')) throw err;
      // PROF-10: a profile signed in this same second (or by a clock running ahead) is held; sign one a
      // second after it, once.
      const held = await session.request('profileGet', { name: me.name });
      profile = createProfile({ ...init, at: profileHeader(held.profile).at + 1 });
      result = await put();
    }
    return { profile: viewOf(profile, result.expiresAt), expiresAt: result.expiresAt };
  }

  /**
   * Reads a comrade's profile (PROF-8, PROF-9): the latest the Operator holds, opened with the world key
   * of its epoch and verified against the key pinned for `name` (or looked up and pinned on a fresh
   * anonymous connection, CT-1) before a byte of it is decoded; an expired one is refused (PROF-5).
   * @param name - as typed
   * @returns the verified profile
   * A profile its author shows only to those they trust (CIR-9) opens with the circle keys we hold for them.
   * @throws UsageError NOT_LOGGED_IN; ProtocolError NOT_FOUND (no such comrade, or no profile), WRONG_AUTHOR
   *   (not signed by their key), KEY_CHANGED, EXPIRED, FORBIDDEN (a profile for their trusted circle, and
   *   we are not in it)…
   * @example
   * ```ts
   * const p = await comrade.profile('bob');
   * console.log(p.display, p.bio);
   * ```
   */
  async profile(name: string): Promise<ProfileView> {
    this.#requireUnlocked();
    const who = normaliseName(name);
    // PROF-11, CL-1: asked on a fresh anonymous connection with the author's lookup when not pinned, so
    // the Operator cannot tie whose profile is read to the reader's name.
    const { held, key } = await this.#oneShot(async (conn) => {
      const held = await conn.request('profileGet', { name: who });
      const pinned = this.#contacts.get(this.operatorKey, who);
      if (pinned) return { held, key: pinned.key };
      const { statement } = await conn.request('lookup', { name: who });
      const key = verifyLookup(statement, this.operatorKey, who).key;
      this.#pin(who, key, statement);
      return { held, key };
    });
    if (this.#contacts.dirty) await this.#contacts.save();
    const keys = profileHeader(held.profile).visibility === 'trusted' ? await circle.keysOf(this.#circleHost(), who) : [];
    const opened = await openProfile(held.profile, (epoch) => this.#epochKey(epoch), { name: who, key }, Math.floor(this.#now() / 1000), keys);
    return viewOf(opened.profile, held.expiresAt);
  }

  /**
   * Leaves a danger pin (PIN-2..PIN-5): the point is coarsened here to its geohash cell of about 150 m and
   * never leaves this device; the pin is paid with one unlinkable token (PIN-10, obtained first when the
   * wallet is empty) on a connection of its own that never logs in (PIN-7), and names no author. The
   * Operator cuts the lifetime to its maximum (PIN-4).
   * @param input - where (`lat`, `lon` in degrees), what (`kind`, PIN-1), an optional one-line `note` (at
   *   most 140 characters, PIN-3) and the lifetime asked for in seconds (`ttl`, 60..86 400, default 2 h)
   * @returns the pin's `id` (to confirm or deny), its `cell` and when it goes (`expiresAt`, ms)
   * @throws UsageError NOT_LOGGED_IN (no identity unlocked: tokens need one); ProtocolError MALFORMED (a
   *   coordinate out of range, a ttl out of bounds, a bad character in the note), UNSUPPORTED_KIND,
   *   TOO_LARGE (a long note) — all before anything is sent —, QUOTA_EXCEEDED (no token left, or the
   *   Operator holds its most pins)
   * @example
   * ```ts
   * const { id } = await comrade.pin({ lat: 52.5219, lon: 13.4132, kind: 'police', note: 'two vans' });
   * ```
   */
  async pin(input: { lat: number; lon: number; kind: string; note?: string; ttl?: number }): Promise<{ id: string; cell: string; expiresAt: number }> {
    this.#requireUnlocked();
    const cell = pinCell(input.lat, input.lon);
    const kind = checkPinKind(input.kind);
    const note = input.note !== undefined && input.note !== '' ? checkPinNote(input.note) : undefined;
    const ttl = input.ttl ?? DEFAULT_PIN_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < MIN_PIN_TTL_SECONDS || ttl > MAX_PIN_TTL_SECONDS) {
      throw new ProtocolError('MALFORMED', `a pin lives ${MIN_PIN_TTL_SECONDS} s to ${MAX_PIN_TTL_SECONDS / 3600} h`);
    }
    // PIN-10, TOK-10: paid with one unlinkable token, on a fresh connection that never logs in.
    const put = await this.anonymous('pinPut', { cell, kind, ...(note !== undefined ? { note } : {}), ttl });
    return { id: put.id, cell, expiresAt: put.expiresAt };
  }

  /**
   * The live pins within `radiusKm` of a point, nearest first, each with its distance, bearing, compass
   * point and age (PIN-9). The question names the 3 × 3 block of cells of at least 4.9 km around the point
   * (PIN-8), on a connection of its own that never logs in (PIN-7): the Operator learns the middle cell,
   * not the point, and not who asks.
   * @param near - the reader's point (degrees), the radius (km, at most 100), and at most how many pins to fetch
   * @returns the pins ({@link PinView}), nearest first
   * @throws ProtocolError MALFORMED (a point out of range, a radius not in (0, 100])
   * @example `for (const p of await comrade.pins({ lat: 52.52, lon: 13.40, radiusKm: 2 })) console.log(p.kind, p.distanceKm, p.compass)`
   */
  async pins(near: { lat: number; lon: number; radiusKm: number; limit?: number }): Promise<PinView[]> {
    const { cells } = coverCells(near, near.radiusKm);
    const { pins } = await this.#oneShot((conn) => conn.request('pins', { cells, ...(near.limit !== undefined ? { limit: near.limit } : {}) }));
    return placePins(pins, near, near.radiusKm, this.#now());
  }

  /**
   * Confirms or denies a pin anonymously (PIN-6), once: the vote carries this comrade's nullifier for this
   * pin, derived from the identity's key and unlinkable to it, and is paid with one token (PIN-10) on a
   * connection of its own that never logs in. A confirm lengthens the pin's life, a deny shortens it.
   * @param id - the pin's id (from {@link Comrade.pins})
   * @param vote - `confirm` or `deny`
   * @returns the pin's new expiry and counts
   * @throws UsageError NOT_LOGGED_IN (no identity unlocked); ProtocolError DUPLICATE (voted on it already),
   *   EXPIRED, NOT_FOUND
   * @example `await comrade.votePin(id, 'confirm')`
   */
  async votePin(id: string, vote: PinVote): Promise<{ expiresAt: number; confirms: number; denies: number }> {
    const me = this.#requireUnlocked();
    if (vote !== 'confirm' && vote !== 'deny') throw new TypeError("vote must be 'confirm' or 'deny'");
    const secret = pinNullifierSecret(me.keys.privateKey);
    const nullifier = pinNullifier(secret, this.operatorKey, id);
    secret.fill(0);
    return this.anonymous('pinVote', { pin: id, vote, nullifier });
  }

  /**
   * Deletes one of our posts before it expires.
   * @param id - the id {@link Comrade.post} returned (or a feed entry's `id`)
   * @returns once the Operator deleted it
   * @throws ProtocolError NOT_FOUND, FORBIDDEN (not ours)
   */
  async deletePost(id: string): Promise<void> {
    this.#requireUnlocked();
    await (await this.#privateSession()).request('delete', { postId: id });
  }

  /**
   * Posts to a channel (CHAN-4, CHAN-7): a letter of kind `post` signed by us, sealed with our registry
   * statement under the channel key, filed under the key's opaque channel id on a fresh connection that
   * never logs in (CHAN-6), with the proof of work the Operator asks of a letter. Trusted circles and
   * collectives post through this; anyone holding the key reads it with {@link Comrade.channelFeed}.
   * @param key - the channel key (a circle key, a collective key)
   * @param content - text, or `{ text, image }` (an image is re-encoded without metadata, IMG-1)
   * @param opts - `expiresInDays`: 1 to the Operator's `maxPostDays` (default 7)
   * @returns the post's id in the channel and when the Operator deletes it (ms)
   * @throws UsageError NOT_LOGGED_IN (locked), BAD_ARGUMENT; ProtocolError TOO_LARGE, QUOTA_EXCEEDED,
   *   RATE_LIMITED, STORAGE_FULL, POW_REQUIRED…
   * @example
   * ```ts
   * const key = SymmetricKey.generate();            // shared with the channel's members out of band or by letter
   * await comrade.channelPost(key, 'Meeting at 6.');
   * const { posts } = await comrade.channelFeed(key); // posts[0].author === comrade.name
   * ```
   */
  async channelPost(key: SymmetricKey, content: Content, opts: { expiresInDays?: number } = {}): Promise<{ id: string; expiresAt: number }> {
    const me = this.#requireUnlocked();
    const days = this.#postDays(opts.expiresInDays);
    const letter = createLetter({ kind: 'post', from: me.name, body: await toBody(content), at: Math.floor(this.#now() / 1000) });
    return chan.postLetter(this.#channelHost(), key, letter, { expiresInDays: days });
  }

  /**
   * Posts a letter we made (any specified kind, `from` us) to a channel, as {@link Comrade.channelPost}
   * does for text: for kinds other parts define (events, collective messages).
   * @param key - the channel key
   * @param letter - a letter from us (`createLetter({ kind, from: comrade.name, … })`)
   * @param opts - `expiresInDays` as for {@link Comrade.channelPost}; `ttl` (ms, at least 60 000) to have
   *   the Operator delete it sooner, at a moment (CHAN-7)
   * @returns the post's id in the channel and when the Operator deletes it (ms)
   * @throws UsageError NOT_LOGGED_IN, BAD_ARGUMENT (a letter from someone else); ProtocolError as channelPost
   */
  async channelPostLetter(key: SymmetricKey, letter: Letter, opts: { expiresInDays?: number; ttl?: number } = {}): Promise<{ id: string; expiresAt: number }> {
    const me = this.#requireUnlocked();
    if (letter?.from !== me.name) throw new UsageError('BAD_ARGUMENT', 'a channel post is a letter from us');
    // CIR-3: a key travels only sealed to one comrade, never to a channel's every member.
    if (letter.kind === 'circle-key') throw new UsageError('BAD_ARGUMENT', 'a circle key is never posted to a channel');
    return chan.postLetter(this.#channelHost(), key, letter, { expiresInDays: this.#postDays(opts.expiresInDays), ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}) });
  }

  /**
   * Reads a page of a channel, newest first (CHAN-8), on a fresh connection that never logs in (CHAN-6):
   * each post opened with the key and verified (CHAN-5: the author's statement inside against the pinned
   * Operator key, then the signature). Posts that fail — not sealed under this key, forged, or by a
   * contact whose pinned key differs (KEY_CHANGED) — are listed in `rejected`, never in `posts`.
   * @param key - the channel key
   * @param opts - `before` (the previous page's `next`) and `limit`
   * @returns `{ posts, rejected, next? }` ({@link chan.ChannelEntry}: `{ id, author, kind, text, image?, at,
   *   postedAt, expiresAt, letter }`)
   * @throws UsageError NOT_LOGGED_IN (locked); ProtocolError TIMEOUT…
   */
  async channelFeed(key: SymmetricKey, opts: { before?: string; limit?: number } = {}): Promise<chan.ChannelPage> {
    this.#requireUnlocked();
    return chan.readChannel(this.#channelHost(), key, opts);
  }

  /**
   * Trusts a comrade (CIR-4): they get our trusted circle's key in a sealed `circle-key` letter, so they
   * read what we post to the circle ({@link Comrade.circlePost}) and a profile we show only to those we
   * trust. The name is looked up (and pinned) first; the circle is made on the first trust. Trusting
   * someone already trusted sends them the current key again.
   * @param name - as typed
   * @returns `{ name, added, gen }`: whether they were added now, and the key generation they got
   * @throws UsageError BAD_ARGUMENT (ourselves), NOT_LOGGED_IN; ProtocolError NOT_FOUND (no such comrade:
   *   nothing kept), KEY_CHANGED…
   * @example `await comrade.trust('bob')`
   */
  async trust(name: string): Promise<{ name: string; added: boolean; gen: number }> {
    return circle.trust(this.#circleHost(), name);
  }

  /**
   * Untrusts a comrade (CIR-5): a new circle key is made, our trusted profile is sealed again under it
   * (PROF-14), and it is sent to everyone still trusted; the one untrusted keeps only the old keys, so they
   * cannot read anything posted or shown from now on.
   * @param name - as typed
   * @returns `{ name, gen, profile, sentTo, unreached }`: the new key generation, what became of our
   *   profile (`profile.status` `resealed`, `none`, or `failed` with a `code`: then set it again), who got
   *   the key, and whom a letter did not reach (send it again with {@link Comrade.trust})
   * @throws UsageError NOT_TRUSTED (not in the circle: nothing changes), NOT_LOGGED_IN
   * @example `const { unreached } = await comrade.untrust('mallory')`
   */
  async untrust(name: string): Promise<{ name: string; gen: number; profile: circle.ProfileReseal; sentTo: string[]; unreached: circle.Unreached[] }> {
    return circle.untrust(this.#circleHost(), name);
  }

  /**
   * Whom we trust and the circles we are in, from the home alone (no request).
   * @returns `{ trusted, gen?, trustedBy }`: the names we trust, our circle key's generation, and for each
   *   comrade who trusts us the generation of their key we hold
   */
  async trusted(): Promise<{ trusted: string[]; gen?: number; trustedBy: { owner: string; gen: number }[] }> {
    return circle.circles(this.#circleHost());
  }

  /**
   * Posts to our trusted circle (CIR-7): a channel post under the circle's current key, readable by the
   * comrades we trust now and no one else; expires like a world post.
   * @param content - text, or `{ text, image }` (re-encoded without metadata, IMG-1)
   * @param opts - `expiresInDays` (default 7)
   * @returns the post's id in the circle's channel, when it expires (ms) and the key generation
   * @throws UsageError NO_CIRCLE (we never trusted anyone), BAD_ARGUMENT; ProtocolError as {@link Comrade.channelPost}
   * @example `await comrade.circlePost('Meeting moved to my place.')`
   */
  async circlePost(content: Content, opts: { expiresInDays?: number } = {}): Promise<{ id: string; expiresAt: number; gen: number }> {
    const { key, gen } = await circle.currentKey(this.#circleHost());
    return { ...(await this.channelPost(key, content, opts)), gen };
  }

  /**
   * Posts a letter we made (any kind but `circle-key`, `from` us) to our trusted circle, under its current
   * key (CIR-7): for kinds other parts define, such as an event for those we trust.
   * @param letter - a letter from us
   * @param opts - `expiresInDays` (default 7), `ttl` as {@link Comrade.channelPostLetter}
   * @returns as {@link Comrade.circlePost}
   * @throws UsageError NO_CIRCLE, BAD_ARGUMENT; ProtocolError as {@link Comrade.channelPost}
   */
  async circlePostLetter(letter: Letter, opts: { expiresInDays?: number; ttl?: number } = {}): Promise<{ id: string; expiresAt: number; gen: number }> {
    const { key, gen } = await circle.currentKey(this.#circleHost());
    return { ...(await this.channelPostLetter(key, letter, opts)), gen };
  }

  /**
   * The posts of every trusted circle whose key we hold — ours, and those of everyone who trusts us —
   * newest first, each verified (CIR-8, CHAN-5); each key's channel is read on its own connection.
   * @param opts - `limit`: at most this many posts per channel and in all
   * @returns `{ posts, rejected }`, each post with `circle` (whose circle) and `gen`
   */
  async circleFeed(opts: { limit?: number } = {}): Promise<{ posts: circle.CircleEntry[]; rejected: (chan.RejectedChannelPost & { circle: string })[] }> {
    const feed = await circle.circleFeed(this.#circleHost(), opts.limit);
    // So that a vote on a post shown names no more than its id (16-votes, Clients).
    await this.#shown!.remember(this.operatorKey, feed.posts.map((p) => ({ id: p.id, expiresAt: p.expiresAt, source: { via: 'circle' as const, owner: p.circle, gen: p.gen } })), this.#now());
    return feed;
  }

  /** What the circle code needs of this Comrade. */
  #circleHost(): circle.CircleHost {
    const me = this.#requireUnlocked();
    return {
      me,
      operatorKey: this.operatorKey,
      store: this.#circles!,
      now: () => this.#now(),
      maxPostDays: () => this.#info.limits.maxPostDays,
      know: async (name) => {
        if (!this.#contacts.get(this.operatorKey, name)) await this.lookup(name);
      },
      sendKey: async (to, body) => {
        await this.#sendLetter(to, { kind: 'circle-key', body });
      },
      readChannel: (key, limit) => this.channelFeed(key, limit !== undefined ? { limit } : {}),
      resealProfile: (key) => this.#resealProfile(key),
    };
  }

  /**
   * PROF-14: our trusted profile as the Operator holds it, opened with our own circle keys, signed again
   * (its `at` moved past the held one, PROF-10) and sealed under `key`. The fields are those already
   * shown, so nothing is asked of the person; a world profile is left alone.
   */
  async #resealProfile(key: SymmetricKey): Promise<'resealed' | 'none'> {
    const me = this.#requireUnlocked();
    const session = await this.#privateSession();
    const held = await session.request('profileGet', { name: me.name }).catch((err: unknown) => {
      if (ComradError.is(err, 'NOT_FOUND')) return undefined;
      throw err;
    });
    if (!held || profileHeader(held.profile).visibility !== 'trusted') return 'none';
    const now = Math.floor(this.#now() / 1000);
    const { profile: old } = await openProfile(held.profile, (epoch) => this.#epochKey(epoch), { name: me.name, key: me.publicKey }, now, await circle.keysOf(this.#circleHost(), me.name));
    const profile = createProfile({ name: me.name, display: old.display, bio: old.bio, ...(old.photo ? { photo: old.photo } : {}), visibility: 'trusted', at: Math.max(now, old.at + 1) });
    await session.request('profileSet', { profile: sealTrustedProfile(profile, me.keys, key) });
    return 'resealed';
  }

  /** FEED-4, CHAN-7: a post's lifetime in days, 1 to the Operator's maximum (default 7). */
  #postDays(asked: number | undefined): number {
    const days = asked ?? Math.min(DEFAULT_POST_DAYS, this.#info.limits.maxPostDays);
    if (!Number.isInteger(days) || days < 1 || days > this.#info.limits.maxPostDays) {
      throw new UsageError('BAD_ARGUMENT', `a post lives 1 to ${this.#info.limits.maxPostDays} days on this Operator`);
    }
    return days;
  }

  /** What the channel code needs of this Comrade (CHAN-6: every channel op on a fresh connection). */
  #channelHost(): chan.ChannelHost {
    const me = this.#requireUnlocked();
    return {
      me,
      operatorKey: this.operatorKey,
      statement: () => this.#ownStatement(me),
      oneShot: (use) => this.#oneShot(use),
      powBits: (conn) => this.#powBits(conn, 'send'),
      pinned: (name) => this.#contacts.get(this.operatorKey, name)?.key,
    };
  }

  /**
   * Obtains this period's budget of unlinkable tokens (TOK-3, TOK-9) and keeps them sealed in the home
   * (TOK-12). The issuer key is asked for on a fresh connection that does not name us; only the blinded
   * requests travel on the logged-in session, and each signature is checked against that key. Obtain
   * tokens at another moment than you spend them: the Operator sees both (TOK-12).
   * @param want - how many (default: the whole budget)
   * @returns `{ obtained, held, left }`: obtained now, unspent held now, left of the budget
   * @throws UsageError NOT_LOGGED_IN; ProtocolError QUOTA_EXCEEDED (budget spent), TOKEN_EXPIRED (the key
   *   changed meanwhile: call again)
   * @example
   * ```ts
   * const { held } = await comrade.obtainTokens(); // e.g. at login, hours before voting
   * ```
   */
  async obtainTokens(want?: number): Promise<tok.ObtainedTokens> {
    this.#requireUnlocked();
    return tok.obtainTokens(this.#tokenHost(), want);
  }

  /**
   * How many unspent tokens for this Operator the home holds (no request).
   * @returns the count of tokens whose issuer key is still accepted
   */
  async tokenCount(): Promise<number> {
    this.#requireUnlocked();
    return this.#wallet!.count(this.operatorKey, this.#now());
  }

  /**
   * Asks whether the Operator answers now, on a fresh connection that never logs in (through Tor, a
   * circuit of its own) and greets with the pinned key (OPS-2): what a status screen shows as reachability.
   * @returns ms from opening the connection to the Operator's `info` answer
   * @throws ProtocolError TIMEOUT, CONNECTION_CLOSED, KEY_CHANGED
   * @example
   * ```ts
   * console.log(`the Operator answered in ${await comrade.ping()} ms`);
   * ```
   */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.#oneShot((conn) => conn.request('info', {}));
    return Date.now() - started;
  }

  /**
   * Performs an anonymous action paid with one unlinkable token (TOK-10): `op` with `params` and a
   * `token` from the wallet, on a fresh connection that never logs in (through Tor, a circuit of its
   * own), closed right after. Nothing in the request names us; the token proves only that some comrade
   * obtained it. When the wallet is empty the budget is obtained first (see {@link obtainTokens}). A
   * refused action leaves its token unspent on the Operator (TOK-7), and the token goes back to the wallet,
   * spent only once no token that was never shown is left (TOK-12); one burned (`TOKEN_SPENT`, success) or
   * worthless (`TOKEN_EXPIRED`, `TOKEN_INVALID`) does not.
   * @param op - an op whose parameters take a `token` (`send`, `vote`, `chanVote`, and the anonymous ops of other
   *   documents: pins, events)
   * @param params - the op's parameters without `token`
   * @returns the op's result
   * @throws UsageError NOT_LOGGED_IN; ProtocolError QUOTA_EXCEEDED (no token left), and the op's own refusals
   * @example
   * ```ts
   * await comrade.anonymous('vote', { post: id, voter, choice: 'up' });
   * ```
   */
  async anonymous<O extends Op>(op: O, params: Omit<Params<O>, 'token'>): Promise<Result<O>> {
    this.#requireUnlocked();
    return tok.payWithToken(this.#tokenHost(), (conn, token) => conn.request(op, { ...params, token } as unknown as Params<O>));
  }

  /**
   * Votes on a post anonymously (VOTE-1..VOTE-4): `up`, `down`, or `none` to withdraw, paid with one
   * token on a fresh connection that never logs in. The Operator learns a per-post value derived from a
   * secret only this identity holds, so it keeps one vote per comrade per post without learning who; a
   * change of mind costs another token. Voting the same way twice is `DUPLICATE`. A trusted or collective
   * post this home has shown ({@link Comrade.circleFeed}, {@link Comrade.collectiveFeed}) is voted on in
   * its channel ({@link Comrade.voteChannelPost}, VOTE-7); any other id as a world post.
   * @param postId - the post's id (as the feed lists it)
   * @param choice - `up`, `down` or `none`
   * @returns the post's tally after the vote
   * @throws UsageError NOT_LOGGED_IN, BAD_ARGUMENT; ProtocolError NOT_FOUND (no such live world post, and
   *   no such post shown by this home: the message says to show it first),
   *   DUPLICATE (already voted that way; `none` without a vote), QUOTA_EXCEEDED (no token left)
   * @example
   * ```ts
   * const { up, down } = await comrade.votePost(page.posts[0].id, 'up');
   * ```
   */
  async votePost(postId: string, choice: VoteChoice): Promise<Tally> {
    const me = this.#requireUnlocked();
    if (!(VOTE_CHOICES as readonly string[]).includes(choice)) throw new UsageError('BAD_ARGUMENT', 'a vote is up, down or none');
    // 16-votes, Clients: a trusted or collective post this home has shown is voted on in its channel.
    const source = await this.#shown!.find(this.operatorKey, postId, this.#now());
    if (source) return this.voteChannelPost(await this.#keyOfSource(source), postId, choice);
    const secret = voteSecret(me.keys.privateKey);
    try {
      const voter = voteVoter(secret, this.operatorKey, postId);
      return await this.anonymous('vote', { post: postId, voter, choice });
    } catch (err) {
      if (!ComradError.is(err, 'NOT_FOUND')) throw err;
      throw new ProtocolError(
        'NOT_FOUND',
        `no live world post has the id ${postId}, and this home has shown no trusted or collective post with it: show the post first (comrad feed, or comrad collective feed NAME), then vote`,
      );
    } finally {
      secret.fill(0);
    }
  }

  /**
   * Votes on a post of a channel anonymously (VOTE-7..VOTE-9): as {@link Comrade.votePost}, with the
   * channel's posting capability, which shows the Operator that the voter holds the key — so only those who
   * can read the channel vote — and not which holder. The `voter` value is derived from this identity's
   * vote secret, the channel and the post (VOTE-8): one vote per comrade per post.
   * @param key - the channel key the post was read with (a circle key, a collective's channel key)
   * @param postId - the post's id in that channel (as {@link Comrade.channelFeed} lists it)
   * @param choice - `up`, `down` or `none`
   * @returns the post's tally after the vote
   * @throws UsageError NOT_LOGGED_IN, BAD_ARGUMENT; ProtocolError NOT_FOUND (no such live post in this
   *   channel: nothing changed, the token unspent), DUPLICATE (already voted that way), QUOTA_EXCEEDED (no token left)
   * @example
   * ```ts
   * const { posts } = await comrade.channelFeed(key);
   * const { up, down } = await comrade.voteChannelPost(key, posts[0].id, 'up');
   * ```
   */
  async voteChannelPost(key: SymmetricKey, postId: string, choice: VoteChoice): Promise<Tally> {
    const me = this.#requireUnlocked();
    if (!(VOTE_CHOICES as readonly string[]).includes(choice)) throw new UsageError('BAD_ARGUMENT', 'a vote is up, down or none');
    const { id, cap } = deriveChannel(key);
    const secret = voteSecret(me.keys.privateKey);
    try {
      const voter = chanVoteVoter(secret, this.operatorKey, id, postId);
      return await this.anonymous('chanVote', { cap, post: postId, voter, choice });
    } finally {
      secret.fill(0);
    }
  }

  /** The channel key of a post shown earlier: its circle generation's, or its collective's (COL-34). */
  async #keyOfSource(source: PostSource): Promise<SymmetricKey> {
    if (source.via === 'collective') return channelKey(await col.keysFor(this.#collectiveHost(), source.name));
    const key = await circle.keyOf(this.#circleHost(), source.owner, source.gen);
    if (!key) throw new ProtocolError('NOT_FOUND', `this home no longer holds the key of @${source.owner}'s circle that post was read with`);
    return key;
  }

  #tokenHost(): tok.TokenHost {
    return {
      operatorKey: this.operatorKey,
      wallet: this.#wallet!,
      now: () => this.#now(),
      privateSession: () => this.#privateSession(),
      oneShot: (use) => this.#oneShot(use),
      loggedIn: () => this.#private !== undefined,
      logOut: () => this.#logOut(),
    };
  }

  /** Closes the logged-in session, if one is open (the next op that needs it opens it again). */
  async #logOut(): Promise<void> {
    const session = this.#private;
    this.#private = undefined;
    await session?.then((s) => s.close(), () => undefined);
  }
  /**
   * Closes every connection and forgets the unlocked key; call it when done (a bot: on SIGTERM).
   * @returns once every connection is closed
   */
  async close(): Promise<void> {
    // CT-4: evidence of a key change recorded anywhere (a send, an inbox) is kept, whatever failed after.
    if (this.#contacts.dirty) await this.#contacts.save();
    const priv = this.#private?.then(
      (s) => s.close(),
      () => undefined,
    );
    this.#private = undefined;
    await Promise.all([this.#public.close(), priv]);
    this.#me?.wipe();
    this.#me = undefined;
    this.#mail?.wipe();
    this.#mail = undefined;
    this.#home?.wipe();
    this.#home = undefined;
    this.#statements?.wipe();
    this.#keyring?.wipe();
    this.#events?.wipe();
    this.#wallet?.wipe();
    this.#wallet = undefined;
    this.#shown?.wipe();
    this.#shown = undefined;
    this.#circles?.wipe();
    this.#circles = undefined;
    this.#statements = undefined;
    for (const k of this.#epochKeys.values()) k.wipe();
    this.#epochKeys.clear();
  }

  #unlocked(me: Keymaker): void {
    this.#me?.wipe();
    this.#mail?.wipe();
    this.#statements?.wipe();
    this.#keyring?.wipe();
    this.#events?.wipe();
    this.#wallet?.wipe();
    this.#shown?.wipe();
    this.#circles?.wipe();
    this.#me = me;
    this.#shown = new ShownPosts(this.#paths, me.keys.privateKey);
    this.#wallet = new TokenWallet(this.#paths, me.keys.privateKey);
    this.#mail = new MailStore(this.#paths, MailStore.keyFor(me.keys.privateKey));
    this.#statements = new OwnStatements(this.#paths, me.keys.privateKey);
    this.#keyring = new CollectiveKeyring(this.#paths, me.keys.privateKey);
    this.#events = new EventBook(this.#paths, me.keys.privateKey);
    this.#circles = new CircleStore(this.#paths, me.keys.privateKey);
  }

  /**
   * The authenticated session, opened on first use (CL-1): only ops that act as us open it, so a
   * process that only sends never authenticates. A failed attempt is forgotten, so the next op retries.
   */
  #privateSession(): Promise<Session> {
    const me = this.#requireUnlocked();
    this.#private ??= this.#openPrivate(me).catch((err: unknown) => {
      this.#private = undefined;
      throw err;
    });
    return this.#private;
  }

  async #openPrivate(me: Keymaker): Promise<Session> {
    const operatorKey = this.operatorKey;
    const auth = async (conn: OperatorConnection) => {
      const at = this.#now();
      const sig = makeAuthProof(me.keys.privateKey, { challenge: conn.hello.challenge, operatorKey, name: me.name, at });
      await conn.request('auth', { name: me.name, at, sig });
    };
    const session = await Session.open({ ...connectionOptions(this.#opts, this.#entry.url), operatorKey, onConnect: auth });
    try {
      // CL-3: a home made before letters carried statements fetches ours once, here: asking about our
      // own name on the connection that is logged in as us tells the Operator nothing new.
      if (!(await this.#statements!.get(operatorKey))) {
        const { statement } = await session.request('lookup', { name: me.name });
        verifyStatement(statement, operatorKey, { name: me.name, key: me.publicKey });
        await this.#statements!.put(operatorKey, statement);
      }
    } catch (err) {
      await session.close();
      throw err;
    }
    this.#forward(session, true);
    return session;
  }

  /**
   * The unlocked home, unlocking it with `passphrase` when `connect` had none: pins made meanwhile (kept in
   * memory) move into its sealed books, checked against the pins already there (CT-2, OPS-2).
   */
  async #unlockHome(passphrase: string): Promise<SealedHome> {
    if (this.#home) return this.#home;
    const home = await SealedHome.unlock(this.#paths.root, passphrase);
    try {
      const contacts = await home.contacts();
      let added = false;
      for (const c of this.#contacts.list(this.operatorKey)) added = contacts.check(this.operatorKey, c.name, c.key, c.pinnedAt).status === 'new' || added;
      if (added) await contacts.save();
      if (this.#pinLater !== undefined) {
        const ops = await home.operators();
        if (ops.check(this.#pinLater, this.operatorKey) === 'new') await ops.save();
      }
      this.#contacts = contacts;
      this.#pinLater = undefined;
      this.#home = home;
      return home;
    } catch (err) {
      home.wipe();
      throw err;
    }
  }

  /**
   * Our own registry statement, for the letters we send (SEAL-1): from the home, else (a home from before
   * statements, once) through the private session — never a lookup of our own name on an anonymous
   * connection right before a send, which would name the sender of that send (CL-3).
   */
  async #ownStatement(me: Keymaker): Promise<Uint8Array> {
    let statement = await this.#statements!.get(this.operatorKey);
    if (!statement) {
      await this.#privateSession();
      statement = await this.#statements!.get(this.operatorKey);
    }
    if (!statement) throw new ProtocolError('NOT_FOUND', 'the Operator gave no statement about our own name');
    // Checked like any statement: a home moved to another Operator must not send letters that fail.
    verifyStatement(statement, this.operatorKey, { name: me.name, key: me.publicKey });
    return statement;
  }

  /**
   * The key of `name` as the registry states it, verified against the Operator key (REG-4), and the
   * statement; asked on a fresh anonymous connection of its own (CL-1), never beside a logged-in one.
   */
  async #registryStatement(name: string): Promise<{ key: PublicKey; statement: Uint8Array }> {
    return this.#oneShot(async (conn) => {
      const { statement } = await conn.request('lookup', { name });
      return { key: verifyLookup(statement, this.operatorKey, name).key, statement };
    });
  }

  /**
   * The keys of feed authors: pinned ones as pinned; the others looked up together on one fresh
   * anonymous connection and pinned (CT-1). A failure for one author (NOT_FOUND, KEY_CHANGED) is that
   * author's error, not the page's.
   */
  async #authorKeys(names: string[]): Promise<Map<string, PublicKey | Error>> {
    const out = new Map<string, PublicKey | Error>();
    const unknown: string[] = [];
    for (const n of names) {
      const pinned = this.#contacts.get(this.operatorKey, n);
      if (pinned) out.set(n, pinned.key);
      else unknown.push(n);
    }
    if (unknown.length === 0) return out;
    await this.#oneShot(async (conn) => {
      for (const n of unknown) {
        try {
          const { statement } = await conn.request('lookup', { name: n });
          const key = verifyLookup(statement, this.operatorKey, n).key;
          this.#pin(n, key, statement);
          out.set(n, key);
        } catch (err) {
          if (!ComradError.is(err) || err.code === 'TIMEOUT' || err.code === 'CONNECTION_CLOSED') throw err;
          out.set(n, err);
        }
      }
    });
    if (this.#contacts.dirty) await this.#contacts.save();
    return out;
  }

  /** The world key of an epoch (FEED-2), fetched once per epoch and kept in memory only. */
  async #epochKey(epoch: number): Promise<SymmetricKey> {
    const cached = this.#epochKeys.get(epoch);
    if (cached) return cached;
    const me = this.#requireUnlocked();
    const result = await (await this.#privateSession()).request('worldKey', { epoch });
    if (result.epoch !== epoch) throw new ProtocolError('MALFORMED', 'the Operator sent the key of another epoch');
    const key = SymmetricKey.from(decryptFrom(me.keys.privateKey, this.#info.worldKey, result.sealed));
    this.#epochKeys.set(epoch, key);
    return key;
  }

  /**
   * The proof-of-work difficulty for `op` (REG-6, MB-9). When the Operator asks for work, `info` is asked
   * again on `conn` first: it gives the current difficulty, and an answered request keeps the connection
   * past the handshake deadline (LIMIT-7) however long the solving takes.
   */
  async #powBits(conn: OperatorConnection, op: 'register' | 'send'): Promise<number> {
    if (this.#info.pow[op] === 0) return 0;
    const bits = (await conn.request('info', {})).pow[op];
    if (bits > 0) this.#opts.onWork?.({ op, bits });
    return bits;
  }

  async #oneShot<T>(use: (conn: OperatorConnection) => Promise<T>): Promise<T> {
    const conn = await OperatorConnection.open({ ...connectionOptions(this.#opts, this.#entry.url), operatorKey: this.operatorKey, isolation: randomIsolation() });
    try {
      return await use(conn);
    } finally {
      await conn.closed();
    }
  }

  #requireUnlocked(): Keymaker {
    if (!this.#me) throw new UsageError('NOT_LOGGED_IN', 'unlock the keystore first (the passphrase in connect, or login)');
    return this.#me;
  }

  /**
   * Surfaces a session's events. `disconnect`/`reconnect` are about the logged-in session once there is
   * one (the public session reconnects quietly). After the logged-in session comes back, `mail` fires
   * too: pushes are not queued (MB-6), so mail may have arrived while it was away.
   */
  #forward(session: Session, isPrivate = false): void {
    const mine = () => isPrivate || this.#private === undefined;
    if (isPrivate) session.on('mail', () => this.emit('mail'));
    session.on('disconnect', () => mine() && this.emit('disconnect'));
    session.on('reconnect', () => {
      if (!mine()) return;
      this.emit('reconnect');
      if (isPrivate) this.emit('mail');
    });
    // A session that stopped for good fails its requests; the error is reported there.
    session.on('error', () => {});
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }
}

function connectionOptions(opts: ComradeOptions, url: string): ConnectionOptions {
  return {
    url,
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
    ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
    ...(opts.insecure ? { insecure: true } : {}),
  };
}

function viewOf(p: ReturnType<typeof createProfile>, expiresAt: number): ProfileView {
  return { name: p.name, display: p.display, bio: p.bio, ...(p.photo ? { photo: p.photo } : {}), visibility: p.vis, at: p.at, validUntil: p.at + PROFILE_TTL_SECONDS, expiresAt };
}

async function toBody(content: Content): Promise<TextBody> {
  const c = typeof content === 'string' ? { text: content } : content;
  const text = c.text ?? '';
  if (!c.image) return { text };
  const image = c.image instanceof Uint8Array ? await prepareImage(c.image) : c.image;
  return { text, image: { mime: image.mime, data: image.data } };
}

/** A book kept in memory only, while the home is locked (nothing of it reaches the disk unsealed). */
function memoryStore(): JsonStore {
  let value: unknown;
  return {
    path: '(memory)',
    read: async () => (value === undefined ? undefined : structuredClone(value)),
    write: async (v) => {
      value = structuredClone(v);
    },
  };
}
