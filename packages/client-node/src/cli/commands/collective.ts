/**
 * `comrad collective …` and `comrad collectives`: self-governing groups (COL-*). Every command reads the
 * collective's whole log, verifies and folds it (the Operator only orders entries it cannot read).
 * @module
 */
import { quorum, type Constitution, type Quorum } from '@comrad/core/collective';
import { normaliseName } from '@comrad/core/envelope';
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';
import { unixSeconds } from '../output.js';
import { readText } from '../text.js';
import { imageJson, readImageFile, saveImage, utcMinute } from './mail.js';

/** The options that shape a constitution (`found`, `propose`). */
export interface ConstitutionOptions {
  quorum?: string;
  amend?: string;
  expel?: string;
  cap?: string;
}

/** The admission cap when `--cap` is not given: a large collective admits with at most this many vouches. */
const DEFAULT_ADMIT_CAP = 10;
/** COL-4: the largest `min` and `cap`. */
const MAX_CAP = 100_000;

/** `comrad collective found NAME [--quorum 0.3] [--amend 0.5] [--expel 0.67] [--cap 10]`. */
export async function found(ctx: Context, name: string, opts: ConstitutionOptions): Promise<void> {
  const constitution = shape(undefined, opts);
  await ctx.withComrade(true, async (c) => {
    const view = await c.found(name, constitution);
    ctx.out.line('Founded ', ctx.out.bold(`@${view.name}`), `: you are its only member. ${describe(constitution)}`);
    ctx.out.hint(`invite someone: comrad collective invite ${view.name} NAME`);
    ctx.out.result({ name: view.name, members: [...view.state.members], constitution });
  });
}

/** `comrad collective invite NAME COMRADE`: the collective's keys in a sealed letter (COL-26). */
export async function invite(ctx: Context, name: string, who: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    await c.invite(name, who);
    ctx.out.line(`Invited @${normaliseName(who)} to @${normaliseName(name)}: they can ask to join with \`comrad collective request ${normaliseName(name)}\``);
    ctx.out.result({ name: normaliseName(name), invited: normaliseName(who) });
  });
}

/** `comrad collective request NAME [NOTE]`: asks to join, with the keys of an invitation. */
export async function request(ctx: Context, name: string, note: string | undefined): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const view = await c.request(name, note);
    const needed = view.state.constitution ? quorum(view.state.constitution.admit, view.state.members.size) : 0;
    ctx.out.line(`Asked to join @${view.name}: ${needed} vouch${needed === 1 ? '' : 'es'} by members admit you.`);
    ctx.out.result({ name: view.name, requested: true, needed });
  });
}

/** `comrad collective requests NAME`: the pending requests and their vouches. */
export async function requests(ctx: Context, name: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const list = await c.requests(name);
    if (list.length === 0) ctx.out.line('No pending requests.');
    for (const r of list) {
      ctx.out.line(ctx.out.bold(`@${r.name}`), `  ${r.vouches.length}/${r.needed} vouches`, r.vouches.length ? ctx.out.dim(` (${r.vouches.map((v) => `@${v}`).join(', ')})`) : '', r.note ? `  “${r.note}”` : '');
    }
    ctx.out.result({ requests: list });
  });
}

/** `comrad collective vouch NAME CANDIDATE`: admits them too when this vouch completes the quorum (COL-12). */
export async function vouch(ctx: Context, name: string, who: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const { admitted, view } = await c.vouch(name, who);
    const candidate = normaliseName(who);
    const left = view.state.requests.get(candidate);
    if (admitted) ctx.out.line(`Vouched for @${candidate}: the quorum is met, @${candidate} is now a member of @${view.name}.`);
    else ctx.out.line(`Vouched for @${candidate}` + (left && view.state.constitution ? `: ${left.vouches.size}/${quorum(view.state.constitution.admit, view.state.members.size)} vouches.` : '.'));
    ctx.out.result({ name: view.name, vouched: candidate, admitted });
  });
}

/** `comrad collective members NAME`: members, the constitution in force, pending proposals. */
export async function members(ctx: Context, name: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const m = await c.members(name);
    ctx.out.line(`${m.members.length} member${m.members.length === 1 ? '' : 's'}: ${m.members.map((n) => `@${n}`).join(', ')}`);
    if (m.constitution) ctx.out.line(ctx.out.dim(describe(m.constitution)));
    for (const p of m.proposals) ctx.out.line(`proposal ${p.id} by @${p.by}: ${describe(p.constitution)} — ${p.yes.length}/${p.needed} yes, ${p.no.length} no`);
    if (m.rejected > 0) ctx.out.warn(`${m.rejected} entr${m.rejected === 1 ? 'y' : 'ies'} of the log refused by the fold (they change nothing)`);
    ctx.out.result(m);
  });
}

/** `comrad collective propose NAME [--quorum F] [--amend F] [--expel F|none] [--cap N]`: from the constitution in force. */
export async function propose(ctx: Context, name: string, opts: ConstitutionOptions): Promise<void> {
  if (opts.quorum === undefined && opts.amend === undefined && opts.expel === undefined && opts.cap === undefined) {
    throw new UsageError('USAGE', 'say what to change: --quorum, --amend, --expel or --cap (see comrad collective propose --help)');
  }
  await ctx.withComrade(true, async (c) => {
    const current = (await c.members(name)).constitution;
    const constitution = shape(current, opts);
    const id = await c.propose(name, constitution);
    ctx.out.line(`Proposed (proposal ${id}): ${describe(constitution)}`);
    ctx.out.hint(`members vote with: comrad collective vote ${normaliseName(name)} ${id} yes`);
    ctx.out.result({ name: normaliseName(name), proposal: id, constitution });
  });
}

/** `comrad collective vote NAME PROPOSAL yes|no`. */
export async function vote(ctx: Context, name: string, proposal: string, answer: 'yes' | 'no'): Promise<void> {
  const id = Number(proposal);
  if (!Number.isInteger(id) || id < 1 || id > 0xffff_ffff) throw new UsageError('BAD_ARGUMENT', 'PROPOSAL is the number `comrad collective members` shows');
  await ctx.withComrade(true, async (c) => {
    const { passed } = await c.vote(name, id, answer === 'yes');
    ctx.out.line(`Voted ${answer} on proposal ${id}${passed ? ': it passed, the new constitution is in force.' : '.'}`);
    ctx.out.result({ name: normaliseName(name), proposal: id, yes: answer === 'yes', passed });
  });
}

/** `comrad collective expel NAME MEMBER`: a vote to expel; the vote that reaches the quorum expels (COL-17). */
export async function expel(ctx: Context, name: string, who: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const { expelled } = await c.expel(name, who);
    const target = normaliseName(who);
    ctx.out.line(expelled ? `@${target} is expelled from @${normaliseName(name)}: the message key is rotated, they read nothing posted from now on.` : `Voted to expel @${target}; more votes are needed.`);
    ctx.out.result({ name: normaliseName(name), who: target, expelled });
  });
}

/**
 * `comrad collective post NAME TEXT [--image FILE] [--expires 7d]`: one message sealed under the
 * collective's current key, readable by its members of this moment only (COL-31..COL-35).
 */
export async function post(ctx: Context, name: string, textArg: string | undefined, opts: { image?: string; expires?: string; file?: string }): Promise<void> {
  const text = await readText('post', { ...(textArg !== undefined ? { text: textArg } : {}), ...(opts.file !== undefined ? { file: opts.file } : {}), image: opts.image !== undefined });
  const image = opts.image ? await readImageFile(opts.image) : undefined;
  const expiresInDays = opts.expires !== undefined ? days(opts.expires) : undefined;
  await ctx.withComrade(true, async (c) => {
    const res = await c.collectivePost(name, image ? { text, image } : text, expiresInDays ? { expiresInDays } : {});
    ctx.out.line(`Posted to @${normaliseName(name)} `, ctx.out.dim(`(message ${res.id})`), `: its members read it; expires ${new Date(res.expiresAt).toISOString().slice(0, 10)}`);
    ctx.out.result({ name: normaliseName(name), id: res.id, epoch: res.epoch, expiresAt: unixSeconds(res.expiresAt) });
  });
}

/** `comrad collective feed NAME [--limit N] [--before ID] [--save-images DIR]`: the messages, newest first, each verified. */
export async function feed(ctx: Context, name: string, opts: { limit?: string; before?: string; saveImages?: string }): Promise<void> {
  const limit = opts.limit !== undefined ? count(opts.limit, '--limit') : undefined;
  await ctx.withComrade(true, async (c) => {
    const page = await c.collectiveFeed(name, { ...(limit ? { limit } : {}), ...(opts.before ? { before: opts.before } : {}) });
    const shut = page.unreadable.filter((u) => u.code === 'NOT_FOUND').length;
    // COL-35: sealed under a key we never held: posted while we were not a member. Not an error.
    if (shut > 0) ctx.out.line(ctx.out.dim(`${shut} message${shut === 1 ? '' : 's'} sealed while you were not a member (you hold no key to them)`));
    for (const u of page.unreadable) if (u.code !== 'NOT_FOUND') ctx.out.warn(`message ${u.id} refused: ${u.code} (not shown)`);
    if (page.messages.length === 0) ctx.out.line(`No messages to read in @${normaliseName(name)}.`);
    const out = [];
    for (const m of page.messages) {
      const path = m.image && opts.saveImages ? await saveImage(opts.saveImages, m) : undefined;
      const image = m.image ? [[`[image ${m.image.mime}, ${(m.image.data.length / 1024).toFixed(1)} KiB${path ? ` → ${path}` : ''}]`]] : [];
      // What is shown is what was signed: the author's own time, and a mark on a former member's words.
      // VOTE-10: the tally, when anyone voted (`comrad vote ID up|down|none` votes on a message shown here).
      const votes = m.up || m.down ? ` ▲ ${m.up} ▼ ${m.down}` : '';
      ctx.out.block([ctx.out.bold(`@${m.author}`), m.former ? ' (no longer a member)' : '', ` · ${utcMinute(m.at)} UTC${votes} `, ctx.out.dim(`message ${m.id}`)], m.text, image);
      out.push({ id: m.id, author: m.author, former: m.former, text: m.text, at: m.at, epoch: m.epoch, postedAt: unixSeconds(m.postedAt), expiresAt: unixSeconds(m.expiresAt), up: m.up, down: m.down, ...(m.image ? { image: imageJson(m.image, path) } : {}) });
    }
    if (page.next) ctx.out.line(ctx.out.dim(`more: comrad collective feed ${normaliseName(name)} --before ${page.next}`));
    ctx.out.result({ name: normaliseName(name), messages: out, unreadable: page.unreadable, ...(page.next ? { next: page.next } : {}) });
  });
}

/** `7d`, `7` → 7 (days). */
function days(v: string): number {
  const m = /^(\d{1,3})d?$/.exec(v.trim());
  if (!m) throw new UsageError('BAD_ARGUMENT', '--expires takes a number of days, e.g. 7d');
  return count(m[1]!, '--expires');
}

/** `comrad collective leave NAME`: leaves, or withdraws a pending request (COL-16). */
export async function leave(ctx: Context, name: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    await c.leave(name);
    ctx.out.line(`You left @${normaliseName(name)}.`);
    ctx.out.result({ name: normaliseName(name), left: true });
  });
}

/** `comrad collectives`: the collectives this home holds keys for. */
export async function collectives(ctx: Context): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const list = await c.collectives();
    if (list.length === 0) ctx.out.line('No collectives yet: found one (comrad collective found NAME) or ask a member to invite you.');
    for (const x of list) ctx.out.line(ctx.out.bold(`@${x.name}`), `  ${x.status}, ${x.members} member${x.members === 1 ? '' : 's'}`, x.requests ? `, ${x.requests} pending request${x.requests === 1 ? '' : 's'}` : '', x.proposals ? `, ${x.proposals} pending proposal${x.proposals === 1 ? '' : 's'}` : '');
    ctx.out.result({ collectives: list });
  });
}

/**
 * A constitution from the options, over `base` (the one in force) or the defaults (also the app's).
 * @throws UsageError BAD_ARGUMENT (a share or count out of range)
 */
export function shape(base: Constitution | undefined, opts: ConstitutionOptions): Constitution {
  const cap = opts.cap !== undefined ? count(opts.cap, '--cap') : (base?.admit.cap ?? DEFAULT_ADMIT_CAP);
  const admit: Quorum = { permille: opts.quorum !== undefined ? share(opts.quorum, '--quorum') : (base?.admit.permille ?? 300), min: 1, cap };
  const amend: Quorum = opts.amend !== undefined ? { permille: share(opts.amend, '--amend'), min: 1, cap: MAX_CAP } : (base?.amend ?? { permille: 500, min: 1, cap: MAX_CAP });
  const expel = opts.expel === 'none' ? undefined : opts.expel !== undefined ? { permille: share(opts.expel, '--expel'), min: 1, cap: MAX_CAP } : base?.expel;
  return expel ? { admit, amend, expel } : { admit, amend };
}

/** `0.3`, `30%` → 300 (thousandths, COL-4). */
function share(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(v.trim());
  const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(n >= 0 && n <= 1)) throw new UsageError('BAD_ARGUMENT', `${flag} takes a share of the members from 0 to 1, e.g. 0.3 or 30%`);
  return Math.round(n * 1000);
}

function count(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CAP) throw new UsageError('BAD_ARGUMENT', `${flag} takes a whole number from 1 to ${MAX_CAP}`);
  return n;
}

/** A constitution in one sentence of words (also the app's). */
export function describe(c: Constitution): string {
  const pct = (q: Quorum) => `${q.permille / 10}%`;
  return `Admission: ${pct(c.admit)} of members vouch (at most ${c.admit.cap}); amendments: ${pct(c.amend)} vote yes; expulsion: ${c.expel ? `${pct(c.expel)} vote` : 'not allowed'}.`;
}
