/**
 * The Collectives screen's half of the local API (COL-*): found, invite, ask to join, vouch, propose,
 * vote, vote to expel, leave, and the collective's feed. Every route is a `Comrade` call, as the CLI's
 * `comrad collective …` makes it; constitutions are shaped and described by the CLI's own helpers, so the
 * app and the terminal offer the same defaults and say the same words.
 * @module
 */
import type { Constitution } from '@comrad/core/collective';
import { describe, shape, type ConstitutionOptions } from '../../cli/commands/collective.js';
import { overviewOf, type CollectiveOverview, type CollectiveView } from '../../comrade/collectives.js';
import { UsageError } from '../../errors.js';
import { imageOf, num, optStr, str, type Input } from '../input.js';
import type { Route, RouteContext } from './index.js';

/** A collective's name as typed (`@portland` is normalised by the Comrade). */
const NAME_MAX = 64;
/** COL-3: a request's note, in code points; the Comrade checks the exact bound. */
const NOTE_MAX = 280 * 2;
/** LIM-4 bounds the post itself; this only keeps a runaway body out before the Comrade sees it. */
const TEXT_MAX = 100_000;
/** COL-4: the largest `cap`. */
const MAX_CAP = 100_000;

/** The routes of the Collectives screen. */
export function collectiveRoutes(ctx: RouteContext): Record<string, Route> {
  /** A network act, after the session's others (no race with its polls). */
  const act = async <T>(run: () => Promise<T>): Promise<T> => {
    const out = await ctx.serial(run);
    ctx.touch();
    return out;
  };
  /** The collective read again (an act that returns no view of its own). */
  const overview = async (name: string) => withWords(await act(() => ctx.ready().collective(name)));
  /** The view an act returned, as the page shows it: no second read of the log. */
  const shown = (view: CollectiveView) => withWords(overviewOf(view, ctx.ready().identity!.name));
  return {
    'GET /api/collectives': async () => {
      const c = ctx.ready();
      const [collectives, invitations] = await ctx.serial(async () => [await c.collectives(), await c.collectiveInvitations()] as const);
      ctx.touch();
      return { collectives, invitations };
    },
    'GET /api/collective': (i) => overview(str(i, 'name', NAME_MAX)),
    'POST /api/collective/found': async (i) => {
      const constitution = shape(undefined, constitutionOf(i));
      const name = str(i, 'name', NAME_MAX);
      return shown(await act(() => ctx.ready().found(name, constitution)));
    },
    'POST /api/collective/invite': async (i) => {
      const name = str(i, 'name', NAME_MAX);
      const who = str(i, 'who', NAME_MAX);
      await act(() => ctx.ready().invite(name, who));
      return { invited: who };
    },
    'POST /api/collective/request': async (i) => {
      const name = str(i, 'name', NAME_MAX);
      const note = optStr(i, 'note', NOTE_MAX);
      return shown(await act(() => ctx.ready().request(name, note)));
    },
    'POST /api/collective/vouch': async (i) => {
      const name = str(i, 'name', NAME_MAX);
      const who = str(i, 'who', NAME_MAX);
      const { admitted, view } = await act(() => ctx.ready().vouch(name, who));
      return { admitted, collective: shown(view) };
    },
    'POST /api/collective/propose': async (i) => {
      const name = str(i, 'name', NAME_MAX);
      const opts = constitutionOf(i);
      const id = await act(async () => {
        const c = ctx.ready();
        // From the constitution in force, as `comrad collective propose` does.
        const current = (await c.collective(name)).constitution;
        return c.propose(name, shape(current, opts));
      });
      return { proposal: id, collective: await overview(name) };
    },
    'POST /api/collective/vote': async (i) => {
      const name = str(i, 'name', NAME_MAX);
      const proposal = num(i, 'proposal');
      if (!Number.isInteger(proposal) || proposal < 1 || proposal > 0xffff_ffff) throw new UsageError('BAD_ARGUMENT', 'proposal is the number of a pending proposal');
      const yes = i['yes'];
      if (typeof yes !== 'boolean') throw new UsageError('BAD_ARGUMENT', 'yes is true or false');
      const { passed } = await act(() => ctx.ready().vote(name, proposal, yes));
      return { passed, collective: await overview(name) };
    },
    'POST /api/collective/expel': async (i) => {
      const name = str(i, 'name', NAME_MAX);
      const who = str(i, 'who', NAME_MAX);
      const { expelled } = await act(() => ctx.ready().expel(name, who));
      return { expelled, collective: await overview(name) };
    },
    'POST /api/collective/leave': async (i) => {
      const name = str(i, 'name', NAME_MAX);
      await act(() => ctx.ready().leave(name));
      return overview(name);
    },
    'GET /api/collective/feed': async (i) => {
      const name = str(i, 'name', NAME_MAX);
      const before = optStr(i, 'before', 128);
      const page = await ctx.serial(() => ctx.ready().collectiveFeed(name, { ...(before ? { before } : {}), limit: 30 }));
      ctx.touch();
      return {
        messages: page.messages.map((m) => {
          const image = m.image ? ctx.blobUrl(m.image) : undefined;
          return { id: m.id, author: m.author, text: m.text, at: m.at, expiresAt: m.expiresAt, former: m.former, up: m.up, down: m.down, ...(image ? { image } : {}) };
        }),
        // COL-35: sealed while we were not a member (no key to them) is not damage; the rest is shown by code.
        notMine: page.unreadable.filter((u) => u.code === 'NOT_FOUND').length,
        refused: page.unreadable.filter((u) => u.code !== 'NOT_FOUND'),
        ...(page.next !== undefined ? { next: page.next } : {}),
      };
    },
    'POST /api/collective/post': async (i) => {
      const name = str(i, 'name', NAME_MAX);
      const text = optStr(i, 'text', TEXT_MAX) ?? '';
      const image = imageOf(i);
      if (text.trim() === '' && !image) throw new UsageError('EMPTY_TEXT', 'the post is empty: write something');
      const days = i['expiresInDays'];
      if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365)) throw new UsageError('BAD_ARGUMENT', 'expiresInDays is a whole number of days');
      const res = await act(() => ctx.ready().collectivePost(name, image ? { text, image } : text, typeof days === 'number' ? { expiresInDays: days } : {}));
      return { id: res.id, expiresAt: res.expiresAt };
    },
  };
}

/**
 * The constitution the page asks for: shares in percent (`quorum` to admit, `amend`, `expel` or `none`)
 * and the admission `cap`, each absent to keep the default or the one in force; handed to the CLI's
 * `shape` as the flags would be.
 */
function constitutionOf(i: Input): ConstitutionOptions {
  const pct = (key: string): string | undefined => {
    if (i[key] === undefined || i[key] === '') return undefined;
    const v = num(i, key);
    if (v < 0 || v > 100) throw new UsageError('BAD_ARGUMENT', `${key} is a share of the members, from 0 to 100 %`);
    return `${v}%`;
  };
  const out: ConstitutionOptions = {};
  const quorum = pct('quorum');
  const amend = pct('amend');
  const expel = i['expel'] === 'none' ? 'none' : pct('expel');
  if (quorum !== undefined) out.quorum = quorum;
  if (amend !== undefined) out.amend = amend;
  if (expel !== undefined) out.expel = expel;
  if (i['cap'] !== undefined && i['cap'] !== '') {
    const cap = num(i, 'cap');
    if (!Number.isInteger(cap) || cap < 1 || cap > MAX_CAP) throw new UsageError('BAD_ARGUMENT', `cap is a whole number from 1 to ${MAX_CAP}`);
    out.cap = String(cap);
  }
  return out;
}

/** A constitution as the page shows it: the rules in percent, and the CLI's sentence for them. */
function constitutionJson(c: Constitution) {
  const pct = (permille: number) => permille / 10;
  return { quorum: pct(c.admit.permille), cap: c.admit.cap, amend: pct(c.amend.permille), expel: c.expel ? pct(c.expel.permille) : null, text: describe(c) };
}

/** The overview with every constitution (in force, proposed) in words. */
function withWords(o: CollectiveOverview) {
  return {
    ...o,
    constitution: o.constitution ? constitutionJson(o.constitution) : null,
    proposals: o.proposals.map((p) => ({ ...p, constitution: constitutionJson(p.constitution) })),
  };
}
