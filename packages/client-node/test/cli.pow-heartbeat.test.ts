/**
 * POW-3 through the real `comrad` bin: a client busy with proof of work still answers the Operator's
 * heartbeat pings. Before, the solver held the event loop for the whole search, and an Operator whose
 * heartbeat came round meanwhile closed the connection: `register` failed with CONNECTION_CLOSED (seen in
 * the quickstart test on a loaded machine, where 20 bits took longer than the 30 s heartbeat). Here the
 * heartbeat is 500 ms and the work 20 bits (about 2 s on an idle core, geometric): a solver that blocks
 * for a second or more is always cut off, so a blocking one got both names registered in about one run of
 * seven on an idle machine and almost never on a busy one. (A 50 ms heartbeat was too tight for the
 * slices themselves on a loaded machine: the scheduler alone can hold a process that long.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { comrad, requireBuild, type CliResult } from '@comrad/test-kit/client-node/processes';
import { startTestOperator, tempHome, type TestOperator } from '@comrad/test-kit/client-node/operator';

let root: { dir: string; remove(): Promise<void> };
let op: TestOperator;
const as =
  (name: string) =>
  (...args: string[]): Promise<CliResult> =>
    comrad(['--home', join(root.dir, name), ...args], { COMRAD_PASSPHRASE: `${name} passphrase` });

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-pow-heartbeat-');
  // handshakeMs stays at its default (20 s): the client's `info` answer keeps the connection past it (POW-1).
  op = await startTestOperator({ heartbeatMs: 500, limits: { registerPowBits: 20, sendPowBits: 16 } });
});

afterAll(async () => {
  await op?.stop();
  await root?.remove();
});

describe('POW-3 proof of work does not starve the heartbeat', () => {
  it('POW-3 REG-6 MB-9 register (20 bits) and send (16 bits) succeed while the Operator pings every 500 ms', async () => {
    for (const name of ['alice', 'bob']) {
      expect((await as(name)('operator', 'add', op.url)).code).toBe(0);
      const r = await as(name)('register', name);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('proof of work (20 bits)');
    }
    const sent = await as('alice')('send', 'bob', 'paid for with work');
    expect(sent.code, sent.stderr).toBe(0);
    const inbox = await as('bob')('inbox');
    expect(inbox.code, inbox.stderr).toBe(0);
    expect(inbox.stdout).toContain('paid for with work');
  }, 240_000);
});
