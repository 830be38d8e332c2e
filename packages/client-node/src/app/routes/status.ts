/**
 * The Status screen's server half: how the app reaches the Operator (directly, through a proxy, through
 * its own tor and how far it has bootstrapped), whether the Operator answers, and what is pending —
 * letters being sent or not sent, letters held over a key change, unlinkable tokens left in the wallet.
 * @module
 */
import { UsageError } from '../../errors.js';
import { str } from '../input.js';
import type { Route, RouteContext } from './index.js';

/**
 * `GET /api/status`, `POST /api/status/check` (probe the proxy and the Operator now),
 * `POST /api/status/resend` and `POST /api/status/forget` (an unsent letter, by id).
 */
export function statusRoutes(ctx: RouteContext): Record<string, Route> {
  const status = async () => {
    const h = ctx.health();
    const c = h.comrade;
    let tokens: number | undefined;
    if (c?.identity) tokens = await c.tokenCount().catch(() => undefined);
    return {
      connected: h.connected,
      transport: h.transport.view(),
      ...(c ? { operatorFingerprint: c.operatorKey.fingerprint() } : {}),
      ...(h.lastContactAt ? { lastContactAt: h.lastContactAt } : {}),
      ...(h.connectError ? { connectError: h.connectError } : {}),
      sentThisSession: h.sentThisSession,
      pending: { ...h.outbox, heldLetters: h.heldLetters, ...(tokens !== undefined ? { tokens } : {}) },
    };
  };
  return {
    'GET /api/status': status,
    /** Asks now: the proxy whether it answers, the Operator (a fresh connection, its pinned key checked) how fast. */
    'POST /api/status/check': async () => {
      const h = ctx.health();
      const probe = await h.transport.probe();
      let operator: { answers: boolean; ms?: number; error?: { code: string; message: string } } | undefined;
      if (h.comrade) {
        try {
          operator = { answers: true, ms: await h.comrade.ping() };
          ctx.touch();
        } catch (err) {
          const e = err as { code?: unknown; message: string };
          operator = { answers: false, error: { code: typeof e.code === 'string' ? e.code : 'INTERNAL', message: e.message } };
        }
      }
      return { ...(probe ? { proxy: probe } : {}), ...(operator ? { operator } : {}), status: await status() };
    },
    'POST /api/status/resend': (i) => ctx.resend(str(i, 'id', 32)),
    'POST /api/status/forget': async (i) => {
      if (!ctx.forget(str(i, 'id', 32))) throw new UsageError('BAD_ARGUMENT', 'no such unsent letter');
      return { forgotten: true };
    },
  };
}
