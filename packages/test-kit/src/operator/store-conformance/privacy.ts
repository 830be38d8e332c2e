/**
 * MB-1 conformance: what a seized store shows of mail is the recipient's name, ids, the sealed bytes,
 * their SHA-256 (MB-11: derived from the bytes, so it adds nothing) and times — nothing that could name a
 * sender.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DAY, T0, bytes, contains, idOf, randomName, valueBytes, mail, type StoreUnderTest } from './fixtures.js';

/** Most bytes a backend may keep next to a letter in the same value (a fixed header with the two times). */
const MAX_RECORD_OVERHEAD = 32;
/** Structural words a backend may use in keys (`mail`, `mbox`, `mi`, …): short, letters only. */
const TAG = /^[a-z]{1,6}$/;

/** Registers the privacy rule MB-1 for the store `sut()` returns. */
export function privacyConformance(sut: () => StoreUnderTest): void {
  describe('privacy', () => {
    it('MB-1 MB-11 a dump after sends holds only recipient names, ids, the sealed bytes, their digests and times', async () => {
      const { store } = sut();
      const recipients = [randomName(), randomName(), randomName()];
      const letters: Array<{ to: string; id: string; sealed: Uint8Array }> = [];
      for (let i = 0; i < 12; i++) {
        const to = recipients[i % 3]!;
        const sealed = bytes(50 + 23 * i);
        const put = await store.appendMail(to, mail(sealed, T0 + i, T0 + DAY), { maxItems: 100, maxBytes: 1 << 20 });
        letters.push({ to, id: idOf(put), sealed });
      }
      const dump = await store.dump();
      const digests = letters.map((l) => createHash('sha256').update(l.sealed).digest('hex'));
      const strip = (text: string, parts: readonly string[]) => parts.reduce((rest, part) => rest.split(part).join(' '), text);

      // Every key is made of recipient names, ids, numbers and short structural tags, nothing else.
      for (const [key] of dump) {
        let rest = strip(key, [...letters.map((l) => l.id), ...recipients, ...digests]);
        rest = rest.replace(/\d+(\.\d+)?(e[+-]?\d+)?/g, ' ');
        const words = rest.split(/[^A-Za-z0-9]+/).filter(Boolean);
        expect(words.filter((w) => !TAG.test(w)), `key ${JSON.stringify(key)}`).toEqual([]);
      }

      // Every value is a letter (with at most a small fixed header), a number, or empty.
      const seen = new Map<Uint8Array, number>();
      for (const [key, value] of dump) {
        const v = valueBytes(value);
        const letter = letters.find((l) => v.length >= l.sealed.length && v.length <= l.sealed.length + MAX_RECORD_OVERHEAD && contains(v, l.sealed));
        if (letter) {
          seen.set(letter.sealed, (seen.get(letter.sealed) ?? 0) + 1);
          continue;
        }
        const text = strip(new TextDecoder().decode(v), [...letters.map((l) => l.id), ...digests]);
        expect(text.length <= 40 && /^[\d./ e+-]*$/.test(text), `value of ${JSON.stringify(key)} is neither a letter, an id, a digest nor a number`).toBe(true);
      }

      // …and the dump is complete: each letter's bytes once, each recipient and id somewhere in the keys.
      for (const { sealed } of letters) expect(seen.get(sealed)).toBe(1);
      const keys = dump.map(([k]) => k).join('\n');
      for (const { to, id } of letters) {
        expect(keys).toContain(to);
        expect(keys).toContain(id);
      }
    });
  });
}
