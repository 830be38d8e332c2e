/**
 * What `comrad app` does on the page's behalf: one home, one {@link Comrade}, kept in this Node process.
 * The page sends the passphrase once (to create or unlock the home); from then on it only ever receives
 * names, fingerprints, texts and images — never a key, never the passphrase (APP: the interface holds no
 * secret). Every action reuses the `Comrade` API, as the CLI does.
 * @module
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { ComradError, toHex } from '@comrad/core';
import { normaliseName, RSVP_ANSWERS, type RsvpAnswer } from '@comrad/core/envelope';
import { VOTE_CHOICES, type VoteChoice } from '@comrad/core/wire';
import { Comrade, type ComradeOptions, type FeedEntry } from '../comrade/comrade.js';
import { startCrypto } from '../crypto-ready.js';
import { UsageError } from '../errors.js';
import { SealedHome } from '../home/sealed-home.js';
import type { Contact } from '../store/contacts.js';
import type { StoredLetter } from '../store/mail-store.js';
import { OperatorConnection } from '../transport/connection.js';
import { checkOperatorUrl } from '../transport/proxy.js';
import { estimateStrength, MIN_PASSPHRASE_SCORE, requireStrong } from '../cli/strength.js';
import { LOST_PASSPHRASE } from '../cli/context.js';
import { pinMapSvg } from '../map/pin-map.js';
import { PIN_KINDS } from '@comrad/core/pins';
import { arr, imageOf, nearOf, num, optStr, str, type Input } from './input.js';
import { ROUTE_GROUPS, type RouteContext } from './routes/index.js';
import { Outbox } from './outbox.js';
import { AppTransport } from './transport.js';
import type { TileSource } from './tiles.js';
import { TorError } from '@comrad/core/node';

/** Where the person is in the first run, then `ready`. */
export type Phase = 'new' | 'locked' | 'operator' | 'register' | 'ready';

/** A live update for the page (server-sent events). */
export interface LiveEvent {
  /** `letters`, `posts`, `status`, or a route group's own kind. */
  readonly type: string;
  readonly data: unknown;
}

/** How the app reaches the Operator: as the CLI's global options say. */
export interface AppSessionOptions {
  readonly home: string;
  /** `--operator NAME`. */
  readonly operator?: string;
  /** `socks5h://` proxy (Tor) for every connection (or `transport`, which may still be starting its tor). */
  readonly proxy?: string;
  /** The way to the Operator, watched for the Status screen; default: `proxy`, or direct. */
  readonly transport?: AppTransport;
  /** Map tiles (`--tiles`), fetched through the transport's proxy; none by default. */
  readonly tiles?: TileSource;
  readonly connection?: Pick<ComradeOptions, 'requestTimeoutMs' | 'connectTimeoutMs' | 'insecure' | 'onRetry'>;
  /** How often the world feed is read for new posts while the app is open (ms). */
  readonly feedPollMs?: number;
}

export type { Input } from './input.js';

/** Images handed to the page by an unguessable id, never inline: bounded, oldest dropped first. */
const MAX_BLOBS = 500;
const IMAGE_MIMES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * The app's state and its local API, route by route. One per `comrad app` process.
 */
export class AppSession extends EventEmitter<{ live: [LiveEvent] }> {
  readonly #opts: AppSessionOptions;
  #comrade: Comrade | undefined;
  /** Kept only between unlocking and connecting: `Comrade.connect` needs it (it unlocks the identity). */
  #passphrase: string | undefined;
  #connectError: { code: string; message: string } | undefined;
  #connected = false;
  #lastContact = 0;
  /** Letters sent from this app since it started: the home stores received letters only. */
  readonly #sent: Array<{ id: string; to: string; at: number; text: string; order: number }> = [];
  /** Letters being sent, and those the network failed (to send again from the Status screen). */
  readonly #outbox = new Outbox<{ to: string; text: string; image?: Uint8Array }>();
  readonly #transport: AppTransport;
  /** Letters the Operator holds for us over a key change (CT-2), as of the last inbox. */
  #held = 0;
  readonly #blobs = new Map<string, { mime: string; data: Uint8Array }>();
  readonly #seenPosts = new Set<string>();
  #poll: NodeJS.Timeout | undefined;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(opts: AppSessionOptions) {
    super();
    this.#opts = opts;
    this.#transport = opts.transport ?? new AppTransport({ proxy: opts.proxy });
    this.#transport.on('change', () => this.emit('live', { type: 'status', data: {} }));
  }

  /** The routes, by `METHOD /path`: what the server dispatches to. */
  readonly routes: Record<string, (input: Input) => Promise<unknown>> = withGroups(
    {
      'GET /api/state': () => this.state(),
      'POST /api/strength': (i) => this.#strength(i),
      'POST /api/create': (i) => this.#create(i),
      'POST /api/unlock': (i) => this.#unlock(i),
      'POST /api/operator/probe': (i) => this.#probe(i),
      'POST /api/operator/choose': (i) => this.#choose(i),
      'POST /api/register': (i) => this.#register(i),
      'GET /api/letters': () => this.#letters(),
      'POST /api/inbox': () => this.#inbox(),
      'POST /api/send': (i) => this.#send(i),
      'POST /api/letters/seen': (i) => this.#markSeen(i),
      'GET /api/contacts': () => this.#contacts(),
      'POST /api/lookup': (i) => this.#lookup(i),
      'POST /api/accept-key': (i) => this.#acceptKey(i),
      'GET /api/feed': (i) => this.#feed(i),
      'POST /api/post': (i) => this.#post(i),
      'POST /api/post/vote': (i) => this.#votePost(i),
      'GET /api/events': () => this.#events(),
      'POST /api/event': (i) => this.#createEvent(i),
      'POST /api/event/invite': (i) => this.#inviteToEvent(i),
      'POST /api/event/rsvp': (i) => this.#rsvp(i),
      'GET /api/pins': (i) => this.#pins(i),
      'POST /api/pin': (i) => this.#pin(i),
      'POST /api/pin/vote': (i) => this.#votePin(i),
    },
    {
      ready: () => this.#ready(),
      serial: (run) => this.#serial(run),
      touch: () => this.#touch(),
      blobUrl: (image) => this.#blobUrl(image),
      live: (type, data) => this.emit('live', { type, data }),
      health: () => ({
        comrade: this.#comrade,
        connected: this.#comrade !== undefined && this.#connected,
        ...(this.#lastContact ? { lastContactAt: this.#lastContact } : {}),
        ...(this.#connectError ? { connectError: this.#connectError } : {}),
        sentThisSession: this.#sent.length,
        heldLetters: this.#held,
        outbox: this.#outbox.view(),
        transport: this.#transport,
      }),
      resend: (id) => this.#resend(id),
      forget: (id) => this.#outbox.forget(id),
      tiles: () => this.#opts.tiles,
    },
  );

  /**
   * A map tile for `/api/tiles/Z/X/Y`, through the proxy (or from memory).
   * @throws UsageError BAD_ARGUMENT when there is no tile source
   */
  tile(z: number, x: number, y: number): Promise<{ type: string; data: Buffer }> {
    if (!this.#opts.tiles) return Promise.reject(new UsageError('BAD_ARGUMENT', 'no tile source: start the app with --tiles URL_TEMPLATE'));
    return this.#opts.tiles.tile(z, x, y);
  }

  /** An image handed out earlier by id (`/api/blob/ID`), or undefined. */
  blob(id: string): { mime: string; data: Uint8Array } | undefined {
    return this.#blobs.get(id);
  }

  /** The map of pins as an SVG document (drawn here: nothing fetched), for `/api/pins/map.svg`. */
  async pinMap(i: Input): Promise<string> {
    const near = nearOf(i);
    const pins = await this.#ready().pins(near);
    // Over tiles the drawing has no background of its own, so the map shows through.
    return pinMapSvg({ centre: near, radiusKm: near.radiusKm, pins, at: Date.now(), ...(i['over'] === 'tiles' ? { transparent: true } : {}) });
  }

  /** What the page shows first: the phase, and who and where when known. */
  async state(): Promise<unknown> {
    const c = this.#comrade;
    let phase: Phase;
    if (c) phase = c.identity ? 'ready' : 'register';
    else if (this.#passphrase !== undefined) phase = 'operator';
    else phase = (await SealedHome.state(this.#opts.home)).newPassphrase ? 'new' : 'locked';
    return {
      phase,
      home: this.#opts.home,
      lostPassphrase: LOST_PASSPHRASE,
      ...(c?.identity ? { me: { name: c.identity.name, fingerprint: c.identity.fingerprint } } : {}),
      ...(c ? { operator: { fingerprint: c.operatorKey.fingerprint() } } : {}),
      ...(this.#connectError ? { connectError: this.#connectError } : {}),
      ...(phase === 'operator' ? { operators: await this.#knownOperators() } : {}),
    };
  }

  /** Closes the Operator connections and forgets the passphrase. */
  async close(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#passphrase = undefined;
    await this.#comrade?.close();
    this.#comrade = undefined;
  }

  async #strength(i: Input): Promise<unknown> {
    const s = await estimateStrength(str(i, 'passphrase', 1024), optStr(i, 'name', 64) ? [optStr(i, 'name', 64)!] : []);
    return { score: s.score, strongEnough: s.score >= MIN_PASSPHRASE_SCORE, guessesLog10: s.guessesLog10, warning: s.warning ?? '', suggestions: s.suggestions };
  }

  /** A new home, sealed under a new passphrase (CLI-5: refused when weak unless `weak`). */
  async #create(i: Input): Promise<unknown> {
    await startCrypto();
    const passphrase = str(i, 'passphrase', 1024);
    if (!(await SealedHome.state(this.#opts.home)).newPassphrase) throw new UsageError('BAD_ARGUMENT', 'this home exists already: unlock it');
    await requireStrong(passphrase, { weak: i['weak'] === true });
    const home = await SealedHome.unlock(this.#opts.home, passphrase);
    try {
      await (await home.operators()).save();
    } finally {
      home.wipe();
    }
    this.#passphrase = passphrase;
    return this.state();
  }

  /** Unlocks the home, then connects to its Operator; a failure to connect leaves the choice of Operator open. */
  async #unlock(i: Input): Promise<unknown> {
    await startCrypto();
    const passphrase = str(i, 'passphrase', 1024);
    // WRONG_PASSPHRASE before any connection: a typo costs nothing.
    (await SealedHome.unlock(this.#opts.home, passphrase)).wipe();
    this.#passphrase = passphrase;
    await this.#connect(this.#opts.operator);
    return this.state();
  }

  /** Asks an Operator for its key, to show its fingerprint before the person chooses it (OPS-2). */
  async #probe(i: Input): Promise<unknown> {
    const url = str(i, 'url', 512);
    const proxy = await this.#transport.proxy();
    checkOperatorUrl(url, proxy, this.#opts.connection?.insecure === true);
    const conn = await OperatorConnection.open({ url, ...(proxy ? { proxy } : {}), ...this.#opts.connection });
    try {
      const key = (await conn.request('info', {})).operatorKey;
      return { url, fingerprint: key.fingerprint() };
    } finally {
      await conn.closed();
    }
  }

  /**
   * Chooses the Operator: pinned to the key whose fingerprint the person saw (OPS-2: an Operator that
   * presents another key when we connect is refused), made the default, then connected.
   */
  async #choose(i: Input): Promise<unknown> {
    const passphrase = this.#needPassphrase();
    const url = str(i, 'url', 512);
    const fingerprint = str(i, 'fingerprint', 64);
    const name = optStr(i, 'name', 32) ?? 'default';
    const probed = (await this.#probe({ url })) as { fingerprint: string };
    if (probed.fingerprint !== fingerprint) throw new ComradError('KEY_CHANGED', `the Operator at ${url} now presents key ${probed.fingerprint}, not the one shown: not chosen`);
    const home = await SealedHome.unlock(this.#opts.home, passphrase);
    try {
      const book = await home.operators();
      const proxy = await this.#transport.proxy();
      const conn = await OperatorConnection.open({ url, ...(proxy ? { proxy } : {}), ...this.#opts.connection });
      let key;
      try {
        key = (await conn.request('info', {})).operatorKey;
      } finally {
        await conn.closed();
      }
      if (key.fingerprint() !== fingerprint) throw new ComradError('KEY_CHANGED', 'the Operator changed its key while being chosen: not chosen');
      const existing = book.list().find((e) => e.name === name);
      if (existing?.key && !existing.key.equals(key)) book.check(name, key); // OPS-2: throws KEY_CHANGED
      book.set({ name, url, key });
      book.use(name);
      await book.save();
    } finally {
      home.wipe();
    }
    await this.#connect(name);
    if (!this.#comrade) throw new ComradError('CONNECTION_CLOSED', this.#connectError?.message ?? 'could not connect');
    return this.state();
  }

  async #register(i: Input): Promise<unknown> {
    const c = this.#comradeOrThrow();
    const name = str(i, 'name', 64);
    await c.register(name);
    this.#afterReady();
    return this.state();
  }

  async #letters(): Promise<unknown> {
    const c = this.#ready();
    const letters = await c.letters();
    return { me: c.identity!.name, letters: letters.map((l) => this.#letterJson(l)), sent: this.#sent };
  }

  /** Fetches new mail (verified and stored by `Comrade.inbox`); tells the page what came. */
  async #inbox(): Promise<unknown> {
    const c = this.#ready();
    const report = await this.#serial(() => c.inbox({ keepUnseen: true }));
    this.#touch();
    const received = report.received.map((l) => this.#letterJson(l));
    const out = { received, rejected: report.rejected.length, held: report.held.map((h) => ({ from: h.claimedFrom })), circleKeys: report.circleKeys };
    this.#held = report.held.length;
    // A circle key (CIR-6) changes what the trusted feed shows: the screens reload as for a letter.
    if (received.length > 0 || report.held.length > 0 || report.circleKeys.length > 0) this.emit('live', { type: 'letters', data: out });
    return out;
  }

  async #send(i: Input): Promise<unknown> {
    const c = this.#ready();
    const to = normaliseName(str(i, 'to', 64));
    const text = optStr(i, 'text', 100_000) ?? '';
    const image = imageOf(i);
    if (text.trim() === '' && !image) throw new UsageError('EMPTY_TEXT', 'the letter is empty: write something');
    return this.#outbox.send(to, text, { to, text, ...(image ? { image } : {}) }, (l) => this.#sendNow(c, l));
  }

  /** Sends an unsent letter of the outbox again: a new letter (the first may have arrived after all). */
  async #resend(id: string): Promise<unknown> {
    const c = this.#ready();
    const unsent = this.#outbox.unsent(id);
    if (!unsent) throw new UsageError('BAD_ARGUMENT', 'no such unsent letter (sent or forgotten already)');
    return this.#outbox.send(unsent.to, unsent.preview, unsent.content, (l) => this.#sendNow(c, l), id);
  }

  async #sendNow(c: Comrade, l: { to: string; text: string; image?: Uint8Array }) {
    const { id } = await c.send(l.to, l.image ? { text: l.text, image: l.image } : l.text);
    this.#touch();
    const sent = { id, to: l.to, at: Math.floor(Date.now() / 1000), text: l.text, order: Date.now() };
    this.#sent.push(sent);
    return sent;
  }

  async #markSeen(i: Input): Promise<unknown> {
    const c = this.#ready();
    const ids = new Set(arr(i, 'ids', 1000).map(String));
    const letters = (await c.letters()).filter((l) => ids.has(l.id));
    await c.markSeen(letters);
    return { seen: letters.length };
  }

  #contacts(): Promise<unknown> {
    const c = this.#ready();
    return Promise.resolve({ contacts: c.contacts().map(contactJson) });
  }

  /** Looks a comrade up, pinning their key on first contact; a changed key is KEY_CHANGED with the evidence. */
  async #lookup(i: Input): Promise<unknown> {
    const c = this.#ready();
    const name = normaliseName(str(i, 'name', 64));
    try {
      const contact = await c.lookup(name);
      this.#touch();
      return { ...contactJson(contact), status: contact.status };
    } catch (err) {
      const pinned = ComradError.is(err, 'KEY_CHANGED') ? c.contacts().find((k) => k.name === name) : undefined;
      if (pinned) throw new AppError(err as ComradError, { contact: contactJson(pinned) });
      throw err;
    }
  }

  /** CT-3: a changed key is accepted only with its full new fingerprint, as confirmed in person. */
  async #acceptKey(i: Input): Promise<unknown> {
    const c = this.#ready();
    const { contact } = await c.acceptKeyChange(str(i, 'name', 64), str(i, 'fingerprint', 64));
    return contactJson(contact);
  }

  async #feed(i: Input): Promise<unknown> {
    const c = this.#ready();
    const before = optStr(i, 'before', 128);
    const page = await this.#serial(() => c.feed({ ...(before ? { before } : {}), limit: 30 }));
    this.#touch();
    for (const p of page.posts) this.#seenPosts.add(p.id);
    return { posts: page.posts.map((p) => this.#postJson(p)), rejected: page.rejected, ...(page.next ? { next: page.next } : {}) };
  }

  async #post(i: Input): Promise<unknown> {
    const c = this.#ready();
    const text = optStr(i, 'text', 100_000) ?? '';
    const image = imageOf(i);
    if (text.trim() === '' && !image) throw new UsageError('EMPTY_TEXT', 'the post is empty: write something');
    const days = i['expiresInDays'];
    if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365)) throw new UsageError('BAD_ARGUMENT', 'expiresInDays is a whole number of days');
    const to = optStr(i, 'to', 16) ?? 'world';
    if (to !== 'world' && to !== 'trusted') throw new UsageError('BAD_ARGUMENT', 'to is world or trusted');
    const opts = { ...(typeof days === 'number' ? { expiresInDays: days } : {}) };
    // CIR-7: to our trusted circle, under its current key (NO_CIRCLE before we trust anyone).
    const res = to === 'trusted' ? { to, ...(await c.circlePost({ text, ...(image ? { image } : {}) }, opts)) } : { to, ...(await c.post(text, { ...(image ? { image } : {}), ...opts })) };
    this.#touch();
    return res;
  }

  /** An anonymous vote on a world post (VOTE-*): the Operator counts it, and cannot tell whose it is. */
  async #votePost(i: Input): Promise<unknown> {
    const choice = str(i, 'choice', 8);
    if (!(VOTE_CHOICES as readonly string[]).includes(choice)) throw new UsageError('BAD_ARGUMENT', `choice is one of ${VOTE_CHOICES.join(', ')}`);
    const tally = await this.#ready().votePost(str(i, 'id', 128), choice as VoteChoice);
    this.#touch();
    return tally;
  }

  async #events(): Promise<unknown> {
    const events = await this.#serial(() => this.#ready().events());
    this.#touch();
    return { events };
  }

  async #createEvent(i: Input): Promise<unknown> {
    const start = Math.floor(num(i, 'start'));
    const hours = i['hours'] === undefined ? 2 : num(i, 'hours');
    if (hours <= 0 || hours > 24 * 14) throw new UsageError('BAD_ARGUMENT', 'hours is between 0 and two weeks');
    const to = optStr(i, 'to', 16) ?? 'invited';
    if (to !== 'invited' && to !== 'world') throw new UsageError('BAD_ARGUMENT', 'to is invited or world');
    const note = optStr(i, 'note', 1000);
    const view = await this.#ready().createEvent({
      title: str(i, 'title', 200),
      start,
      end: start + Math.round(hours * 3600),
      where: str(i, 'where', 200),
      ...(note ? { note } : {}),
      to,
      ...(i['anonymous'] === true ? { anonymous: true } : {}),
    });
    this.#touch();
    return view;
  }

  async #inviteToEvent(i: Input): Promise<unknown> {
    const names = arr(i, 'names', 100).map((n) => normaliseName(String(n)));
    const res = await this.#ready().inviteToEvent(str(i, 'id', 64), names);
    this.#touch();
    return res;
  }

  async #rsvp(i: Input): Promise<unknown> {
    const answer = str(i, 'answer', 8);
    if (!(RSVP_ANSWERS as readonly string[]).includes(answer)) throw new UsageError('BAD_ARGUMENT', `answer is one of ${RSVP_ANSWERS.join(', ')}`);
    const res = await this.#ready().rsvp(str(i, 'id', 64), answer as RsvpAnswer);
    this.#touch();
    return res;
  }

  async #pins(i: Input): Promise<unknown> {
    const near = nearOf(i);
    const pins = await this.#ready().pins(near);
    this.#touch();
    return { pins: pins.map((p) => ({ id: p.id, kind: p.kind, note: p.note, lat: p.lat, lon: p.lon, distanceKm: p.distanceKm, bearing: p.bearing, ageMs: p.ageMs, expiresAt: p.expiresAt, confirms: p.confirms, denies: p.denies })) };
  }

  async #pin(i: Input): Promise<unknown> {
    const lat = num(i, 'lat');
    const lon = num(i, 'lon');
    const kind = str(i, 'kind', 16);
    if (!(PIN_KINDS as readonly string[]).includes(kind)) throw new UsageError('BAD_ARGUMENT', `kind is one of ${PIN_KINDS.join(', ')}`);
    const note = optStr(i, 'note', 200);
    const res = await this.#ready().pin({ lat, lon, kind, ...(note ? { note } : {}) });
    this.#touch();
    return res;
  }

  async #votePin(i: Input): Promise<unknown> {
    const vote = str(i, 'vote', 8);
    if (vote !== 'confirm' && vote !== 'deny') throw new UsageError('BAD_ARGUMENT', 'vote is confirm or deny');
    const res = await this.#ready().votePin(str(i, 'id', 128), vote);
    this.#touch();
    return res;
  }

  async #connect(operator: string | undefined): Promise<void> {
    const passphrase = this.#needPassphrase();
    try {
      // With our own tor, this waits for its bootstrap (the page shows it meanwhile).
      const proxy = await this.#transport.proxy();
      const c = await Comrade.connect({
        home: this.#opts.home,
        passphrase,
        ...(operator ? { operator } : {}),
        ...(proxy ? { proxy } : {}),
        ...this.#opts.connection,
      });
      this.#comrade = c;
      this.#connected = true;
      this.#connectError = undefined;
      // The Comrade keeps what it needs; this copy is dropped.
      this.#passphrase = undefined;
      this.#touch();
      c.on('disconnect', () => {
        this.#connected = false;
        this.emit('live', { type: 'status', data: { connected: false } });
      });
      c.on('reconnect', () => {
        this.#connected = true;
        this.emit('live', { type: 'status', data: { connected: true } });
      });
      c.on('mail', () => void this.#inbox().catch(() => undefined));
      if (c.identity) this.#afterReady();
    } catch (err) {
      if (ComradError.is(err, 'WRONG_PASSPHRASE')) throw err;
      this.#connectError = errorJson(err);
    }
  }

  /** Logged in and listening: the inbox now (mail pushes come on the logged-in session), the feed polled. */
  #afterReady(): void {
    void this.#inbox().catch(() => undefined);
    const every = this.#opts.feedPollMs ?? 30_000;
    this.#poll ??= setInterval(() => void this.#pollFeed().catch(() => undefined), every);
    this.#poll.unref();
  }

  async #pollFeed(): Promise<void> {
    const c = this.#comrade;
    if (!c?.identity) return;
    const page = await this.#serial(() => c.feed({ limit: 30 }));
    this.#touch();
    const fresh = page.posts.filter((p) => !this.#seenPosts.has(p.id));
    for (const p of fresh) this.#seenPosts.add(p.id);
    if (fresh.length > 0) this.emit('live', { type: 'posts', data: { posts: fresh.map((p) => this.#postJson(p)) } });
  }

  /** One network action on the logged-in session at a time: a poll never races the person's own request. */
  #serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#busy.then(run, run);
    this.#busy = next.catch(() => undefined);
    return next;
  }

  #touch(): void {
    this.#lastContact = Date.now();
  }

  #letterJson(l: StoredLetter) {
    // Signed times are whole seconds: a quick answer ties with its letter; arrival here orders them.
    return { id: l.id, from: l.from, to: l.to, at: l.at, order: l.receivedAt, text: l.text, ...(l.kind ? { kind: l.kind } : {}), fingerprint: l.authorFingerprint, ...(l.image ? { image: this.#blobUrl(l.image) } : {}) };
  }

  #postJson(p: FeedEntry) {
    return { id: p.id, author: p.author, text: p.text, at: p.at, expiresAt: p.expiresAt, ...(p.image ? { image: this.#blobUrl(p.image) } : {}) };
  }

  #blobUrl(image: { mime: string; data: Uint8Array }): string | undefined {
    if (!IMAGE_MIMES.has(image.mime)) return undefined;
    const id = toHex(randomBytes(16));
    this.#blobs.set(id, image);
    if (this.#blobs.size > MAX_BLOBS) this.#blobs.delete(this.#blobs.keys().next().value!);
    return `/api/blob/${id}`;
  }

  async #knownOperators() {
    const passphrase = this.#passphrase;
    if (passphrase === undefined) return [];
    const home = await SealedHome.unlock(this.#opts.home, passphrase);
    try {
      const book = await home.operators();
      return book.list().map((e) => ({ name: e.name, url: e.url, ...(e.key ? { fingerprint: e.key.fingerprint() } : {}), default: e.name === book.defaultName }));
    } finally {
      home.wipe();
    }
  }

  #needPassphrase(): string {
    if (this.#passphrase === undefined) throw new UsageError('NOT_LOGGED_IN', 'unlock the home first');
    return this.#passphrase;
  }

  #comradeOrThrow(): Comrade {
    if (!this.#comrade) throw new UsageError('NOT_LOGGED_IN', 'unlock the home and choose an Operator first');
    return this.#comrade;
  }

  #ready(): Comrade {
    const c = this.#comradeOrThrow();
    if (!c.identity) throw new UsageError('NO_KEYSTORE', 'register a name first');
    return c;
  }
}

/** An error with details the page needs (the evidence of a key change). */
export class AppError extends Error {
  constructor(
    readonly error: ComradError,
    readonly details: Record<string, unknown>,
  ) {
    super(error.message);
  }
}

/** Usage errors whose client message tells a CLI user what to type, said as the app's step instead. */
const APP_WORDING: Partial<Record<UsageError['code'], string>> = {
  NO_CIRCLE: 'you have no trusted circle yet: trust someone first (in the Trusted tab)',
};

/** A thrown error as the page sees it: a closed code and one line, never a stack. */
export function errorJson(err: unknown): { code: string; message: string; details?: Record<string, unknown> } {
  if (err instanceof AppError) return { code: err.error.code, message: err.error.message, details: err.details };
  // The client's own wording names CLI commands; in the app the same step is a tab.
  if (err instanceof UsageError && err.code in APP_WORDING) return { code: err.code, message: APP_WORDING[err.code]! };
  if (ComradError.is(err) || err instanceof UsageError || err instanceof TorError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: 'something went wrong in the app (see the terminal running comrad app with --debug)' };
}

function contactJson(c: Contact) {
  return {
    name: c.name,
    fingerprint: c.key.fingerprint(),
    changes: c.changes.map((ch) => ({ pinned: ch.pinnedKey.fingerprint(), offered: ch.offeredKey.fingerprint(), seenAt: ch.seenAt, ...(ch.acceptedAt !== undefined ? { acceptedAt: ch.acceptedAt } : {}) })),
  };
}

/** The core routes and those of every group in `routes/`, refusing a path claimed twice. */
function withGroups(core: Record<string, (input: Input) => Promise<unknown>>, ctx: RouteContext): Record<string, (input: Input) => Promise<unknown>> {
  const out = { ...core };
  for (const group of ROUTE_GROUPS) {
    for (const [key, route] of Object.entries(group(ctx))) {
      if (key in out) throw new Error(`app route ${key} is defined twice`);
      out[key] = route;
    }
  }
  return out;
}
