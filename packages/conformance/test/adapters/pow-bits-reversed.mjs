#!/usr/bin/env node
// A deliberately wrong client library for the kit's own test: the reference adapter with a proof-of-work
// check that counts the digest's zero bits from the least significant bit of each byte (REG-6, MB-9 and
// POW-1 read them from the most significant), as a port that misread the bit order might.
import { createHash } from 'node:crypto';
import { ComradError, encode, fromHex, toHex } from '@comrad/core';
import { OPS, serve } from '../../adapters/reference.mjs';

function fromTagged(v) {
  if (Array.isArray(v)) return v.map(fromTagged);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'bin') return fromHex(v.bin);
    return Object.fromEntries(keys.map((k) => [k, fromTagged(v[k])]));
  }
  return v;
}

await serve({
  ...OPS,
  'pow.check': (r) => {
    const input = encode(fromTagged(r.fields));
    const digest = createHash('sha256').update(input).digest();
    let zeroBits = 0;
    for (const byte of digest) {
      if (byte === 0) {
        zeroBits += 8;
        continue;
      }
      zeroBits += Math.log2(byte & -byte);
      break;
    }
    if (zeroBits < r.bits) throw new ComradError('POW_REQUIRED', `${zeroBits} bits`);
    return { inputHex: toHex(input), digest: toHex(digest), zeroBits };
  },
});
