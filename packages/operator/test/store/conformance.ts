/**
 * The store conformance suite: every backend runs it (`store.test.ts`), so the Operator can rely on the
 * same behaviour from memory, LMDB and Redis. Test names carry the rule ids of `spec/notes/store.md`.
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
import { atomicityConformance } from './conformance/atomicity.js';
import { boundsConformance } from './conformance/bounds.js';
import { feedConformance } from './conformance/feed.js';
import { mailConformance } from './conformance/mail.js';
import { modelConformance } from './conformance/model.js';
import { privacyConformance } from './conformance/privacy.js';
import { registryConformance } from './conformance/registry.js';
import type { StoreUnderTest } from './conformance/fixtures.js';

export type { StoreUnderTest } from './conformance/fixtures.js';

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
  });
}
