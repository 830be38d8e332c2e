/**
 * `comrad register`, `whoami`, `whois`: who I am, and who they are (with the fingerprint to compare out of
 * band, CT-*).
 * @module
 */
import qrcode from 'qrcode-terminal';
import type { Context } from '../context.js';

/** `comrad register NAME`: a new identity, registered and sealed under a new passphrase. */
export async function register(ctx: Context, name: string): Promise<void> {
  const passphrase = await ctx.passphrase(true);
  await ctx.withComrade(false, async (c) => {
    const me = await c.register(name, passphrase);
    ctx.out.line('Registered ', ctx.out.bold(`@${me.name}`), ` at ${c.paths.root}`);
    ctx.out.line('Your key fingerprint: ', ctx.out.bold(me.fingerprint));
    ctx.out.line(ctx.out.dim('Keep your passphrase safe: without it this identity cannot be opened.'));
    ctx.out.result({ name: me.name, fingerprint: me.fingerprint, key: me.publicKey.toHex() });
  });
}

/** `comrad whoami`. */
export async function whoami(ctx: Context): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const me = c.identity!;
    ctx.out.line(`@${me.name}`);
    ctx.out.line(`fingerprint ${me.fingerprint}`);
    ctx.out.line(`operator    ${c.operatorKey.fingerprint()}`);
    ctx.out.result({ name: me.name, fingerprint: me.fingerprint, key: me.publicKey.toHex(), operatorFingerprint: c.operatorKey.fingerprint() });
  });
}

/** `comrad whois NAME [--qr] [--accept-new-key]`. */
export async function whois(ctx: Context, name: string, opts: { qr?: boolean; acceptNewKey?: boolean }): Promise<void> {
  await ctx.withComrade(false, async (c) => {
    if (opts.acceptNewKey) {
      const { previous, contact } = await c.acceptKeyChange(name);
      ctx.out.line(`@${contact.name} `, ctx.out.bold(contact.key.fingerprint()));
      ctx.out.line(previous && !previous.key.equals(contact.key) ? `accepted the new key (was ${previous.key.fingerprint()})` : 'pinned');
      ctx.out.result({ name: contact.name, fingerprint: contact.key.fingerprint(), key: contact.key.toHex(), status: 'accepted', ...(previous ? { previous: previous.key.fingerprint() } : {}) });
      return;
    }
    const contact = await c.lookup(name);
    const fp = contact.key.fingerprint();
    ctx.out.line(`@${contact.name} `, ctx.out.bold(fp));
    ctx.out.line(contact.status === 'new' ? 'pinned now: compare this fingerprint with them in person or on another channel' : ctx.out.good('matches the pinned key'));
    if (opts.qr && !ctx.out.json) qrcode.generate(`comrad:@${contact.name}:${fp}`, { small: true }, (qr: string) => qr.split('\n').forEach((row) => ctx.out.line(row)));
    ctx.out.result({ name: contact.name, fingerprint: fp, key: contact.key.toHex(), status: contact.status });
  });
}
