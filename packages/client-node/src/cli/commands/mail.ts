/**
 * `comrad send` and `comrad inbox`: letters, end to end, sender sealed.
 * @module
 */
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ComradError, ProtocolError, toHex } from '@comrad/core';
import { atomicWrite } from '@comrad/core/node';
import type { InboxReport } from '../../comrade/inbox.js';
import type { StoredLetter } from '../../store/mail-store.js';
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { readText } from '../text.js';
import { sayCircleKeys } from './circles.js';
import { follow } from '../follow.js';
import { withLocalHome } from '../local.js';
import { unixSeconds, type Output } from '../output.js';

/**
 * `comrad send NAME [TEXT | -] [--file FILE] [--image FILE]`: unlocks the keystore and sends on an
 * anonymous connection of its own; it never logs in, so the Operator cannot tie the letter to this
 * comrade (CL-2). The text is read and checked first (CLI-13): a mistake costs no passphrase.
 */
export async function send(ctx: Context, name: string, textArg: string | undefined, opts: { image?: string; file?: string }): Promise<void> {
  const text = await readText('letter', { ...(textArg !== undefined ? { text: textArg } : {}), ...(opts.file !== undefined ? { file: opts.file } : {}), image: opts.image !== undefined });
  const image = opts.image ? await readImageFile(opts.image) : undefined;
  await ctx.withComrade(true, async (c) => {
    const { id } = await c.send(name, image ? { text, image } : text).catch((err: unknown) => {
      throw notRegistered(err, name);
    });
    ctx.out.line(`Sent to @${name.replace(/^@/, '').toLowerCase()} ${ctx.out.dim(`(letter ${id})`)}`);
    ctx.out.result({ to: name, id });
  });
}

/**
 * `comrad inbox [--save-images DIR]` (`--all`: {@link allLetters}; `--follow`: {@link followInbox}). Each page is shown as soon as it is stored, each letter
 * marked seen only once printed (MAIL-5): killed at any moment, no letter is lost from view, and none is
 * shown twice but one printed in the instant before its mark. `--json` prints one document at the end,
 * then marks what it listed.
 */
export async function inbox(ctx: Context, opts: { all?: boolean; saveImages?: string; follow?: boolean }): Promise<void> {
  if (opts.follow) {
    if (opts.all) throw new UsageError('BAD_ARGUMENT', '--follow shows new letters as they arrive; it does not go with --all');
    return followInbox(ctx, opts);
  }
  if (opts.all) return allLetters(ctx, opts);
  await ctx.withComrade(true, async (c) => {
    const saved: Record<string, string> = {};
    const show = async (l: StoredLetter) => {
      const path = l.image && opts.saveImages ? await saveImage(opts.saveImages, l) : undefined;
      if (path) saved[l.id] = path;
      printLetter(ctx.out, l, path);
    };
    const deferred = ctx.out.json;
    const report = await c.inbox(deferred ? { keepUnseen: true } : { onLetter: show });
    const shown = report.received;
    if (deferred) for (const l of shown) await show(l);
    warnSetApart(ctx.out, report);
    sayCircleKeys(ctx.out, report.circleKeys);
    if (shown.length === 0) ctx.out.line('No new letters.');
    hintSaveImages(ctx.out, shown.filter((l) => l.image && !saved[l.id]).length);
    ctx.out.result({
      letters: shown.map((l) => letterJson(l, saved[l.id])),
      new: report.received.length,
      duplicates: report.duplicates,
      rejected: report.rejected.map(rejectedJson),
      held: report.held,
      circleKeys: report.circleKeys,
    });
    if (deferred) await c.markSeen(report.received);
  });
}

/**
 * `comrad inbox --follow` (CLI-10): stays logged in, shows each letter as it arrives, once (MAIL-5: shown,
 * then marked seen, as a plain `inbox`), until Ctrl-C. A "you have mail" push, or the session coming back
 * after the Operator went away (pushes are not queued, MB-6), starts a pass; so does a slow poll, in case
 * a push was lost. With `--json`, one JSON object per line: `{"type":"letter",…}`, `"rejected"`, `"held"`.
 */
async function followInbox(ctx: Context, opts: { saveImages?: string }): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const show = async (l: StoredLetter) => {
      const path = l.image && opts.saveImages ? await saveImage(opts.saveImages, l) : undefined;
      if (ctx.out.json) ctx.out.result({ type: 'letter', ...letterJson(l, path) });
      else printLetter(ctx.out, l, path);
      if (l.image && !path && !hinted) hinted = hintSaveImages(ctx.out, 1);
    };
    // A held letter stays on the Operator and comes back on every pass: said once per run; so is the hint.
    const heldSaid = new Set<string>();
    let hinted = false;
    const follower = follow({
      pass: async () => {
        const report = await c.inbox({ onLetter: show });
        const held = report.held.filter((h) => !heldSaid.has(toHex(h.signed)));
        for (const h of held) heldSaid.add(toHex(h.signed));
        warnSetApart(ctx.out, { rejected: report.rejected, held });
        if (ctx.out.json) for (const k of report.circleKeys) ctx.out.result({ type: 'circle-key', ...k });
        else sayCircleKeys(ctx.out, report.circleKeys);
        for (const r of report.rejected) ctx.out.result({ type: 'rejected', ...rejectedJson(r) });
        for (const h of held) ctx.out.result({ type: 'held', ...h });
      },
      everyMs: INBOX_POLL_MS,
      onRetry: (err, inMs) => ctx.out.progress(`the Operator cannot be reached (${err.code}): trying again in ${Math.ceil(inMs / 1000)} s`),
    });
    c.on('mail', () => follower.kick());
    c.on('disconnect', () => ctx.out.progress('lost the connection to the Operator: reconnecting…'));
    c.on('reconnect', () => ctx.out.progress('connected to the Operator again'));
    ctx.out.progress('waiting for letters (Ctrl-C to stop)');
    await follower.done;
  });
}

/** A safety poll under `--follow`: pushes are the fast path; this only bounds how late a lost one is noticed. */
const INBOX_POLL_MS = 60_000;

/**
 * CLI-13: "not registered" names who is not: `@nobody is not registered at this Operator`, with the
 * Operator's own reason after it, untouched (remote text: made safe when printed, CLI-4; exact in JSON).
 */
export function notRegistered(err: unknown, name: string): unknown {
  if (!ComradError.is(err) || err.code !== 'NOT_FOUND') return err;
  return new ProtocolError('NOT_FOUND', `@${name.replace(/^@/, '').toLowerCase()} is not registered at this Operator (the Operator says: ${err.message})`);
}

/** Says which letters were set apart or held (never shown), for people. */
function warnSetApart(out: Output, report: Pick<InboxReport, 'rejected' | 'held'>): void {
  for (const r of report.rejected) {
    const who = r.claimedFrom ? `claiming to be from @${r.claimedFrom}` : 'of unknown origin';
    const why = r.reason === 'FORGED' ? `FORGED: not signed by @${r.claimedFrom}'s registered key` : r.reason;
    out.warn(`a letter ${who} was set apart, ${why}. It is not shown.`);
  }
  for (const h of report.held) {
    out.warn(`a letter from @${h.claimedFrom} is held on the Operator: @${h.claimedFrom}'s key changed. Run \`comrad whois ${h.claimedFrom}\` for the evidence; names are permanent, so this is never routine.`);
  }
}

/** A letter set apart, for machines: its time in seconds, as every time in `--json` (CLI-9). */
function rejectedJson(r: InboxReport['rejected'][number]) {
  return 'receivedAt' in r && typeof r.receivedAt === 'number' ? { ...r, receivedAt: unixSeconds(r.receivedAt) } : r;
}

/** A letter for machines (`--json`). */
function letterJson(l: StoredLetter, imagePath?: string) {
  return { id: l.id, from: l.from, at: l.at, text: l.text, verified: true, authorFingerprint: l.authorFingerprint, ...(l.image ? { image: imageJson(l.image, imagePath) } : {}) };
}

/**
 * The image of a letter or a post, for machines: its type and size, `saved` whether `--save-images`
 * wrote it, and `path` where (JSON's own form of the hint people get).
 */
export function imageJson(image: { mime: string; data: Uint8Array }, path: string | undefined) {
  return { mime: image.mime, bytes: image.data.length, saved: path !== undefined, ...(path !== undefined ? { path } : {}) };
}

/**
 * Says, once, how to keep the images of letters shown without `--save-images`. The letters are marked
 * seen once shown (MAIL-5), so the way back to them is `inbox --all`, which reads the home.
 * @param unsaved - how many letters shown hold an image that was not written anywhere
 * @returns whether a hint was given
 */
function hintSaveImages(out: Output, unsaved: number): boolean {
  if (unsaved === 0) return false;
  out.hint(`${unsaved === 1 ? 'a letter holds an image' : `${unsaved} letters hold images`} not saved: \`comrad inbox --all --save-images DIR\` writes ${unsaved === 1 ? 'it' : 'them'} into DIR`);
  return true;
}

/**
 * `comrad inbox --all`: every stored letter, read from the home alone (CLI-11): it works with the Operator
 * down and fetches nothing (a plain `inbox` does). Letters stored but not shown yet are marked seen once
 * listed (MAIL-5).
 */
async function allLetters(ctx: Context, opts: { saveImages?: string }): Promise<void> {
  await withLocalHome(ctx, async ({ mail }) => {
    const unseen = await mail.unseen();
    const all = await mail.list();
    const saved: Record<string, string> = {};
    for (const l of all) {
      const path = l.image && opts.saveImages ? await saveImage(opts.saveImages, l) : undefined;
      if (path) saved[l.id] = path;
      printLetter(ctx.out, l, path);
    }
    if (all.length === 0) ctx.out.line('No letters.');
    hintSaveImages(ctx.out, all.filter((l) => l.image && !saved[l.id]).length);
    ctx.out.result({ letters: all.map((l) => letterJson(l, saved[l.id])), new: 0, duplicates: 0, rejected: [], held: [] });
    for (const l of unseen) await mail.markSeen(l);
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
