/**
 * `comrad post`, `comrad feed`, `comrad delete`: the world (`@comrades`).
 * @module
 */
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { readImageFile, saveImage, utcMinute } from './mail.js';

/** `comrad post TEXT [--image FILE] [--expires 7d]`. */
export async function post(ctx: Context, text: string, opts: { image?: string; expires?: string }): Promise<void> {
  const image = opts.image ? await readImageFile(opts.image) : undefined;
  const expiresInDays = opts.expires !== undefined ? parseDays(opts.expires) : undefined;
  await ctx.withComrade(true, async (c) => {
    const res = await c.post(text, { ...(image ? { image } : {}), ...(expiresInDays ? { expiresInDays } : {}) });
    ctx.out.line('Posted to the world ', ctx.out.dim(`(post ${res.id})`), `, expires ${new Date(res.expiresAt).toISOString().slice(0, 10)}`);
    ctx.out.result(res);
  });
}

/** `comrad feed [--limit N] [--before ID] [--save-images DIR]`. */
export async function feed(ctx: Context, opts: { limit?: string; before?: string; saveImages?: string }): Promise<void> {
  const limit = opts.limit !== undefined ? positiveInt(opts.limit, '--limit') : undefined;
  await ctx.withComrade(true, async (c) => {
    const page = await c.feed({ ...(limit ? { limit } : {}), ...(opts.before ? { before: opts.before } : {}) });
    for (const r of page.rejected) ctx.out.warn(`post ${r.id} filed under @${r.author} failed verification (${r.code}): not shown`);
    if (page.posts.length === 0) ctx.out.line('The feed is empty.');
    const out = [];
    for (const p of page.posts) {
      const path = p.image && opts.saveImages ? await saveImage(opts.saveImages, p) : undefined;
      // What is shown is what was signed: the author's own time (LET-7), not the Operator's postedAt.
      const image = p.image ? [[`[image ${p.image.mime}, ${(p.image.data.length / 1024).toFixed(1)} KiB${path ? ` → ${path}` : ''}]`]] : [];
      ctx.out.block([ctx.out.bold(`@${p.author}`), ` · ${utcMinute(p.at)} UTC `, ctx.out.dim(`post ${p.id}`)], p.text, image);
      out.push({ id: p.id, author: p.author, text: p.text, at: p.at, postedAt: p.postedAt, expiresAt: p.expiresAt, ...(p.image ? { image: { mime: p.image.mime, bytes: p.image.data.length, ...(path ? { path } : {}) } } : {}) });
    }
    if (page.next) ctx.out.line(ctx.out.dim(`more: comrad feed --before ${page.next}`));
    ctx.out.result({ posts: out, rejected: page.rejected, ...(page.next ? { next: page.next } : {}) });
  });
}

/** `comrad delete POST`. */
export async function deletePost(ctx: Context, id: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    await c.deletePost(id);
    ctx.out.line(`Deleted post ${id}`);
    ctx.out.result({ deleted: id });
  });
}

/** `7d`, `7` → 7 (days). */
function parseDays(v: string): number {
  const m = /^(\d{1,3})d?$/.exec(v.trim());
  if (!m) throw new UsageError('BAD_ARGUMENT', '--expires takes a number of days, e.g. 7d');
  return positiveInt(m[1]!, '--expires');
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('BAD_ARGUMENT', `${flag} takes a whole number ≥ 1`);
  return n;
}
