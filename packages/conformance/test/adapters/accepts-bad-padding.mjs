#!/usr/bin/env node
// A deliberately wrong client library for the kit's own test: the reference adapter with an unpad that
// trusts the length prefix and checks nothing else (SEAL-4 broken), as a careless port might.
import { fromHex, toHex } from '@comrad/core';
import { OPS, serve } from '../../adapters/reference.mjs';

await serve({
  ...OPS,
  'padding.unpad': (r) => {
    const padded = fromHex(r.padded);
    const n = new DataView(padded.buffer, padded.byteOffset).getUint32(0);
    return { content: toHex(padded.subarray(4, 4 + n)) };
  },
});
