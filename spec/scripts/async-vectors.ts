/**
 * The vectors of `spec/vectors/` checked through core's asynchronous API only (CRY-18), so they run on
 * every crypto backend, `webcrypto` included, in Node (spec/test/vectors-async.test.ts) and in a browser
 * (test/browser: this file is bundled into a page). No Node API here: the vector files come in as data.
 * @module
 */
import { ComradError, fromHex, KeyPair, PrivateKey, PublicKey, signAsync, SymmetricKey, toHex, utf8, verifyAsync } from '@comrad/core';
import { decodeLetter, encodeLetter, openPost, openSealedLetter, openSignedAsync, pad, postEpoch, unpad } from '@comrad/core/envelope';
import { decodeHomeKey, decodeKeystore, Keymaker } from '@comrad/core/keymaker';
import { acceptGreetingAsync, Channel, channelContext, decodeGreeting, decodeRequest, decodeServerFrame, encodeRequest, readClientHello } from '@comrad/core/wire';
import { bytesOf, letterFromJson, letterToJson, type LetterJson, type VectorBytes } from './vector-format.js';

/** The vector files this runner reads, as parsed JSON (`{ valid, invalid }` each). */
export const ASYNC_VECTOR_FILES = ['letters', 'signed', 'padding', 'sealed', 'posts', 'keys', 'keystore', 'home-key', 'handshake'] as const;

/** The parsed vector files, by name without `.json`. */
export type VectorSet = Record<(typeof ASYNC_VECTOR_FILES)[number], { valid: any[]; invalid: any[] }>;

/** What a run found: how many vectors were checked, and one line per failure. */
export interface VectorReport {
  checked: number;
  failures: string[];
}

interface KeyPairJson {
  privateKey: string;
  publicKey: string;
}

/**
 * Checks every vector of `set` under the active crypto backend, through the asynchronous API: a valid
 * vector must give exactly the expected values, an invalid one exactly its error code.
 * @param set - the vector files
 * @param only - run only the files named (default all)
 */
export async function checkVectorsAsync(set: VectorSet, only: readonly string[] = ASYNC_VECTOR_FILES): Promise<VectorReport> {
  const report: VectorReport = { checked: 0, failures: [] };
  const run = async (file: string, name: string, check: () => Promise<void> | void) => {
    if (!only.includes(file)) return;
    report.checked++;
    try {
      await check();
    } catch (err) {
      report.failures.push(`${file}: ${name}: ${err instanceof ComradError ? `${err.code} ${err.message}` : String((err as Error)?.message ?? err)}`);
    }
  };
  const invalid = (file: string, v: { name: string; error: string }, fn: () => unknown) =>
    run(file, v.name, async () => {
      const code = await codeOf(fn);
      if (code !== v.error) throw new Error(`expected ${v.error}, got ${code}`);
    });
  const keyPairOf = (k: KeyPairJson) => new KeyPair(PrivateKey.from(fromHex(k.privateKey)), PublicKey.from(fromHex(k.publicKey)));
  const recipientOf = (r: { name: string; privateKey: string; publicKey: string }) => new Keymaker(r.name, keyPairOf(r));
  const registry = (table: Record<string, string>) => (name: string) => {
    const key = table[name];
    if (key === undefined) throw new ComradError('NOT_FOUND', 'no such name');
    return PublicKey.from(fromHex(key));
  };
  const epochKeys = (table: Record<string, string>) => (epoch: number) => {
    const key = table[String(epoch)];
    if (key === undefined) throw new ComradError('NOT_FOUND', 'no key for this epoch');
    return SymmetricKey.from(fromHex(key));
  };

  for (const v of set.letters.valid) {
    await run('letters', v.name, () => {
      equal(letterToJson(decodeLetter(fromHex(v.hex))), v.letter);
      equal(toHex(encodeLetter(letterFromJson(v.letter as LetterJson))), v.hex);
    });
  }
  for (const v of set.letters.invalid) await invalid('letters', v, () => decodeLetter(bytesOf(v.hex as VectorBytes)));

  for (const v of set.signed.valid) {
    await run('signed', v.name, async () => {
      const opened = await openSignedAsync(fromHex(v.signed), PublicKey.from(fromHex(v.authorKey)));
      equal(letterToJson(opened.letter), v.letter);
      equal(opened.author, v.letter.from);
    });
  }
  for (const v of set.signed.invalid) await invalid('signed', v, () => openSignedAsync(bytesOf(v.signed), PublicKey.from(fromHex(v.authorKey))));

  for (const v of set.padding.valid) {
    await run('padding', v.name, () => {
      equal(toHex(pad(fromHex(v.content))), v.padded);
      equal(toHex(unpad(fromHex(v.padded))), v.content);
    });
  }
  for (const v of set.padding.invalid) await invalid('padding', v, () => unpad(fromHex(v.padded)));

  for (const v of set.sealed.valid) {
    await run('sealed', v.name, async () => {
      const opened = await openSealedLetter(fromHex(v.sealed), recipientOf(v.recipient), PublicKey.from(fromHex(v.operatorKey)));
      equal(letterToJson(opened.letter), v.letter);
      equal(opened.letter.from, v.author);
      equal(opened.authorKey.toHex(), v.authorKey);
      equal(toHex(opened.statement), v.statement);
      equal(toHex(opened.signed), v.signed);
    });
  }
  for (const v of set.sealed.invalid) await invalid('sealed', v, () => openSealedLetter(bytesOf(v.sealed), recipientOf(v.recipient), PublicKey.from(fromHex(v.operatorKey))));

  for (const v of set.posts.valid) {
    await run('posts', v.name, async () => {
      equal(postEpoch(fromHex(v.post)), v.epoch);
      const opened = await openPost(fromHex(v.post), epochKeys(v.epochKeys), { name: v.author, key: registry(v.registry)(v.author) });
      equal(letterToJson(opened.letter), v.letter);
      equal(opened.epoch, v.epoch);
    });
  }
  for (const v of set.posts.invalid) await invalid('posts', v, () => openPost(bytesOf(v.post), epochKeys(v.epochKeys), { name: v.author, key: registry(v.registry)(v.author) }));

  for (const v of set.keys.valid) {
    await run('keys', v.name, async () => {
      const pub = PublicKey.from(fromHex(v.publicKey));
      if (v.canonical !== undefined) equal(pub.toHex(), v.canonical);
      if (v.fingerprint !== undefined) equal(pub.fingerprint(), v.fingerprint);
      if (v.privateKey !== undefined) {
        const message = utf8('vector');
        equal(toHex(await verifyAsync(pub, await signAsync(PrivateKey.from(fromHex(v.privateKey)), message))), toHex(message));
      }
    });
  }
  for (const v of set.keys.invalid) {
    const from = { public: PublicKey.from, private: PrivateKey.from, symmetric: SymmetricKey.from }[v.kind as 'public' | 'private' | 'symmetric'];
    await invalid('keys', v, () => from(fromHex(v.key)));
  }

  for (const v of set.keystore.valid) {
    await run('keystore', v.name, async () => {
      const keymaker = await decodeKeystore(fromHex(v.keystore), v.passphrase);
      equal(keymaker.name, v.keymaker.name);
      equal(keymaker.publicKey.toHex(), v.keymaker.publicKey);
    });
  }
  for (const v of set.keystore.invalid) await invalid('keystore', v, () => decodeKeystore(bytesOf(v.keystore), v.passphrase));

  for (const v of set['home-key'].valid) {
    await run('home-key', v.name, async () => equal(toHex((await decodeHomeKey(fromHex(v.homeKey), v.passphrase)).bytes()), v.key));
  }
  for (const v of set['home-key'].invalid) await invalid('home-key', v, () => decodeHomeKey(bytesOf(v.homeKey), v.passphrase));

  for (const v of set.handshake.valid) {
    await run('handshake', v.name, async () => {
      const client = keyPairOf(v.clientKey);
      equal(readClientHello(v.clientHello).equals(client.publicKey), true);
      const { hello, channel } = await acceptGreetingAsync(decodeGreeting(fromHex(v.greeting)), PublicKey.from(fromHex(v.operatorKey)), client);
      equal(toHex(hello.challenge), v.challenge);
      equal(hello.worldKey.toHex(), v.worldKey);
      const operator = new Channel(SymmetricKey.from(fromHex(v.sessionKey)), 'operator');
      for (const f of v.frames) {
        equal(toHex(channelContext(f.to === 'operator' ? 1 : 2, f.n)), f.context);
        const opened = f.to === 'operator' ? await operator.openAsync(fromHex(f.sealed)) : await channel.openAsync(fromHex(f.sealed));
        equal(toHex(opened), f.plain);
        if (f.to === 'operator') {
          const req = decodeRequest(opened);
          equal(toHex(encodeRequest(req.id, req.op, req.params as never)), f.plain);
        } else decodeServerFrame(opened);
      }
    });
  }
  for (const v of set.handshake.invalid) {
    if (v.kind === 'clientHello') await invalid('handshake', v, () => readClientHello(v.url));
    else if (v.kind === 'greeting') await invalid('handshake', v, () => acceptGreetingAsync(decodeGreeting(fromHex(v.greeting)), PublicKey.from(fromHex(v.operatorKey)), keyPairOf(v.clientKey)));
    else {
      await invalid('handshake', v, async () => {
        const ch = new Channel(SymmetricKey.from(fromHex(v.sessionKey)), v.to);
        const frames = v.frames as string[];
        for (const f of frames.slice(0, -1)) await ch.openAsync(fromHex(f));
        await ch.openAsync(fromHex(frames[frames.length - 1]!));
      });
    }
  }
  return report;
}

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ComradError) return err.code;
    throw err;
  }
  return 'ok';
}

/** Deep equality of JSON-like values, with the two values in the message when they differ. */
function equal(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`expected ${e.slice(0, 200)}, got ${a.slice(0, 200)}`);
}
