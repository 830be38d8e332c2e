/**
 * `comrad register`, `whoami`, `whois`: who I am, and who they are (with the fingerprint to compare out of
 * band, CT-*).
 * @module
 */
import { ComradError, toHex } from '@comrad/core';
import { normaliseName } from '@comrad/core/envelope';
import type { Contact } from '../../store/contacts.js';
import type { Context } from '../context.js';
import { withLocalHome } from '../local.js';
import { unixSeconds } from '../output.js';
import { notRegistered } from './mail.js';
import { whoisProfile } from './profile.js';

/**
 * `comrad register NAME [--weak-passphrase]`: a new identity, registered and sealed in the home. A home
 * without a passphrase yet gets one now (asked twice, its strength checked against the name too, CLI-5).
 */
export async function register(ctx: Context, name: string, opts: { weakPassphrase?: boolean } = {}): Promise<void> {
  const passphrase = await ctx.homePassphrase({ weak: opts.weakPassphrase === true, userInputs: [name.replace(/^@/, '')] });
  await ctx.withComrade(
    false,
    async (c) => {
      const me = await c.register(name, passphrase);
      ctx.out.line(`Registered ${ctx.out.bold(`@${me.name}`)} at ${c.paths.root}`);
      ctx.out.line(`Your key fingerprint: ${ctx.out.bold(me.fingerprint)}`);
      ctx.out.line(ctx.out.dim('Your passphrase is the only way to open this identity: lose it and the name is lost for good.'));
      ctx.out.result({ name: me.name, fingerprint: me.fingerprint, key: me.publicKey.toHex() });
    },
    passphrase,
  );
}

/** `comrad whoami`: read from the home alone, so it works with the Operator down (CLI-11). */
export async function whoami(ctx: Context): Promise<void> {
  await withLocalHome(ctx, async ({ me, operator }) => {
    const fingerprint = me.fingerprint();
    const opFp = operator.key?.fingerprint();
    ctx.out.line(`@${me.name}`);
    ctx.out.line(`fingerprint ${fingerprint}`);
    ctx.out.line(`operator    ${opFp ?? '(key not pinned yet)'}`);
    ctx.out.result({ name: me.name, fingerprint, key: me.publicKey.toHex(), ...(opFp ? { operatorFingerprint: opFp } : {}) });
  });
}

/**
 * `comrad contacts` (CLI-14): the comrades whose keys this home pinned at the Operator in use, with their
 * fingerprints, read from the home alone (CLI-11): it works with the Operator down and creates nothing.
 */
export async function contacts(ctx: Context): Promise<void> {
  await withLocalHome(ctx, async ({ home, operator }) => {
    const pinned = operator.key ? (await home.contacts()).list(operator.key) : [];
    if (pinned.length === 0) ctx.out.line('No contacts yet: `comrad whois NAME` pins a comrade\'s key.');
    for (const c of pinned) ctx.out.line(ctx.out.bold(`@${c.name}`), ` ${c.key.fingerprint()}`, c.changes.length > 0 ? ctx.out.bad(` (${c.changes.length} key change${c.changes.length > 1 ? 's' : ''} seen: comrad whois ${c.name})`) : '');
    ctx.out.result({ contacts: pinned.map(describeContact) });
  });
}

/**
 * `comrad whois NAME [--qr] [--accept-new-key FINGERPRINT]`. When the Operator gives another key than the
 * pinned one, it exits 4 (CT-2) after showing the evidence kept (CT-4); accepting takes the new key's
 * full fingerprint, typed as the person confirmed it (CT-3): no flag alone accepts a changed key.
 */
export async function whois(ctx: Context, name: string, opts: { qr?: boolean; acceptNewKey?: string }): Promise<void> {
  await ctx.withComrade(false, async (c) => {
    if (opts.acceptNewKey !== undefined) {
      const { previous, contact } = await c.acceptKeyChange(name, opts.acceptNewKey);
      ctx.out.line(`@${contact.name} `, ctx.out.bold(contact.key.fingerprint()));
      ctx.out.line(previous && !previous.key.equals(contact.key) ? `accepted the new key (was ${previous.key.fingerprint()}); the evidence of the change stays in this home` : 'pinned');
      ctx.out.result({ ...describeContact(contact), status: 'accepted', ...(previous ? { previous: previous.key.fingerprint() } : {}) });
      return;
    }
    // whois says it on stdout itself, with the fingerprint and the QR code at hand (CLI-15).
    c.removeAllListeners('contact-pinned');
    let contact: Contact & { status: string };
    try {
      contact = await c.lookup(name);
    } catch (err) {
      const pinned = ComradError.is(err, 'KEY_CHANGED') ? c.contacts().find((k) => k.name === normaliseName(name)) : undefined;
      if (pinned) {
        showChanges(ctx, pinned);
        ctx.out.result({ ...describeContact(pinned), status: 'key-changed' });
      }
      throw notRegistered(err, name);
    }
    const fp = contact.key.fingerprint();
    ctx.out.line(`@${contact.name} `, ctx.out.bold(fp));
    ctx.out.line(contact.status === 'new' ? `pinned now: compare this fingerprint with them in person or on another channel (\`comrad whois ${contact.name} --qr\`)` : ctx.out.good('matches the pinned key'));
    showChanges(ctx, contact);
    if (opts.qr && !ctx.out.json) (await import('qrcode-terminal')).default.generate(`comrad:@${contact.name}:${fp}`, { small: true }, (qr: string) => qr.split('\n').forEach((row) => ctx.out.line(row)));
    // PROF-8: the profile, verified against the key just checked; none is said plainly.
    const profile = await whoisProfile(ctx, c, contact.name);
    ctx.out.result({ ...describeContact(contact), status: contact.status, profile });
  });
}

/** The key changes recorded for a contact (CT-4), for people. */
function showChanges(ctx: Context, contact: Contact): void {
  for (const ch of contact.changes) {
    const when = new Date(ch.seenAt).toISOString().slice(0, 10);
    const accepted = ch.acceptedAt !== undefined ? `, accepted ${new Date(ch.acceptedAt).toISOString().slice(0, 10)}` : '';
    ctx.out.line(ctx.out.bad(`key change seen ${when}${accepted}:`), ` ${ch.pinnedKey.fingerprint()} → ${ch.offeredKey.fingerprint()} (Operator-signed statements kept as evidence; --json shows them)`);
  }
}

/** A contact for machines: keys, fingerprints and the Operator-signed statements, in hex (CT-4). */
function describeContact(contact: Contact) {
  return {
    name: contact.name,
    fingerprint: contact.key.fingerprint(),
    key: contact.key.toHex(),
    ...(contact.statement ? { statement: toHex(contact.statement) } : {}),
    changes: contact.changes.map((ch) => ({
      pinned: { fingerprint: ch.pinnedKey.fingerprint(), key: ch.pinnedKey.toHex(), ...(ch.pinnedStatement ? { statement: toHex(ch.pinnedStatement) } : {}) },
      offered: { fingerprint: ch.offeredKey.fingerprint(), key: ch.offeredKey.toHex(), ...(ch.offeredStatement ? { statement: toHex(ch.offeredStatement) } : {}) },
      seenAt: unixSeconds(ch.seenAt),
      ...(ch.acceptedAt !== undefined ? { acceptedAt: unixSeconds(ch.acceptedAt) } : {}),
    })),
  };
}
