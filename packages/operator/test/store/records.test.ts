/**
 * The store's own formats: ids (order, bounds, validation) and the binary records LMDB and Redis keep
 * (round trip, and totality on damaged records: a seized or corrupted disk gives MALFORMED, never a crash).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID_LENGTH, MAX_ID_TIME, isStoreId, nextId, randomPart } from '../../src/policy/ids.js';
import { MAIL_HEADER_BYTES, decodeMail, decodePost, encodeMail, encodePost } from '../../src/store/_records.js';
import { checkTotal } from '@comrad/test-kit/core/garbage';

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
