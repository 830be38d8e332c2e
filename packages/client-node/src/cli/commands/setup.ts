/**
 * `comrad init` and `comrad operator add|list`: the home, and which Operators this client trusts.
 * @module
 */
import { fromHex, PublicKey } from '@comrad/core';
import { startCrypto } from '../../crypto-ready.js';
import { UsageError } from '../../errors.js';
import { ensureHome } from '../../home/home.js';
import { OperatorBook, type OperatorEntry } from '../../store/operators.js';
import { OperatorConnection } from '../../transport/connection.js';
import { checkOperatorUrl } from '../../transport/proxy.js';
import type { Context } from '../context.js';

/** `comrad init`: creates the home (0700) with the default Operator entry. */
export async function init(ctx: Context): Promise<void> {
  const paths = await ensureHome(ctx.home);
  const book = await OperatorBook.load(paths.operators);
  await book.save();
  const entry = book.get();
  ctx.out.line(`Home ready: ${paths.root}`);
  ctx.out.line(`Operator: ${entry.name} ${entry.url}${entry.key ? ` (key ${entry.key.fingerprint()})` : ' (key pinned on first use)'}`);
  ctx.out.line(`Next: comrad register NAME`);
  ctx.out.result({ home: paths.root, operator: describe(entry) });
}

/**
 * `comrad operator add URL [--key KEY] [--name N]` (OPS-1, OPS-2): with a key (hex or fingerprint) the
 * Operator must present exactly that key; without one, the key it presents is pinned on first use; an
 * entry that already has a pinned key never silently takes another.
 */
export async function operatorAdd(ctx: Context, url: string, opts: { key?: string; name?: string }): Promise<void> {
  await startCrypto();
  // Refuse a bad address or an onion without Tor (TR-2) before touching anything; with --tor the
  // address is checked again once tor runs.
  if (!ctx.opts.tor) checkOperatorUrl(url, ctx.opts.proxy ?? ctx.env['COMRAD_PROXY'], ctx.opts.insecure === true);
  const paths = await ensureHome(ctx.home);
  const book = await OperatorBook.load(paths.operators);
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

/** `comrad operator list`. */
export async function operatorList(ctx: Context): Promise<void> {
  const paths = await ensureHome(ctx.home);
  const book = await OperatorBook.load(paths.operators);
  const entries = book.list();
  for (const e of entries) {
    const mark = e.name === book.defaultName ? '*' : ' ';
    ctx.out.line(`${mark} ${e.name}  ${e.url}  `, e.key ? e.key.fingerprint() : ctx.out.dim('(key not pinned yet)'));
  }
  ctx.out.result({ default: book.defaultName, operators: entries.map(describe) });
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
