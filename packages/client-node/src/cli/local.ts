/**
 * Commands that only read what the home holds (`whoami`, `inbox --all`; `contacts` should too) open it without any network
 * (CLI-11): they work with the Operator down, through no proxy, and tell nobody they ran.
 * @module
 */
import type { Keymaker } from '@comrad/core/keymaker';
import { startCrypto } from '../crypto-ready.js';
import { UsageError } from '../errors.js';
import type { SealedHome } from '../home/sealed-home.js';
import { MailStore } from '../store/mail-store.js';
import type { OperatorEntry } from '../store/operators.js';
import type { Context } from './context.js';

/** The unlocked home, read locally. */
export interface LocalHome {
  /** The unlocked home itself: its books (`contacts()`, `operators()`), for other local reads. */
  readonly home: SealedHome;
  /** The identity (wiped after the command). */
  readonly me: Keymaker;
  /** The Operator the command would use (`--operator`, else the default), with its pinned key if any. */
  readonly operator: OperatorEntry;
  /** The stored mail, sealed under the identity (MAIL-1). */
  readonly mail: MailStore;
}

/**
 * Runs `use` on the unlocked home, never connecting (CLI-11). A directory without a home is refused before
 * anything is written (NO_HOME, CLI-12).
 * @throws UsageError NO_HOME, NO_KEYSTORE, UNKNOWN_OPERATOR; ProtocolError WRONG_PASSPHRASE, CORRUPT_KEYSTORE
 */
export async function withLocalHome<T>(ctx: Context, use: (home: LocalHome) => Promise<T>): Promise<T> {
  await startCrypto();
  const home = await ctx.unlockHome();
  let me: Keymaker | undefined;
  let mail: MailStore | undefined;
  try {
    if (!(await home.hasIdentity())) throw new UsageError('NO_KEYSTORE', 'no identity in this home yet: run `comrad register NAME` first');
    const operator = (await home.operators()).get(ctx.opts.operator);
    me = await home.identity();
    mail = new MailStore(home.paths, MailStore.keyFor(me.keys.privateKey));
    return await use({ home, me, operator, mail });
  } finally {
    mail?.wipe();
    me?.wipe();
    home.wipe();
  }
}
