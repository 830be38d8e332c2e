/**
 * `comrad event create|invite|rsvp` and `comrad events` (EVT-*): host an event, invite comrades with
 * sealed letters, answer one, list them.
 * @module
 */
import { RSVP_ANSWERS, type RsvpAnswer } from '@comrad/core/envelope';
import { formatWhen, MIN_ID_PREFIX, type EventView } from '../../comrade/events.js';
import { UsageError } from '../../errors.js';
import type { Context } from '../context.js';

/** Options of `comrad event create`. */
export interface CreateOptions {
  title: string;
  when: string;
  where: string;
  note?: string;
  to?: string[];
  expires?: string;
  anonymous?: boolean;
}

/** How long an event lasts when `--when` gives only its start. */
const DEFAULT_LENGTH_S = 2 * 3600;

/** `comrad event create --title T --when START[/END] --where W [--note N] [--to world] [--expires WHEN]`. */
export async function create(ctx: Context, opts: CreateOptions): Promise<void> {
  const nowS = Math.floor(Date.now() / 1000);
  const { start, end } = parseWhen(opts.when, nowS);
  const { to, collective } = opts.anonymous ? { to: 'world' as const, collective: undefined } : audience(opts.to);
  if (opts.anonymous && opts.to !== undefined && !(opts.to.length === 1 && opts.to[0] === 'world')) throw new UsageError('BAD_ARGUMENT', '--anonymous events are for the world: leave out --to');
  const expires = opts.expires !== undefined ? parseMoment(opts.expires, nowS, '--expires') : undefined;
  if (expires !== undefined && to !== 'world') throw new UsageError('BAD_ARGUMENT', '--expires goes with --to world: an invitation lasts until the event ends');
  await ctx.withComrade(true, async (c) => {
    const e = await c.createEvent({ title: opts.title, start, end, where: opts.where, ...(opts.note !== undefined ? { note: opts.note } : {}), to, ...(collective ? { collective } : {}), ...(expires !== undefined ? { expires } : {}), ...(opts.anonymous ? { anonymous: true } : {}) });
    const audienceText = opts.anonymous ? ', posted to the world anonymously' : to === 'world' ? ', posted to the world' : to === 'collective' ? `, posted to the members of @${e.collective}` : to === 'trusted' ? ', posted to those you trust' : ', for those you invite';
    ctx.out.line('Event ', ctx.out.bold(e.id.slice(0, MIN_ID_PREFIX)), ` created: "${e.title}", ${formatWhen(e.start, e.end)}, at ${e.where}`, audienceText);
    ctx.out.hint(opts.anonymous ? 'answers reach you in its one-time mailbox: comrad events' : `invite comrades: comrad event invite ${e.id.slice(0, MIN_ID_PREFIX)} NAME…; see answers: comrad events`);
    ctx.out.result(e);
  });
}

/** `comrad event invite ID NAME…`: a sealed invitation to each (EVT-5). */
export async function invite(ctx: Context, id: string, names: string[]): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const res = await c.inviteToEvent(id, names);
    ctx.out.line(`Invited ${res.invited.map((n) => `@${n}`).join(', ')} to event ${res.id.slice(0, MIN_ID_PREFIX)}.`);
    ctx.out.result(res);
  });
}

/** `comrad event prove ID NAME`: shows NAME, and only them, that we host an anonymous event (EVT-17). */
export async function prove(ctx: Context, id: string, name: string): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const res = await c.proveHost(id, name);
    ctx.out.line(`Sent @${res.to} a proof that you host the anonymous event ${res.id.slice(0, MIN_ID_PREFIX)}.`);
    ctx.out.result(res);
  });
}

/** `comrad event rsvp ID yes|no|maybe`: a sealed answer to the host (EVT-6). */
export async function rsvp(ctx: Context, id: string, answer: RsvpAnswer): Promise<void> {
  if (!(RSVP_ANSWERS as readonly string[]).includes(answer)) throw new UsageError('BAD_ARGUMENT', 'answer yes, no or maybe');
  await ctx.withComrade(true, async (c) => {
    const res = await c.rsvp(id, answer);
    ctx.out.line(`Answered ${res.answer} to @${res.host}'s event ${res.id.slice(0, MIN_ID_PREFIX)}.`);
    ctx.out.result(res);
  });
}

/** `comrad events`: hosted (with answers), invited, seen in the world feed; ended ones are gone (EVT-8). */
export async function events(ctx: Context): Promise<void> {
  await ctx.withComrade(true, async (c) => {
    const list = await c.events();
    if (list.length === 0) ctx.out.line('No events to come: host one with comrad event create, or wait for an invitation.');
    for (const e of list) show(ctx, e);
    ctx.out.result({ events: list });
  });
}

function show(ctx: Context, e: EventView): void {
  const extra = [];
  if (e.role === 'host') {
    const answers = e.rsvps ?? [];
    const where = e.to === 'world' ? 'posted to the world' : e.to === 'collective' ? `posted to the members of @${e.collective}` : e.to === 'trusted' ? 'posted to those you trust' : 'by invitation';
    extra.push([`you host it${e.anonymous ? ' anonymously' : ''}, ${where}; ${answers.length} answer${answers.length === 1 ? '' : 's'}`]);
    for (const r of answers) extra.push([`  @${r.name}: `, r.answer === 'yes' ? ctx.out.good(r.answer) : r.answer === 'no' ? ctx.out.bad(r.answer) : r.answer]);
    const silent = (e.invited ?? []).filter((n) => !answers.some((r) => r.name === n));
    if (silent.length > 0) extra.push([ctx.out.dim(`  not answered: ${silent.map((n) => `@${n}`).join(', ')}`)]);
  } else {
    if (e.hostProof === 'verified') extra.push([ctx.out.good(`@${e.host} proved they host this anonymous event`)]);
    if (e.hostProof === 'failed') extra.push([ctx.out.bad('a claim to host it did not check out: the host is not proven')]);
    extra.push([`${e.role === 'invited' ? 'you are invited' : e.anonymous ? 'in the world, hosted anonymously' : e.collective ? `for the members of @${e.collective}` : e.circle ? `for those @${e.circle} trusts` : 'in the world feed'}; `, e.answer ? `you answered ${e.answer}` : ctx.out.dim(`answer: comrad event rsvp ${e.id.slice(0, MIN_ID_PREFIX)} yes|no|maybe`)]);
  }
  ctx.out.block([ctx.out.bold(e.id.slice(0, MIN_ID_PREFIX)), `  "${e.title}" by ${e.host === '' ? 'an anonymous host' : `@${e.host}`}`], `${formatWhen(e.start, e.end)}, at ${e.where}${e.note ? `\n${e.note}` : ''}`, extra);
}

function audience(to: string[] | undefined): { to: 'world' | 'invited' | 'collective' | 'trusted'; collective?: string | undefined } {
  if (to === undefined || to.length === 0) return { to: 'invited' };
  if (to.length === 1 && (to[0] === 'world' || to[0] === 'trusted')) return { to: to[0] };
  if (to.length === 2 && to[0] === 'collective') return { to: 'collective', collective: to[1] };
  throw new UsageError('BAD_ARGUMENT', '--to takes world, trusted, or collective NAME (leave it out for an event by invitation only)');
}

/**
 * `START[/END]`: START an ISO 8601 time (`2026-12-01T18:00Z`; without a zone, UTC) or `+DURATION` from
 * now; END the same, or `+DURATION` after START; two hours when absent.
 */
export function parseWhen(when: string, nowS: number): { start: number; end: number } {
  const [a, b, more] = String(when).split('/');
  if (more !== undefined || !a) throw new UsageError('BAD_ARGUMENT', '--when takes START or START/END, e.g. 2026-12-01T18:00Z/20:00 or +1d/+2h');
  const start = parseMoment(a, nowS, '--when');
  if (b === undefined) return { start, end: start + DEFAULT_LENGTH_S };
  const t = b.trim();
  if (t.startsWith('+')) return { start, end: start + duration(t.slice(1), '--when') };
  // `18:00/20:00`-style: an end given as a time of day is on the start's day (UTC).
  if (/^\d{1,2}:\d{2}$/.test(t)) return { start, end: parseMoment(`${new Date(start * 1000).toISOString().slice(0, 10)}T${t.padStart(5, '0')}Z`, nowS, '--when') };
  return { start, end: parseMoment(t, nowS, '--when') };
}

function parseMoment(v: string, nowS: number, flag: string): number {
  const t = v.trim();
  if (t.startsWith('+')) return nowS + duration(t.slice(1), flag);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    throw new UsageError('BAD_ARGUMENT', `${flag}: "${t}" is not a time: give 2026-12-01T18:00Z (UTC unless a zone is given) or +2h from now`);
  }
  const iso = t.replace(' ', 'T');
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso.includes('T') ? iso : `${iso}T00:00`}Z`;
  const ms = Date.parse(zoned);
  if (!Number.isFinite(ms)) throw new UsageError('BAD_ARGUMENT', `${flag}: "${t}" is not a time`);
  return Math.floor(ms / 1000);
}

function duration(v: string, flag: string): number {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(v);
  if (!m || v === '') throw new UsageError('BAD_ARGUMENT', `${flag}: "+${v}" is not a duration: give e.g. +90m, +2h or +1d12h`);
  return Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60;
}
