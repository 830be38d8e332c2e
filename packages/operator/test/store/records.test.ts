/**
 * The store's own formats: ids (order, bounds, validation) and the binary records LMDB and Redis keep
 * (round trip, and totality on damaged records: a seized or corrupted disk gives MALFORMED, never a crash).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID_LENGTH, MAX_ID_TIME, isStoreId, nextId, randomPart } from '../../src/policy/ids.js';
import {
  MAIL_HEADER_BYTES,
  POST_AUTHOR_OFFSET,
  PROFILE_RECORD_HEADER_BYTES,
  decodeMail,
  decodePost,
  decodeProfile,
  encodeMail,
  encodePost,
  encodeProfile,
  movePin,
  voteTarget,
  overBound,
  pinOf,
  pinRecord,
} from '../../src/store/_records.js';
import type { StoredPin } from '../../src/store/types.js';
import { checkTotal, codeOf } from '@comrad/test-kit/core/garbage';

const time = fc.integer({ min: 0, max: 253_402_300_800_000 });

describe('store ids', () => {
  it('MB-3 a new id is greater than the greatest present one, whatever the clock says', () => {
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 30 }), (times) => {
        let greatest: string | undefined;
        for (const at of times) {
          const id = nextId(at, greatest, randomPart());
          expect(isStoreId(id)).toBe(true);
          expect(id.length).toBe(ID_LENGTH);
          if (greatest !== undefined) expect(id > greatest).toBe(true);
          else expect(parseInt(id.slice(0, 10), 36)).toBe(at); // the time part is the arrival time
          greatest = id;
        }
      }),
    );
  });

  it('MB-3 the counter carries into the time when one millisecond is full', () => {
    const full = (1000).toString(36).padStart(10, '0') + 'zzzz' + '0'.repeat(12);
    const id = nextId(1000, full, randomPart());
    expect(id.slice(0, 14)).toBe((1001).toString(36).padStart(10, '0') + '0000');
    expect(id > full).toBe(true);
  });

  it('refuses times past the year 10000 instead of minting a longer id', () => {
    expect(() => nextId(MAX_ID_TIME + 1, undefined, randomPart())).toThrow(RangeError);
    expect(nextId(MAX_ID_TIME, undefined, randomPart())).toHaveLength(ID_LENGTH);
  });

  it('isStoreId accepts exactly the minted shape', () => {
    const id = nextId(1_700_000_000_000, undefined, randomPart());
    for (const bad of ['', id.slice(1), id + '0', id.toUpperCase(), id.slice(0, -1) + 'g', ` ${id.slice(1)}`, 42, null, undefined, [id]]) {
      expect(isStoreId(bad)).toBe(false);
    }
    expect(isStoreId(id)).toBe(true);
  });
});

describe('store records', () => {
  it('MB-1 a mail record is the two times and the sealed bytes, nothing else', () => {
    fc.assert(
      fc.property(time, time, fc.uint8Array({ maxLength: 300 }), (receivedAt, expiresAt, sealed) => {
        const record = encodeMail(receivedAt, expiresAt, sealed);
        expect(record.length).toBe(MAIL_HEADER_BYTES + sealed.length);
        expect(decodeMail(record)).toEqual({ receivedAt, expiresAt, sealed });
      }),
    );
  });

  it('post records round-trip, authors in any script included', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme' }), fc.uint8Array({ maxLength: 300 }), fc.nat(0xffff_ffff), time, time, (author, sealed, epoch, postedAt, expiresAt) => {
        const post = { author, sealed, epoch, postedAt, expiresAt };
        expect(decodePost('id', encodePost(post))).toEqual({ id: 'id', ...post });
      }),
    );
  });

  it('damaged records give MALFORMED, never another error', async () => {
    const mail = encodeMail(1, 2, Uint8Array.of(1, 2, 3));
    const post = encodePost({ author: 'alice', sealed: Uint8Array.of(9, 9), epoch: 3, postedAt: 4, expiresAt: 5 });
    const mailCodes = await checkTotal((b) => decodeMail(b), [mail]);
    const postCodes = await checkTotal((b) => decodePost('id', b), [post]);
    expect([...mailCodes.keys()].every((c) => c === 'ok' || c === 'MALFORMED')).toBe(true);
    expect([...postCodes.keys()].every((c) => c === 'ok' || c === 'MALFORMED')).toBe(true);
    expect(mailCodes.get('MALFORMED')).toBeGreaterThan(0);
    expect(postCodes.get('MALFORMED')).toBeGreaterThan(0);
  });
});

// Each check of a damaged record on its own, at its bound (a mutation run found none of them tested: the
// totality property above only says that whatever fails is MALFORMED).
describe('store records: each damage on its own', () => {
  const withByte = (bytes: Uint8Array, at: number, value: number) => {
    const out = bytes.slice();
    out[at] = value;
    return out;
  };

  it('MB-1 a mail record: exactly its header is an empty letter; one byte less, or another version byte, is MALFORMED', async () => {
    const record = encodeMail(10, 20, new Uint8Array(0));
    expect(record.length).toBe(MAIL_HEADER_BYTES);
    expect(decodeMail(record)).toEqual({ receivedAt: 10, expiresAt: 20, sealed: new Uint8Array(0) });
    expect(await codeOf(() => decodeMail(record.subarray(0, MAIL_HEADER_BYTES - 1)))).toBe('MALFORMED');
    for (const version of [0, 2, 0xff]) expect(await codeOf(() => decodeMail(withByte(encodeMail(1, 2, Uint8Array.of(7)), 0, version)))).toBe('MALFORMED');
  });

  it('a post record: exactly its header is an empty author and post; shorter, another version, an author past the end or not UTF-8 is MALFORMED', async () => {
    const empty = encodePost({ author: '', sealed: new Uint8Array(0), epoch: 1, postedAt: 2, expiresAt: 3 });
    expect(empty.length).toBe(POST_AUTHOR_OFFSET);
    expect(decodePost('x', empty)).toEqual({ id: 'x', author: '', sealed: new Uint8Array(0), epoch: 1, postedAt: 2, expiresAt: 3 });
    expect(await codeOf(() => decodePost('x', empty.subarray(0, POST_AUTHOR_OFFSET - 1)))).toBe('MALFORMED');
    const post = encodePost({ author: 'alice', sealed: Uint8Array.of(9, 8), epoch: 1, postedAt: 2, expiresAt: 3 });
    for (const version of [0, 2]) expect(await codeOf(() => decodePost('x', withByte(post, 0, version)))).toBe('MALFORMED');
    // The author's length (bytes 21..23) reaching exactly the end: the author takes every byte, no post.
    const whole = withByte(post, 22, 7);
    expect(decodePost('x', whole)).toMatchObject({ author: 'alice\u0009\u0008', sealed: new Uint8Array(0) });
    expect(await codeOf(() => decodePost('x', withByte(post, 22, 8)))).toBe('MALFORMED');
    expect(await codeOf(() => decodePost('x', withByte(post, 21, 1)))).toBe('MALFORMED');
    // An author that is not UTF-8 (a lone continuation byte, a truncated sequence).
    expect(await codeOf(() => decodePost('x', withByte(post, POST_AUTHOR_OFFSET, 0x80)))).toBe('MALFORMED');
    expect(await codeOf(() => decodePost('x', withByte(post, POST_AUTHOR_OFFSET + 4, 0xc3)))).toBe('MALFORMED');
  });

  it('records hand out their own copy of the sealed bytes, not a view of the record', () => {
    const mail = encodeMail(1, 2, Uint8Array.of(1, 2, 3));
    const post = encodePost({ author: 'alice', sealed: Uint8Array.of(4, 5), epoch: 1, postedAt: 2, expiresAt: 3 });
    const profile = encodeProfile({ at: 1, receivedAt: 2, expiresAt: 3, sealed: Uint8Array.of(6) });
    const read = [decodeMail(mail).sealed, decodePost('x', post).sealed, decodeProfile(profile).sealed];
    for (const record of [mail, post, profile]) record.fill(0xee);
    expect(read).toEqual([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5), Uint8Array.of(6)]);
    for (const sealed of read) expect(sealed.buffer.byteLength).toBe(sealed.length);
  });

  it('PROF-10 a profile record round-trips; one no longer than its header, or of another version, is MALFORMED', async () => {
    fc.assert(
      fc.property(fc.nat(0xffff_ffff), time, time, fc.uint8Array({ minLength: 1, maxLength: 200 }), (at, receivedAt, expiresAt, sealed) => {
        const record = encodeProfile({ at, receivedAt, expiresAt, sealed });
        expect(record.length).toBe(PROFILE_RECORD_HEADER_BYTES + sealed.length);
        expect(decodeProfile(record)).toEqual({ at, receivedAt, expiresAt, sealed });
      }),
    );
    const one = encodeProfile({ at: 5, receivedAt: 6, expiresAt: 7, sealed: Uint8Array.of(1) });
    expect(await codeOf(() => decodeProfile(one.subarray(0, PROFILE_RECORD_HEADER_BYTES)))).toBe('MALFORMED');
    for (const version of [0, 2]) expect(await codeOf(() => decodeProfile(withByte(one, 0, version)))).toBe('MALFORMED');
  });

  it('PIN-6 a pin record is its seven fields; any other shape is MALFORMED', async () => {
    const pin: StoredPin = { id: 'p1', cell: 'u4pruyd', kind: 'police', note: '', createdAt: 100, expiresAt: 200, confirms: 2, denies: 1 };
    expect(pinRecord(pin)).toEqual(['u4pruyd', 'police', '', 100, 200, 2, 1]);
    expect(pinOf('p1', pinRecord(pin))).toEqual(pin);
    for (const bad of [pinRecord(pin).slice(0, 6), [...pinRecord(pin), 0], { length: 7 }, 'u4pruyd', null]) {
      expect(await codeOf(() => pinOf('p1', bad))).toBe('MALFORMED');
    }
  });

  it('PIN-6 a confirm adds confirmMs up to createdAt + maxLifeMs and never shortens a pin; a deny takes denyMs, not below 0', () => {
    const rule = { confirmMs: 50, denyMs: 70, maxLifeMs: 400 };
    const pin: StoredPin = { id: 'p', cell: 'u4pruyd', kind: 'police', note: '', createdAt: 1000, expiresAt: 1100, confirms: 0, denies: 0 };
    expect(movePin(pin, 'confirm', rule)).toEqual({ ...pin, confirms: 1, expiresAt: 1150 });
    expect(movePin({ ...pin, expiresAt: 1380 }, 'confirm', rule)).toMatchObject({ confirms: 1, expiresAt: 1400 });
    // Already past the cap (a rule made shorter since): a confirm leaves it where it is.
    expect(movePin({ ...pin, expiresAt: 1500 }, 'confirm', rule)).toMatchObject({ confirms: 1, denies: 0, expiresAt: 1500 });
    expect(movePin(pin, 'deny', rule)).toEqual({ ...pin, denies: 1, expiresAt: 1030 });
    expect(movePin({ ...pin, expiresAt: 60 }, 'deny', rule)).toMatchObject({ confirms: 0, denies: 1, expiresAt: 0 });
  });

  it('MB-4 a bound is reached, not passed: held + adding equal to the bound fits, one byte more does not; no bound, no limit', () => {
    expect(overBound(90, 10, 100)).toBe(false);
    expect(overBound(90, 11, 100)).toBe(true);
    expect(overBound(101, 0, 100)).toBe(true);
    expect(overBound(Number.MAX_SAFE_INTEGER, 1, undefined)).toBe(false);
  });
});

describe('VOTE-9 where votes are filed', () => {
  it('VOTE-9 a world post\'s votes are filed under its id alone, a channel post\'s under its channel and id: names kept on disk across versions', () => {
    expect(voteTarget('0000abc')).toBe('0000abc');
    expect(voteTarget('0000abc', 'c0ffee')).toBe('c0ffee/0000abc');
    expect(voteTarget('0000abc', '')).toBe('/0000abc');
  });
});
