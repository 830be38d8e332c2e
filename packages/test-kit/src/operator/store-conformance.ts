/**
 * The store conformance suite: every backend runs it (`packages/operator/test/store/store.test.ts`), so the
 * Operator can rely on the same behaviour from memory, LMDB and Redis. Test names carry the rule ids of
 * `spec/06-storage.md`. The suite drives the store's primitives directly, with the bounds, dedupe keys and
 * id nonces a policy would pass (`store-conformance/fixtures.ts`), and races each conditional primitive
 * against itself (`store-conformance/atomicity.ts`).
 *
 * @example
 * ```ts
 * storeConformance('memory', async () => {
 *   const store = await openStore({ kind: 'memory' });
 *   return { store, teardown: () => store.close() };
 * });
 * ```
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { atomicityConformance } from './store-conformance/atomicity.js';
import { boundsConformance } from './store-conformance/bounds.js';
import { channelConformance } from './store-conformance/channels.js';
import { collectiveConformance } from './store-conformance/collective.js';
import { feedConformance } from './store-conformance/feed.js';
import { mailConformance } from './store-conformance/mail.js';
import { modelConformance } from './store-conformance/model.js';
import { pinConformance } from './store-conformance/pins.js';
import { privacyConformance } from './store-conformance/privacy.js';
import { profileConformance } from './store-conformance/profiles.js';
import { registryConformance } from './store-conformance/registry.js';
import { tokenConformance } from './store-conformance/tokens.js';
import { voteConformance } from './store-conformance/votes.js';
import type { StoreUnderTest } from './store-conformance/fixtures.js';

export * from './store-conformance/fixtures.js';

/**
 * Registers the conformance tests for one backend.
 * @param name - the backend's name in test titles
 * @param setup - opens a fresh, empty store before each test; its `teardown` closes everything it opened
 */
export function storeConformance(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`store conformance: ${name}`, () => {
    let current: StoreUnderTest | undefined;
    beforeEach(async () => {
      current = await setup();
    });
    afterEach(async () => {
      await current?.teardown();
      current = undefined;
    });
    const sut = (): StoreUnderTest => {
      if (!current) throw new Error('no store under test (setup failed?)');
      return current;
    };
    registryConformance(sut);
    mailConformance(sut);
    feedConformance(sut);
    boundsConformance(sut);
    atomicityConformance(sut);
    privacyConformance(sut);
    modelConformance(sut);
    collectiveConformance(sut);
    profileConformance(sut);
    channelConformance(sut);
    pinConformance(sut);
    tokenConformance(sut);
    voteConformance(sut);
  });
}
