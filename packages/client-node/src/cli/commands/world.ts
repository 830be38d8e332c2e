/**
 * `comrad post`, `comrad feed`, `comrad delete`: the world (`@comrades`).
 * @module
 */
import type { FeedEntry, RejectedPost } from '../../comrade/comrade.js';
import type { CircleEntry } from '../../comrade/circles.js';
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { readText } from '../text.js';
import { follow } from '../follow.js';
import { unixSeconds } from '../output.js';
import { imageJson, readImageFile, saveImage, utcMinute } from './mail.js';

/**
 * `comrad post [TEXT | -] [--file FILE] [--image FILE] [--expires 7d] [--to world|trusted]`: the text read
 * and checked first (CLI-13); `--to trusted` posts to our trusted circle (CIR-7) instead of the world.
 */
export async function post(ctx: Context, textArg: string | undefined, opts: { image?: string; expires?: string; file?: string; to?: string }): Promise<void> {
  const to = audienceOf(opts.to);
  const text = await readText('post', { ...(textArg !== undefined ? { text: textArg } : {}), ...(opts.file !== undefined ? { file: opts.file } : {}), image: opts.image !== undefined });
  const image = opts.image ? await readImageFile(opts.image) : undefined;
  const expiresInDays = opts.expires !== undefined ? parseDays(opts.expires) : undefined;
  if (to === 'trusted') {
    return ctx.withComrade(true, async (c) => {
      const res = await c.circlePost({ text, ...(image ? { image } : {}) }, expiresInDays ? { expiresInDays } : {});
      const { trusted } = await c.trusted();
      ctx.out.line(`Posted to your trusted circle (${trusted.length} comrade${trusted.length === 1 ? '' : 's'}) `, ctx.out.dim(`(post ${res.id}, key ${res.gen})`), `, expires ${new Date(res.expiresAt).toISOString().slice(0, 10)}`);
      ctx.out.result({ to: 'trusted', id: res.id, gen: res.gen, expiresAt: unixSeconds(res.expiresAt) });
    });
  }
  await ctx.withComrade(true, async (c) => {
    const res = await c.post(text, { ...(image ? { image } : {}), ...(expiresInDays ? { expiresInDays } : {}) });
    ctx.out.line('Posted to the world ', ctx.out.dim(`(post ${res.id})`), `, expires ${new Date(res.expiresAt).toISOString().slice(0, 10)}`);
    ctx.out.result({ id: res.id, expiresAt: unixSeconds(res.expiresAt) });
  });
}

/** `comrad feed [--limit N] [--before ID] [--save-images DIR] [--follow [--interval S]]`. */
export async function feed(ctx: Context, opts: { limit?: string; before?: string; saveImages?: string; follow?: boolean; interval?: string }): Promise<void> {
  const limit = opts.limit !== undefined ? positiveInt(opts.limit, '--limit') : undefined;
  if (opts.follow) {
    if (opts.before !== undefined) throw new UsageError('BAD_ARGUMENT', '--follow shows new posts as they appear; it does not go with --before');
    return followFeed(ctx, { ...(opts.saveImages ? { saveImages: opts.saveImages } : {}), ...(opts.interval !== undefined ? { interval: opts.interval } : {}), ...(limit ? { limit } : {}) });
  }
  if (opts.interval !== undefined) throw new UsageError('BAD_ARGUMENT', '--interval goes with --follow');
  await ctx.withComrade(true, async (c) => {
    const page = await c.feed({ ...(limit ? { limit } : {}), ...(opts.before ? { before: opts.before } : {}) });
    // CIR-8: the trusted circles' newest posts join the first page; `--before` pages the world feed only.
    const circles = opts.before === undefined ? await c.circleFeed(limit ? { limit } : {}) : { posts: [], rejected: [] };
    // Other kinds posted to a circle (events) are shown by their own commands.
    circles.posts = circles.posts.filter((p) => p.kind === 'post');
    for (const r of page.rejected) warnRejected(ctx, r);
    for (const r of circles.rejected) ctx.out.warn(`a post in @${r.circle}'s trusted circle failed verification (${r.code}): not shown`);
    const merged = mergeFeeds(page.posts, circles.posts);
    if (merged.length === 0) ctx.out.line('The feed is empty.');
    const out = [];
    for (const p of merged) out.push(await showPost(ctx, p, opts.saveImages));
    if (page.next) ctx.out.line(ctx.out.dim(`more: comrad feed --before ${page.next}`));
    hintSaveImages(ctx, out.filter((p) => p.image && !p.image.saved).length);
    const rejected = [...page.rejected.map((r) => ({ to: 'world' as const, ...r })), ...circles.rejected.map((r) => ({ to: 'trusted' as const, ...r }))];
    ctx.out.result({ posts: out, rejected, ...(page.next ? { next: page.next } : {}) });
  });
}

/** A post of the merged feed: from the world, or from a trusted circle (CIR-8). */
type AnyPost = (FeedEntry & { to: 'world' }) | (CircleEntry & { to: 'trusted' });

/** World and circle posts, newest first by the Operator's time (each feed is already newest first). */
function mergeFeeds(world: readonly FeedEntry[], trusted: readonly CircleEntry[]): AnyPost[] {
  const all: AnyPost[] = [...world.map((p) => ({ ...p, to: 'world' as const })), ...trusted.map((p) => ({ ...p, to: 'trusted' as const }))];
  return all.sort((a, b) => b.postedAt - a.postedAt);
}

/** `--to`: world (default) or trusted. */
function audienceOf(to: string | undefined): 'world' | 'trusted' {
  if (to === undefined || to === 'world') return 'world';
  if (to === 'trusted') return 'trusted';
  throw new UsageError('BAD_ARGUMENT', '--to takes world or trusted');
}

/** How often `feed --follow` reads the feed unless `--interval` says otherwise (CLI-10). */
export const FEED_FOLLOW_INTERVAL_S = 30;
/** How many pages one `feed --follow` check reads back at most to catch up on posts made meanwhile. */
const FOLLOW_MAX_PAGES = 5;

/**
 * `comrad feed --follow` (CLI-10): reads the newest page now and then every `--interval` seconds, showing
 * each post not shown yet in this run, oldest first, until Ctrl-C. With `--json`, one JSON object per
 * line: `{"type":"post",…}` or `{"type":"rejected",…}`.
 */
async function followFeed(ctx: Context, opts: { limit?: number; saveImages?: string; interval?: string }): Promise<void> {
  const everyMs = (opts.interval !== undefined ? positiveInt(opts.interval, '--interval') : FEED_FOLLOW_INTERVAL_S) * 1000;
  await ctx.withComrade(true, async (c) => {
    const seen = new Set<string>();
    let hinted = false;
    const follower = follow({
      pass: async () => {
        // Newest first, page after page, until a page reaches posts already shown: a burst larger than one
        // page between two checks is still shown whole (up to a bound).
        const fresh: AnyPost[] = [];
        const rejected: RejectedPost[] = [];
        let before: string | undefined;
        for (let i = 0; i < FOLLOW_MAX_PAGES; i++) {
          const page = await c.feed({ ...(opts.limit ? { limit: opts.limit } : {}), ...(before ? { before } : {}) });
          fresh.push(...page.posts.filter((p) => !seen.has(p.id)).map((p) => ({ ...p, to: 'world' as const })));
          rejected.push(...page.rejected.filter((r) => !seen.has(r.id)));
          if (seen.size === 0 || page.posts.some((p) => seen.has(p.id)) || !page.next) break;
          before = page.next;
        }
        // CIR-8: the trusted circles' posts too, each once.
        const circles = await c.circleFeed(opts.limit ? { limit: opts.limit } : {});
        fresh.push(...circles.posts.filter((p) => p.kind === 'post' && !seen.has(circleKey(p))).map((p) => ({ ...p, to: 'trusted' as const })));
        fresh.sort((a, b) => b.postedAt - a.postedAt);
        for (const r of rejected) {
          seen.add(r.id);
          warnRejected(ctx, r);
          ctx.out.result({ type: 'rejected', ...r });
        }
        for (const p of fresh.reverse()) {
          seen.add(p.to === 'world' ? p.id : circleKey(p));
          const shown = await showPost(ctx, p, opts.saveImages);
          ctx.out.result({ type: 'post', ...shown });
          if (shown.image && !shown.image.saved && !hinted) hinted = hintSaveImages(ctx, 1);
        }
      },
      everyMs,
      onRetry: (err, inMs) => ctx.out.progress(`the Operator cannot be reached (${err.code}): trying again in ${Math.ceil(inMs / 1000)} s`),
    });
    ctx.out.progress(`following the feed: checking every ${everyMs / 1000} s (Ctrl-C to stop)`);
    await follower.done;
  });
}

/** Says how to keep the images of posts shown without `--save-images` (people only; JSON has `image.saved`). */
function hintSaveImages(ctx: Context, unsaved: number): boolean {
  if (unsaved === 0) return false;
  ctx.out.hint(`${unsaved === 1 ? 'a post holds an image' : `${unsaved} posts hold images`} not saved: add \`--save-images DIR\` to write ${unsaved === 1 ? 'it' : 'them'} into DIR`);
  return true;
}

function warnRejected(ctx: Context, r: RejectedPost): void {
  ctx.out.warn(`post ${r.id} filed under @${r.author} failed verification (${r.code}): not shown`);
}

/** A circle post's identity in `--follow`: ids are unique within one channel only. */
function circleKey(p: CircleEntry): string {
  return `${p.circle}/${p.gen}/${p.id}`;
}

/** Shows one post (images saved when asked), marked world or trusted (CIR-8), and returns it for machines. */
async function showPost(ctx: Context, p: AnyPost, saveImages: string | undefined) {
  const path = p.image && saveImages ? await saveImage(saveImages, p) : undefined;
  // What is shown is what was signed: the author's own time (LET-7), not the Operator's postedAt.
  const image = p.image ? [[`[image ${p.image.mime}, ${(p.image.data.length / 1024).toFixed(1)} KiB${path ? ` → ${path}` : ''}]`]] : [];
  const where = p.to === 'world' ? 'world' : `trusted · @${p.circle}'s circle`;
  // VOTE-5, VOTE-10: the tally, when anyone voted: a world post's, or a trusted post's in its channel.
  const tally = { up: p.up, down: p.down };
  const votes = p.up || p.down ? ` ▲ ${p.up} ▼ ${p.down}` : '';
  ctx.out.block([ctx.out.bold(`@${p.author}`), ` · ${where} · ${utcMinute(p.at)} UTC${votes} `, ctx.out.dim(`post ${p.id}`)], p.text, image);
  // CLI-9: every time in seconds, like the signed `at`.
  const circle = p.to === 'trusted' ? { circle: p.circle, gen: p.gen } : {};
  return { to: p.to, ...circle, id: p.id, author: p.author, text: p.text, at: p.at, postedAt: unixSeconds(p.postedAt), expiresAt: unixSeconds(p.expiresAt), ...tally, ...(p.image ? { image: imageJson(p.image, path) } : {}) };
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
