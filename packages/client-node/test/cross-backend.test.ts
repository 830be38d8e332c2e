/**
 * CRY-10/CRY-11 end to end: the Operator on one crypto backend and the comrades on the other, as real
 * processes. Every byte that crosses (registration proofs, handshakes, signed lookups, sealed letters,
 * world keys sealed per reader, posts) is made by one backend and checked by the other.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { comrad, requireBuild, startOperatorProcess, type CliResult, ok, type OperatorProcess } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';

const pairs = [
  { operator: 'wasm', alice: 'node', bob: 'node' },
  { operator: 'node', alice: 'wasm', bob: 'node' },
] as const;

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});


describe.each(pairs)('Operator on $operator, alice on $alice, bob on $bob', (pair) => {
  it('CRY-11 register, look up, a sealed letter, inbox, world post and feed all agree across backends', { timeout: 120_000 }, async () => {
    requireBuild();
    const root = await tempHome(`comrad-xbackend-${pair.operator}-`);
    cleanup.push(() => root.remove());
    const op: OperatorProcess = await startOperatorProcess(join(root.dir, 'operator'), 0, [], { COMRAD_CRYPTO: pair.operator });
    cleanup.push(() => op.stop());
    expect(op.crypto).toBe(pair.operator);
    const as = (name: 'alice' | 'bob') => (...args: string[]) =>
      comrad(['--home', join(root.dir, name), ...args], { COMRAD_PASSPHRASE: `${name}'s long passphrase`, COMRAD_CRYPTO: pair[name] });
    const alice = as('alice');
    const bob = as('bob');
    for (const who of [alice, bob]) {
      ok(await who('init'));
      ok(await who('operator', 'add', op.url, '--key', op.fingerprint));
    }
    ok(await alice('register', 'alice'));
    ok(await bob('register', 'bob'));
    expect(ok(await alice('whois', 'bob'))).toContain('@bob');
    expect(ok(await alice('send', 'bob', 'across two backends'))).toContain('Sent to @bob');
    const inbox = ok(await bob('inbox'));
    expect(inbox).toContain('@alice');
    expect(inbox).toContain('verified');
    expect(inbox).toContain('across two backends');
    ok(await alice('post', 'one world, two backends', '--expires', '1d'));
    const feed = ok(await bob('feed'));
    expect(feed).toContain('@alice');
    expect(feed).toContain('one world, two backends');
  });
});
