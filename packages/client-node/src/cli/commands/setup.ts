/**
 * `comrad init`, `comrad passphrase` and `comrad operator add|list`: the home, its passphrase, and which
 * Operators this client trusts.
 * @module
 */
import { fromHex, PublicKey } from '@comrad/core';
import { startCrypto } from '../../crypto-ready.js';
import { UsageError } from '../../errors.js';
import { OperatorBook, type OperatorEntry } from '../../store/operators.js';
import { OperatorConnection } from '../../transport/connection.js';
import { checkOperatorUrl } from '../../transport/proxy.js';
import { LOST_PASSPHRASE, type Context } from '../context.js';
import { getPassphrase } from '../passphrase.js';
import { requireStrong } from '../strength.js';

/**
 * `comrad init [--weak-passphrase]`: creates the home (0700) and seals it under a new passphrase (asked
 * twice, its strength checked, CLI-5), with the default Operator entry. On an existing home it asks for
 * the passphrase once and finishes any migration (HOME-7): running it again changes nothing.
 */
export async function init(ctx: Context, opts: { weakPassphrase?: boolean }): Promise<void> {
  await startCrypto();
  const home = await ctx.unlockHome({ weak: opts.weakPassphrase === true });
  try {
    const book = await home.operators();
    await book.save();
    const entry = book.get();
    ctx.out.line(`Home ready: ${home.paths.root}`);
    ctx.out.line(`Operator: ${entry.name} ${entry.url}${entry.key ? ` (key ${entry.key.fingerprint()})` : ' (key pinned on first use)'}`);
    ctx.out.line(`Next: comrad register NAME`);
    ctx.out.result({ home: home.paths.root, operator: describe(entry) });
  } finally {
    home.wipe();
  }
}

/**
 * `comrad passphrase`: changes the home's passphrase (HOME-6). The current one as always (CLI-2), the new
 * one from `--new-passphrase-file`, `COMRAD_NEW_PASSPHRASE` or the terminal (twice), refused when weak
 * unless `--weak-passphrase`. Only `home.key` is rewritten, atomically: killed at any moment, the home
 * opens with the old passphrase or the new one.
 */
export async function changePassphrase(ctx: Context, opts: { weakPassphrase?: boolean; newPassphraseFile?: string }): Promise<void> {
  await startCrypto();
  const home = await ctx.unlockHome();
  try {
    const next = await getPassphrase({ ...(opts.newPassphraseFile ? { file: opts.newPassphraseFile } : {}), env: ctx.env }, { fresh: true });
    await requireStrong(next, { weak: opts.weakPassphrase === true });
    await home.changePassphrase(next);
    ctx.out.line('Passphrase changed.');
    ctx.out.line(ctx.out.dim(LOST_PASSPHRASE));
    ctx.out.result({ home: home.paths.root, changed: true });
  } finally {
    home.wipe();
  }
}

/**
 * `comrad operator add URL [--key KEY] [--name N]` (OPS-1, OPS-2): with a key (hex or fingerprint) the
 * Operator must present exactly that key; without one, the key it presents is pinned on first use; an
 * entry that already has a pinned key never silently takes another.
 */
export async function operatorAdd(ctx: Context, url: string, opts: { key?: string; name?: string; weakPassphrase?: boolean }): Promise<void> {
  await startCrypto();
  // Refuse a bad address or an onion without Tor (TR-2) before touching anything; with --tor the
  // address is checked again once tor runs.
  if (!ctx.opts.tor) checkOperatorUrl(url, ctx.opts.proxy ?? ctx.env['COMRAD_PROXY'], ctx.opts.insecure === true);
  // CLI-13: a --key that can be neither a key nor a fingerprint is said to be malformed, before anything
  // is unlocked or connected (not later, as if the Operator presented another key).
  if (opts.key !== undefined) checkKeyArgument(opts.key);
  // The list is sealed (HOME-5): unlocked before connecting, so a typo costs no connection.
  const home = await ctx.unlockHome({ weak: opts.weakPassphrase === true });
  try {
    await addTo(ctx, await home.operators(), url, opts);
  } finally {
    home.wipe();
  }
}

async function addTo(ctx: Context, book: OperatorBook, url: string, opts: { key?: string; name?: string }): Promise<void> {
  const name = opts.name ?? 'default';
  const existing = book.list().find((e) => e.name === name);
  const announced: PublicKey = await ctx.withProxy(async (proxy) => {
    const conn = await ctx.connecting(proxy, OperatorConnection.open({ url, ...(proxy ? { proxy } : {}), ...ctx.connectionOptions() }));
    try {
      return (await conn.request('info', {})).operatorKey;
    } finally {
      await conn.closed();
    }
  });
  if (opts.key !== undefined && !matchesKey(opts.key, announced)) {
    throw new UsageError('BAD_ARGUMENT', `the Operator at ${url} presents key ${announced.fingerprint()}, not the one given with --key: not added`);
  }
  if (existing?.key && !existing.key.equals(announced) && opts.key === undefined) {
    // OPS-2: re-adding must not become a way to swap a pinned key without saying so.
    book.check(name, announced);
  }
  const entry: OperatorEntry = { name, url, key: announced };
  book.set(entry);
  await book.save();
  const how = opts.key !== undefined ? 'matches the key you gave' : existing?.key ? 'matches the pinned key' : 'pinned on first use: compare it with the fingerprint the Operator publishes';
  ctx.out.line('Operator ', ctx.out.bold(name), ` ${url}`);
  ctx.out.line('Key fingerprint: ', ctx.out.bold(announced.fingerprint()), ` (${how})`);
  ctx.out.result({ operator: describe(entry), pinned: opts.key === undefined && !existing?.key });
}

/** `comrad operator use NAME` (CLI-14): the Operator used when none is named; local only. */
export async function operatorUse(ctx: Context, name: string): Promise<void> {
  await startCrypto();
  const home = await ctx.unlockHome();
  try {
    const book = await home.operators();
    const entry = book.use(name);
    await book.save();
    ctx.out.line('Default Operator: ', ctx.out.bold(entry.name), ` ${entry.url}`);
    ctx.out.result({ default: entry.name, operator: describe(entry) });
  } finally {
    home.wipe();
  }
}

/** `comrad operator remove NAME` (CLI-14): forgets an Operator and its pinned key; local only. */
export async function operatorRemove(ctx: Context, name: string): Promise<void> {
  await startCrypto();
  const home = await ctx.unlockHome();
  try {
    const book = await home.operators();
    const entry = book.remove(name);
    await book.save();
    ctx.out.line('Removed Operator ', ctx.out.bold(entry.name), ` ${entry.url}`);
    ctx.out.result({ removed: describe(entry) });
  } finally {
    home.wipe();
  }
}

/** `comrad operator list`. */
export async function operatorList(ctx: Context): Promise<void> {
  await startCrypto();
  const home = await ctx.unlockHome();
  let book: OperatorBook;
  try {
    book = await home.operators();
  } finally {
    home.wipe();
  }
  const entries = book.list();
  for (const e of entries) {
    const mark = e.name === book.defaultName ? '*' : ' ';
    ctx.out.line(`${mark} ${e.name}  ${e.url}  `, e.key ? e.key.fingerprint() : ctx.out.dim('(key not pinned yet)'));
  }
  ctx.out.result({ default: book.defaultName, operators: entries.map(describe) });
}

/** A fingerprint as KEY-4 writes it: 8 groups of 4 Crockford base32 characters. */
const FINGERPRINT = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){7}$/;

/** @throws UsageError BAD_KEY when `given` is neither a public key in hex nor a fingerprint */
function checkKeyArgument(given: string): void {
  const g = given.trim().toLowerCase();
  if (FINGERPRINT.test(g)) return;
  if (/^[0-9a-f]+$/.test(g) && g.length % 2 === 0) {
    try {
      PublicKey.from(fromHex(g));
      return;
    } catch {
      // falls through: hex, but not a valid key
    }
  }
  throw new UsageError('BAD_KEY', `--key is malformed: give the Operator's public key in hex (64 digits) or its fingerprint (xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx)`);
}

function matchesKey(given: string, key: PublicKey): boolean {
  const g = given.trim().toLowerCase();
  if (/^[0-9a-f]+$/.test(g) && g.length % 2 === 0) {
    try {
      return PublicKey.from(fromHex(g)).equals(key);
    } catch {
      throw new UsageError('BAD_ARGUMENT', '--key is neither a public key in hex nor a fingerprint');
    }
  }
  return g === key.fingerprint();
}

function describe(e: OperatorEntry) {
  return { name: e.name, url: e.url, ...(e.key ? { key: e.key.toHex(), fingerprint: e.key.fingerprint() } : {}) };
}
