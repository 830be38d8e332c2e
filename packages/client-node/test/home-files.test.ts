/**
 * The home directory and its small files: permissions (HOME-2), atomic sealed JSON (HOME-3, HOME-5), pinning rules
 * (CT-1, CT-2, OPS-2), mail at rest (MAIL-1, MAIL-2) and refusing damaged files.
 */
import { describe, expect, it } from 'vitest';
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComradError, KeyPair, SymmetricKey, cellSeal, utf8 } from '@comrad/core';
import { startCrypto } from '../src/crypto-ready.js';
import { defaultHome, ensureHome } from '../src/home/home.js';
import { ContactBook } from '../src/store/contacts.js';
import { sealedJsonFile } from '../src/store/json-file.js';
import { DEFAULT_OPERATOR, OperatorBook } from '../src/store/operators.js';
import { MailStore, type StoredLetter } from '../src/store/mail-store.js';
import { UsageError } from '../src/errors.js';
import { tempHome } from '@comrad/test-kit/client-node/operator';

describe('home (HOME-1, HOME-2)', () => {
  it('HOME-1 COMRAD_HOME overrides ~/.comrad', () => {
    expect(defaultHome({ COMRAD_HOME: '/tmp/x' })).toBe('/tmp/x');
    expect(defaultHome({ HOME: '/home/someone' })).toMatch(/\.comrad$/);
  });

  it('HOME-2 creates the home and its folders 0700 and tightens an existing home', async () => {
    const { dir } = await tempHome();
    const home = join(dir, 'h');
    await mkdir(home, { mode: 0o755 });
    await chmod(home, 0o755);
    const paths = await ensureHome(home);
    for (const d of [paths.root, paths.mail, paths.rejected]) expect((await stat(d)).mode & 0o777).toBe(0o700);
  });

  it('HOME-2 refuses a home that is a symbolic link', async () => {
    const { dir } = await tempHome();
    await mkdir(join(dir, 'real'));
    await symlink(join(dir, 'real'), join(dir, 'link'));
    const err = await ensureHome(join(dir, 'link')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
  });
});

describe('contacts (CT-1, CT-2)', () => {
  it('CT-1 pins on first sight, saves 0600, and reloads the same pin', async () => {
    await startCrypto();
    const { dir } = await tempHome();
    const path = join(dir, 'contacts.sealed');
    const key = SymmetricKey.generate();
    const op = KeyPair.generate().publicKey;
    const bob = KeyPair.generate().publicKey;
    const book = await ContactBook.load(sealedJsonFile(path, key, 'contacts'));
    expect(book.check(op, 'bob', bob, 1).status).toBe('new');
    await book.save();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    // HOME-5: sealed, and padded: the file shows neither the name nor the key, nor how many there are.
    const bytes = await readFile(path);
    expect(bytes.includes(Buffer.from('bob'))).toBe(false);
    expect(bytes.includes(Buffer.from(bob.toHex()))).toBe(false);
    expect(bytes.length).toBe(4096 + 44); // padded JSON + the cell's 44-byte token (CRY-3)
    const again = await ContactBook.load(sealedJsonFile(path, key, 'contacts'));
    expect(again.check(op, 'bob', bob, 2).status).toBe('same');
    expect(again.get(op, 'bob')?.pinnedAt).toBe(1);
    // Names are per Operator: another Operator's "bob" is someone else.
    expect(again.check(KeyPair.generate().publicKey, 'bob', KeyPair.generate().publicKey, 3).status).toBe('new');
  });

  it('CT-2 a different key for a pinned name throws KEY_CHANGED and leaves the pin alone', async () => {
    await startCrypto();
    const { dir } = await tempHome();
    const op = KeyPair.generate().publicKey;
    const bob = KeyPair.generate().publicKey;
    const book = await ContactBook.load(sealedJsonFile(join(dir, 'contacts.sealed'), SymmetricKey.generate(), 'contacts'));
    book.check(op, 'bob', bob, 1);
    expect(() => book.check(op, 'bob', KeyPair.generate().publicKey, 2)).toThrow(expect.objectContaining({ code: 'KEY_CHANGED' }));
    expect(book.get(op, 'bob')?.key.equals(bob)).toBe(true);
  });

  it('HOME-3 HOME-5 a damaged, swapped or invalid contacts file is refused with MALFORMED, not half-read', async () => {
    await startCrypto();
    const { dir } = await tempHome();
    const path = join(dir, 'contacts.sealed');
    const key = SymmetricKey.generate();
    const load = () => ContactBook.load(sealedJsonFile(path, key, 'contacts')).catch((e: unknown) => e);
    const seal = (text: string, ctx = 'contacts') => writeFile(path, cellSeal(key, utf8(text), utf8(`comrad/home/v1/${ctx}`)));
    await seal('{"v":1,"operators":{"x":{"bob":{"key":"zz","pinnedAt":1}}}}');
    expect(ComradError.is(await load(), 'MALFORMED')).toBe(true);
    await seal('{"v":1,"oper');
    expect(ComradError.is(await load(), 'MALFORMED')).toBe(true);
    // The Operators file moved over the contacts file does not open as contacts (its own context).
    await seal('{"v":1,"operators":{}}', 'operators');
    expect(ComradError.is(await load(), 'MALFORMED')).toBe(true);
    await writeFile(path, '{"v":1,"operators":{}}');
    expect(ComradError.is(await load(), 'MALFORMED')).toBe(true);
  });
});

describe('operators (OPS-1..OPS-3)', () => {
  it('OPS-3 a new home knows the default placeholder Operator, key not pinned yet', async () => {
    const { dir } = await tempHome();
    const book = await OperatorBook.load(sealedJsonFile(join(dir, 'operators.sealed'), SymmetricKey.generate(), 'operators'));
    expect(book.get()).toEqual(DEFAULT_OPERATOR);
  });

  it('OPS-2 pins the first key, accepts it again, refuses another with KEY_CHANGED', async () => {
    await startCrypto();
    const { dir } = await tempHome();
    const path = join(dir, 'operators.sealed');
    const file = sealedJsonFile(path, SymmetricKey.generate(), 'operators');
    const book = await OperatorBook.load(file);
    const key = KeyPair.generate().publicKey;
    expect(book.check('default', key)).toBe('new');
    await book.save();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path)).includes(Buffer.from(DEFAULT_OPERATOR.url))).toBe(false);
    const again = await OperatorBook.load(file);
    expect(again.check('default', key)).toBe('same');
    const err = (() => {
      try {
        again.check('default', KeyPair.generate().publicKey);
      } catch (e) {
        return e;
      }
    })();
    expect(ComradError.is(err, 'KEY_CHANGED')).toBe(true);
    expect(((await file.read()) as { operators: { default: { key: string } } }).operators.default.key).toBe(key.toHex());
  });
});

describe('mail at rest (MAIL-1, MAIL-2)', () => {
  const letter: StoredLetter = {
    id: 'a1b2c3',
    from: 'alice',
    to: 'bob',
    at: 1_700_000_000,
    receivedAt: 1_700_000_000_500,
    text: 'meet at six',
    authorFingerprint: 'fp',
    signed: new Uint8Array([1, 2, 3]),
  };

  it('MAIL-1 MAIL-2 a letter is stored once, 0600, and a wiped store (closed comrade) seals nothing more', async () => {
    await startCrypto();
    const { dir } = await tempHome();
    const paths = await ensureHome(join(dir, 'h'));
    const identity = KeyPair.generate().privateKey;
    const store = new MailStore(paths, MailStore.keyFor(identity));
    expect(await store.put(letter)).toBe(true);
    expect(await store.put(letter)).toBe(false);
    const files = await readdir(paths.mail);
    expect(files).toHaveLength(1);
    expect((await stat(join(paths.mail, files[0]!))).mode & 0o777).toBe(0o600);

    store.wipe();
    const late = await store.put({ ...letter, id: 'd4e5f6' }).catch((e: unknown) => e);
    expect(ComradError.is(late, 'CONNECTION_CLOSED')).toBe(true);
    const rejected = await store.putRejected(new Uint8Array([9]), { reason: 'UNREADABLE', code: 'INVALID_KEY', receivedAt: 1 }).catch((e: unknown) => e);
    expect(ComradError.is(rejected, 'CONNECTION_CLOSED')).toBe(true);
    expect(await readdir(paths.mail)).toEqual(files);
    expect(await readdir(paths.rejected)).toEqual([]);
    // The same identity opens what was stored before the wipe (MAIL-1).
    expect((await new MailStore(paths, MailStore.keyFor(identity)).list()).map((l) => l.text)).toEqual(['meet at six']);
  });
});

