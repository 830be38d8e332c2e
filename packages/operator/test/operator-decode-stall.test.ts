/**
 * No frame freezes the Operator (ENC-10, OP-6, LIMIT-3): an anonymous peer sends the worst frames found
 * (a msgpackr shared-reference bomb with trailing bytes, a map of 66,379 keys filling a whole frame, deep
 * nesting, huge declared lengths) while an honest comrade's `info` keeps answering within a small multiple
 * of its latency under plain frames of the same sizes, measured in the same run. Over the rate limit, a
 * frame is refused before it is decoded, and the refusal still names the request (OP-7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, encode } from '@comrad/core';
import { encodeRequest, MAX_REQUEST_FRAME_BYTES } from '@comrad/core/wire';
import { deepNesting, hugeDeclaredLength, manyKeys, plainMapOfSize, sharedReferenceBomb } from '@comrad/test-kit/core/adversarial';
import type { TestClient } from '@comrad/test-kit/operator/client';
import { startTestOperator, type TestOperator } from '@comrad/test-kit/operator/fixtures';

let t: TestOperator;

beforeAll(async () => {
  // Every frame is decoded: the rate limit must not be what saves the Operator here.
  t = await startTestOperator({ limits: { requestsPerSecond: 1_000_000, maxInflight: 1024 } });
});
afterAll(() => t.close());

/** The worst frames: each a real request envelope (id first) so it reaches the decoder's every path. */
function adversarialFrames(): Uint8Array[] {
  const wrap = (inner: Uint8Array) => concatBytes(Uint8Array.of(0x83, 0xa2, 0x69, 0x64, 0x07, 0xa2, 0x6f, 0x70, 0xa4, 0x69, 0x6e, 0x66, 0x6f, 0xa1, 0x78), inner);
  const keys = manyKeys(Math.floor((MAX_REQUEST_FRAME_BYTES - 16) / 6));
  return [
    sharedReferenceBomb(24),
    wrap(sharedReferenceBomb(24)),
    keys.subarray(0, Math.min(keys.length, MAX_REQUEST_FRAME_BYTES)),
    deepNesting(MAX_REQUEST_FRAME_BYTES - 1),
    wrap(hugeDeclaredLength(0xdd, 2 ** 32 - 1, 1024)),
    concatBytes(plainMapOfSize(MAX_REQUEST_FRAME_BYTES - 64), encode({ trailing: 'x' })),
  ];
}

/** Plain frames of the same sizes (valid msgpack, refused only for their fields). */
const plainFrames = (sizes: number[]) => sizes.map((n) => plainMapOfSize(n));

/** `info` latencies (ms) of `honest` while `attacker` sends `frames` round after round, each answered. */
async function latencyUnder(honest: TestClient, attacker: TestClient, frames: Uint8Array[], samples = 40): Promise<number[]> {
  let running = true;
  let answered = 0;
  const attack = (async () => {
    while (running) {
      for (const f of frames) {
        attacker.sendRaw(f);
        await attacker.nextLoose();
        answered++;
      }
    }
  })();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    expect((await honest.request('info', {})).v).toBe(1);
    out.push(performance.now() - start);
  }
  running = false;
  await attack;
  expect(answered).toBeGreaterThan(0);
  return out.sort((a, b) => a - b);
}

const p90 = (sorted: number[]) => sorted[Math.floor(sorted.length * 0.9)]!;

describe('ENC-10 OP-6 a frame cannot freeze the Operator', () => {
  it('ENC-10 an honest info answers within a small multiple of its latency under plain frames of the same sizes', async () => {
    const honest = await t.connect();
    const attacker = await t.connect();
    const bad = adversarialFrames();
    const plain = await latencyUnder(honest, attacker, plainFrames(bad.map((f) => f.length)));
    const adversarial = await latencyUnder(honest, attacker, bad);
    const ratio = p90(adversarial) / p90(plain);
    console.log(`ENC-10 honest info p90: ${p90(plain).toFixed(2)} ms under plain frames, ${p90(adversarial).toFixed(2)} ms under adversarial ones (×${ratio.toFixed(2)})`);
    // Generous: the point is "not seconds", on a noisy machine; msgpackr took 8–12 s on a 430-byte frame.
    expect(ratio).toBeLessThan(8);
    expect((await attacker.request('info', {})).v).toBe(1);
  });
});

describe('LIMIT-3 OP-7 over the rate, a frame is refused before it is decoded', () => {
  it('LIMIT-3 a burst over the limit is answered RATE_LIMITED with the request id, bombs included', async () => {
    const limited = await startTestOperator({ limits: { requestsPerSecond: 5 } });
    try {
      const c = await limited.connect();
      const frames = Array.from({ length: 5 }, (_, i) => encodeRequest(100 + i, 'info', {}));
      for (const f of frames) c.sendRaw(f);
      for (let i = 0; i < frames.length; i++) expect((await c.nextLoose()).type).toBe('ok');
      // The bucket is empty: a bomb is not even decoded (it would be MALFORMED), and a request keeps its id.
      c.sendRaw(sharedReferenceBomb(24));
      expect(await c.nextLoose()).toMatchObject({ type: 'err', code: 'RATE_LIMITED' });
      c.sendRaw(encodeRequest(4242, 'info', {}));
      expect(await c.nextLoose()).toMatchObject({ type: 'err', id: 4242, code: 'RATE_LIMITED' });
    } finally {
      await limited.close();
    }
  });
});
