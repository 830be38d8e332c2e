/**
 * `comrad send` and `comrad inbox`: letters, end to end, sender sealed.
 * @module
 */
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite } from '@comrad/core/node';
import type { StoredLetter } from '../../store/mail-store.js';
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import type { Output } from '../output.js';

/**
 * `comrad send NAME TEXT [--image FILE]`: unlocks the keystore and sends on an anonymous connection of
 * its own; it never logs in, so the Operator cannot tie the letter to this comrade (CL-2).
 */
export async function send(ctx: Context, name: string, text: string, opts: { image?: string }): Promise<void> {
  const image = opts.image ? await readImageFile(opts.image) : undefined;
  await ctx.withComrade(true, async (c) => {
    const { id } = await c.send(name, image ? { text, image } : text);
    ctx.out.line(`Sent to @${name.replace(/^@/, '').toLowerCase()} ${ctx.out.dim(`(letter ${id})`)}`);
    ctx.out.result({ to: name, id });
  });
}

/**
 * `comrad inbox [--all] [--save-images DIR]`. Each page is shown as soon as it is stored, each letter
 * marked seen only once printed (MAIL-5): killed at any moment, no letter is lost from view, and none is
 * shown twice but one printed in the instant before its mark. `--json` prints one document at the end,
 * then marks what it listed.
 */
export async function inbox(ctx: Context, opts: { all?: boolean; saveImages?: string }): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const saved: Record<string, string> = {};
    const show = async (l: StoredLetter) => {
      const path = l.image && opts.saveImages ? await saveImage(opts.saveImages, l) : undefined;
      if (path) saved[l.id] = path;
      printLetter(ctx.out, l, path);
    };
    const deferred = opts.all || ctx.out.json;
    const report = await c.inbox(deferred ? { keepUnseen: true } : { onLetter: show });
    const shown = opts.all ? await c.letters() : report.received;
    if (deferred) for (const l of shown) await show(l);
    for (const r of report.rejected) {
      const who = r.claimedFrom ? `claiming to be from @${r.claimedFrom}` : 'of unknown origin';
      const why = r.reason === 'FORGED' ? `FORGED: not signed by @${r.claimedFrom}'s registered key` : r.reason;
      ctx.out.warn(`a letter ${who} was set apart, ${why}. It is not shown.`);
    }
    for (const h of report.held) {
      ctx.out.warn(`a letter from @${h.claimedFrom} is held on the Operator: @${h.claimedFrom}'s key changed. Run \`comrad whois ${h.claimedFrom}\` for the evidence; names are permanent, so this is never routine.`);
    }
    if (shown.length === 0) ctx.out.line(opts.all ? 'No letters.' : 'No new letters.');
    ctx.out.result({
      letters: shown.map((l) => ({ id: l.id, from: l.from, at: l.at, text: l.text, verified: true, authorFingerprint: l.authorFingerprint, ...(l.image ? { image: { mime: l.image.mime, bytes: l.image.data.length, ...(saved[l.id] ? { path: saved[l.id] } : {}) } } : {}) })),
      new: report.received.length,
      duplicates: report.duplicates,
      rejected: report.rejected,
      held: report.held,
    });
    if (deferred) await c.markSeen(report.received);
  });
}

function printLetter(out: Output, l: StoredLetter, imagePath?: string): void {
  const image = l.image ? [[`[image ${l.image.mime}, ${(l.image.data.length / 1024).toFixed(1)} KiB${imagePath ? ` → ${imagePath}` : ''}]`]] : [];
  out.block([out.bold(`From @${l.from}`), ` · ${utcMinute(l.at)} UTC · `, out.good('verified'), ' ', out.dim(l.authorFingerprint)], l.text, image);
}

/** A time in seconds as `YYYY-MM-DD HH:MM` (UTC). */
export function utcMinute(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16);
}

/** Reads an image file given on the command line. @throws UsageError BAD_ARGUMENT */
export async function readImageFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    throw new UsageError('BAD_ARGUMENT', `cannot read the image file ${path}`);
  }
}

/**
 * Writes a received image into `dir`, named by the letter id: atomically and 0600 (HOME-2), so saving the
 * same letter again neither follows a link planted under that name nor keeps an older, wider mode.
 */
export async function saveImage(dir: string, l: { id: string; image?: { mime: string; data: Uint8Array } }): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ext = l.image!.mime === 'image/webp' ? 'webp' : l.image!.mime === 'image/png' ? 'png' : 'jpg';
  const path = join(dir, `${l.id}.${ext}`);
  await atomicWrite(path, l.image!.data);
  return path;
}
