/**
 * Log entries and collective keys (COL-23, COL-24, COL-25): an entry opens only under its collective's
 * log key and name and is padded to a bucket; the keys round-trip and a mismatched pair is refused; an
 * append signature names the collective, the position and the entry.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyPair, ready, SymmetricKey } from '@comrad/core';
import { codeOf } from '@comrad/test-kit/core/garbage';
import {
  MAX_ENTRY_BYTES,
  MAX_EVENT_BYTES,
  checkAppend,
  decodeCollectiveKeys,
  encodeCollectiveKeys,
  newCollectiveKeys,
  openEntry,
  sealEntry,
  signAppend,
} from '@comrad/core/collective';
import { encode } from '@comrad/core';

beforeAll(() => ready());

describe('COL-24 entries', async () => {
  it('an entry opens to the signed event under its own keys only, padded to a bucket', async () => {
    const keys = newCollectiveKeys('portland');
    const event = new Uint8Array(201).fill(7);
    const entry = sealEntry(keys, event);
    expect(openEntry(keys, entry)).toEqual(event);
    // SEAL-3: a 201-byte event and a 500-byte one are the same size on the wire.
    expect(sealEntry(keys, new Uint8Array(500).fill(1)).length).toBe(entry.length);
    const largest = sealEntry(keys, new Uint8Array(MAX_EVENT_BYTES).fill(2));
    expect(largest.length).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(await codeOf(() => sealEntry(keys, new Uint8Array(MAX_EVENT_BYTES + 1)))).toBe('TOO_LARGE');
    // Another log key, or the same key under another collective's name, does not open it.
    expect(await codeOf(() => openEntry({ ...keys, logKey: SymmetricKey.generate() }, entry))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => openEntry({ ...keys, name: 'seattle' }, entry))).toBe('DECRYPT_FAILED');
    const damaged = entry.slice();
    damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 1;
    expect(await codeOf(() => openEntry(keys, damaged))).toBe('DECRYPT_FAILED');
    expect(await codeOf(() => openEntry(keys, new Uint8Array(MAX_ENTRY_BYTES + 1)))).toBe('TOO_LARGE');
  });
});

describe('COL-25 collective keys', async () => {
  it('round-trip; a private key that does not match the public one is INVALID_KEY; another context MALFORMED', async () => {
    const keys = newCollectiveKeys('portland');
    const back = decodeCollectiveKeys(encodeCollectiveKeys(keys));
    expect(back.name).toBe('portland');
    expect(back.identity.publicKey.equals(keys.identity.publicKey)).toBe(true);
    expect(back.logKey.bytes()).toEqual(keys.logKey.bytes());
    const mixed = encodeCollectiveKeys({ ...keys, identity: new KeyPair(KeyPair.generate().privateKey, keys.identity.publicKey) });
    expect(await codeOf(() => decodeCollectiveKeys(mixed))).toBe('INVALID_KEY');
    const wrong = encode({ ctx: 'comrad/other', col: 'portland', key: keys.identity.publicKey.bytes(), priv: keys.identity.privateKey.bytes(), log: keys.logKey.bytes() });
    expect(await codeOf(() => decodeCollectiveKeys(wrong))).toBe('MALFORMED');
    expect(await codeOf(() => decodeCollectiveKeys(encode({ ctx: 'comrad/collective/keys', col: 'Portland', key: new Uint8Array(45), priv: new Uint8Array(45), log: new Uint8Array(32) })))).toBe('INVALID_NAME');
  });
});

describe('COL-23 append signatures', async () => {
  it('verify for their collective, position and entry only', async () => {
    const keys = newCollectiveKeys('portland');
    const entry = new Uint8Array(600).fill(3);
    const sig = signAppend(keys, 5, entry);
    expect(checkAppend(sig, keys.identity.publicKey, 'portland', 5, entry)).toBe(true);
    expect(checkAppend(sig, keys.identity.publicKey, 'portland', 6, entry)).toBe(false);
    expect(checkAppend(sig, keys.identity.publicKey, 'seattle', 5, entry)).toBe(false);
    expect(checkAppend(sig, keys.identity.publicKey, 'portland', 5, entry.slice(1))).toBe(false);
    expect(checkAppend(sig, KeyPair.generate().publicKey, 'portland', 5, entry)).toBe(false);
    expect(checkAppend(new Uint8Array(20), keys.identity.publicKey, 'portland', 5, entry)).toBe(false);
  });
});
