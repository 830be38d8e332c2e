/**
 * A comrad client in a web page, on `@comrad/core` alone: register, send and read letters, post to and
 * read the world feed. Every connection is core's client session over the browser's WebSocket
 * (BRW-1); all crypto is Web Crypto (CRY-18); the identity is kept sealed in IndexedDB (BRW-6). As in
 * the reference client, sending never logs in and each register, send and lookup has a connection of its
 * own (CL-1).
 */
import { decryptFromAsync, KeyPair, Keymaker, ProtocolError, SymmetricKey, type PublicKey } from '@comrad/core';
import { ClientSession, webSocketOf } from '@comrad/core/client';
import { createLetter, decodeKeystore, encodeKeystore, normaliseName, openPost, openSealedLetter, sealLetterAsync, sealPostAsync } from '@comrad/core';
import {
  epochOf,
  makeAuthProofAsync,
  makeRegisterProofAsync,
  registerPowInput,
  sendPowInput,
  solvePowAsync,
  verifyLookupAsync,
  withClientHello,
  type InfoResult,
} from '@comrad/core/wire';
import { getKeystore, putKeystore } from './keystore-db.js';

/** A letter as the page shows it: verified, with its sender. */
export interface ShownLetter {
  from: string;
  text: string;
  at: number;
}

/** One person's page session with one Operator. */
export class PageComrade {
  #me: Keymaker | undefined;
  #statement: Uint8Array | undefined;
  #private: ClientSession | undefined;
  readonly #epochKeys = new Map<number, SymmetricKey>();

  private constructor(
    readonly url: string,
    readonly info: InfoResult,
  ) {}

  /** Connects once to read `info`; `operatorKey` is the pinned key (pinned now when absent). */
  static async connect(url: string, operatorKey?: PublicKey): Promise<PageComrade> {
    const session = await openSession(url, operatorKey);
    try {
      return new PageComrade(url, await session.request('info', {}));
    } finally {
      session.close();
    }
  }

  get operatorKey(): PublicKey {
    return this.info.operatorKey;
  }

  get name(): string | undefined {
    return this.#me?.name;
  }

  /** Registers a fresh identity and keeps it sealed under `passphrase` in IndexedDB (BRW-6). */
  async register(name: string, passphrase: string): Promise<{ name: string; fingerprint: string }> {
    const me = await Keymaker.generateAsync(normaliseName(name));
    const proof = await makeRegisterProofAsync(me.keys.privateKey, me.name, me.publicKey, this.operatorKey);
    const { statement } = await this.#oneShot(async (s) => {
      const bits = this.info.pow.register;
      const pow = bits > 0 ? await solvePowAsync((n) => registerPowInput(s.hello.challenge, me.name, me.publicKey, n), bits) : undefined;
      return s.request('register', { name: me.name, key: me.publicKey, proof, ...(pow ? { pow } : {}) });
    });
    await verifyLookupAsync(statement, this.operatorKey, { name: me.name, key: me.publicKey });
    await putKeystore(this.#keyId(me.name), { keystore: await encodeKeystore(me, passphrase), statement });
    this.#me = me;
    this.#statement = statement;
    return { name: me.name, fingerprint: me.fingerprint() };
  }

  /** Opens the identity kept in IndexedDB with its passphrase (KS-3: WRONG_PASSPHRASE, CORRUPT_KEYSTORE). */
  async unlock(name: string, passphrase: string): Promise<void> {
    const kept = await getKeystore(this.#keyId(normaliseName(name)));
    if (!kept) throw new ProtocolError('NOT_FOUND', 'no identity of that name is kept in this browser');
    this.#me = await decodeKeystore(kept.keystore, passphrase);
    this.#statement = kept.statement;
  }

  /** Forgets the unlocked identity (the sealed keystore stays in IndexedDB). */
  lock(): void {
    this.#private?.close();
    this.#private = undefined;
    this.#me?.wipe();
    this.#me = undefined;
  }

  /** Sends a letter: sealed sender, no login, a connection of its own (MB-1, SEAL-2, CL-1). */
  async send(to: string, text: string): Promise<void> {
    const me = this.#unlocked();
    const recipient = normaliseName(to);
    const letter = createLetter({ kind: 'dm', from: me.name, to: recipient, body: { text } });
    await this.#oneShot(async (s) => {
      const { statement } = await s.request('lookup', { name: recipient });
      const { key } = await verifyLookupAsync(statement, this.operatorKey, recipient);
      const sealed = await sealLetterAsync(letter, me.keys, key, this.#statement!);
      const bits = this.info.pow.send;
      const pow = bits > 0 ? await solvePowAsync((n) => sendPowInput(s.hello.challenge, recipient, sealed, n), bits) : undefined;
      await s.request('send', { to: recipient, letter: sealed, ...(pow ? { pow } : {}) });
    });
  }

  /** Fetches, verifies (SEAL-5) and acknowledges the waiting letters. */
  async inbox(): Promise<ShownLetter[]> {
    const me = this.#unlocked();
    const session = await this.#session();
    const { items } = await session.request('fetch', {});
    const shown: ShownLetter[] = [];
    for (const item of items) {
      const { letter } = await openSealedLetter(item.letter, me, this.operatorKey);
      if (letter.kind === 'dm') shown.push({ from: letter.from, text: letter.body.text, at: letter.at });
    }
    // MB-3: this page keeps nothing, so it acknowledges what it has shown.
    if (items.length > 0) await session.request('ack', { ids: items.map((i) => i.id) });
    return shown;
  }

  /** Posts to the world feed for a day (FEED-4). */
  async post(text: string): Promise<{ id: string }> {
    const me = this.#unlocked();
    const epoch = epochOf(Date.now());
    const letter = createLetter({ kind: 'post', from: me.name, body: { text } });
    const sealed = await sealPostAsync(letter, me.keys, await this.#epochKey(epoch), epoch);
    return (await this.#session()).request('post', { post: sealed, expiresInDays: 1 });
  }

  /** The newest posts of the world feed, each verified against its author's registered key (POST-3). */
  async feed(): Promise<Array<{ author: string; text: string }>> {
    const page = await (await this.#session()).request('feed', { limit: 20 });
    const out = [];
    for (const p of page.posts) {
      // Authors are looked up on a connection of their own (CL-1), never on the logged-in one.
      const key = await this.#oneShot(async (s) => (await verifyLookupAsync((await s.request('lookup', { name: p.author })).statement, this.operatorKey, p.author)).key);
      const { letter } = await openPost(p.post, (e) => this.#epochKey(e), { name: p.author, key });
      // An event in the feed (EVT-7) is not a post with text: this page shows posts only.
      if (letter.kind === 'post') out.push({ author: letter.from, text: letter.body.text });
    }
    return out;
  }

  #keyId(name: string): string {
    return `${this.operatorKey.fingerprint()}/${name}`;
  }

  #unlocked(): Keymaker {
    if (!this.#me) throw new ProtocolError('UNAUTHENTICATED', 'unlock or register an identity first');
    return this.#me;
  }

  /** The logged-in session (AUTH-2), opened when first needed. */
  async #session(): Promise<ClientSession> {
    if (this.#private?.isOpen) return this.#private;
    const me = this.#unlocked();
    const session = await openSession(this.url, this.operatorKey);
    const at = Date.now();
    const sig = await makeAuthProofAsync(me.keys.privateKey, { challenge: session.hello.challenge, operatorKey: this.operatorKey, name: me.name, at });
    await session.request('auth', { name: me.name, at, sig });
    return (this.#private = session);
  }

  /** The world key of an epoch (FEED-2), sealed to us by the world account. */
  async #epochKey(epoch: number): Promise<SymmetricKey> {
    const known = this.#epochKeys.get(epoch);
    if (known) return known;
    const { sealed } = await (await this.#session()).request('worldKey', { epoch });
    const key = SymmetricKey.from(await decryptFromAsync(this.#unlocked().keys.privateKey, this.info.worldKey, sealed));
    this.#epochKeys.set(epoch, key);
    return key;
  }

  async #oneShot<T>(use: (s: ClientSession) => Promise<T>): Promise<T> {
    const session = await openSession(this.url, this.operatorKey);
    try {
      return await use(session);
    } finally {
      session.close();
    }
  }
}

/** A greeted session on a fresh WebSocket, with a fresh key in its client hello (AUTH-7). */
async function openSession(url: string, operatorKey?: PublicKey): Promise<ClientSession> {
  const ephemeral = await KeyPair.generateAsync();
  const ws = new WebSocket(withClientHello(new URL(url), ephemeral.publicKey));
  return ClientSession.open(webSocketOf(ws), { ephemeral, ...(operatorKey ? { operatorKey } : {}), timeoutMs: 60_000 });
}
