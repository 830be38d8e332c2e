/**
 * Status: how the app reaches the Operator (directly, a proxy, or its own tor and how far it has
 * bootstrapped), whether the Operator answers, and what is pending. `TransportLine` is the same news in
 * one line, for the first run (unlocking waits for tor).
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { api, Card, e, ErrorLine, useAsync, type AppState, type El } from '../kit.js';

interface OutboxItem {
  id: string;
  to: string;
  preview: string;
  since: number;
  error?: { code: string; message: string };
}

/** What `GET /api/status` answers. */
export interface StatusView {
  connected: boolean;
  transport: {
    kind: 'direct' | 'proxy' | 'tor';
    proxy?: string;
    bootstrap?: { percent: number; summary: string; ready: boolean; error?: { code: string; message: string } };
    probe?: { answers: boolean; at: number; ms?: number; why?: string };
    lastRefusal?: { reason: string; at: number };
  };
  operatorFingerprint?: string;
  lastContactAt?: number;
  connectError?: { code: string; message: string };
  sentThisSession: number;
  pending: { sending: OutboxItem[]; unsent: OutboxItem[]; heldLetters: number; tokens?: number };
}

const clock = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

/** Reads the status when `version` grows, and every second while our tor bootstraps. */
function useStatus(version: number): [StatusView | undefined, (s: StatusView) => void] {
  const [s, setS] = useState<StatusView | undefined>();
  useEffect(() => void api<StatusView>('/api/status').then(setS, () => undefined), [version]);
  const booting = s?.transport.kind === 'tor' && !s.transport.bootstrap?.ready && !s.transport.bootstrap?.error;
  useEffect(() => {
    if (!booting) return;
    const t = setInterval(() => void api<StatusView>('/api/status').then(setS, () => undefined), 1000);
    return () => clearInterval(t);
  }, [booting]);
  return [s, setS];
}

function Bootstrap({ b }: { b: NonNullable<StatusView['transport']['bootstrap']> }): El {
  if (b.error) return e('span', { class: 'bad' }, `tor did not start: ${b.error.message.split('\n')[0]} [${b.error.code}]`);
  if (b.ready) return e('span', { class: 'good' }, 'tor is ready (bootstrapped 100 %)');
  return e(
    'span',
    { class: 'tor-boot' },
    e('progress', { max: 100, value: b.percent, 'aria-label': 'tor bootstrap' }),
    ` tor bootstrapped ${b.percent} %: ${b.summary}`,
  );
}

function Transport({ t }: { t: StatusView['transport'] }): El {
  if (t.kind === 'direct') return e('span', null, 'direct (no Tor): the Operator sees this computer’s address');
  return e(
    'span',
    null,
    t.kind === 'tor' ? `through the app's own tor${t.proxy ? ` (SOCKS ${t.proxy})` : ''}` : `through a SOCKS proxy (Tor) at ${t.proxy ?? '?'}`,
    t.bootstrap ? e('br', null) : null,
    t.bootstrap ? e(Bootstrap, { b: t.bootstrap }) : null,
    t.probe ? e('br', null) : null,
    t.probe ? (t.probe.answers ? e('span', { class: 'good' }, `the proxy answers (${t.probe.ms} ms, checked ${clock(t.probe.at)})`) : e('span', { class: 'bad' }, `the proxy does not answer: ${t.probe.why ?? ''} (checked ${clock(t.probe.at)})`)) : null,
    t.lastRefusal ? e('br', null) : null,
    t.lastRefusal ? e('span', { class: 'hint' }, `last time the proxy could not reach the Operator: ${t.lastRefusal.reason} (${clock(t.lastRefusal.at)}): a circuit is being built, or the Operator is down`) : null,
  );
}

/** One line on the first-run screens while the app's own tor bootstraps (or failed); nothing otherwise. */
export function TransportLine(): El | null {
  const [s] = useStatus(0);
  const b = s?.transport.bootstrap;
  if (!b || b.ready) return null;
  return e('p', { class: 'tor-line', role: 'status' }, e(Bootstrap, { b }));
}

export function Status({ state, version }: { state: AppState; version: number }): El {
  const [s, setS] = useStatus(version);
  const [check, setCheck] = useState<{ operator?: { answers: boolean; ms?: number; error?: { code: string; message: string } } } | undefined>();
  const [busy, error, go] = useAsync();
  const checkNow = () =>
    void go(async () => {
      const r = await api<{ operator?: NonNullable<typeof check>['operator']; status: StatusView }>('/api/status/check', {});
      setCheck(r);
      setS(r.status);
    });
  const resend = (id: string) => void go(async () => (await api('/api/status/resend', { id }), setS(await api<StatusView>('/api/status'))));
  const forget = (id: string) => void go(async () => (await api('/api/status/forget', { id }), setS(await api<StatusView>('/api/status'))));
  const p = s?.pending;
  return e(
    'div',
    null,
    e(
      Card,
      { title: 'Status' },
      e(
        'dl',
        null,
        e('dt', null, 'You'),
        e('dd', null, state.me ? `@${state.me.name} ` : '', e('span', { class: 'fingerprint' }, state.me?.fingerprint ?? '')),
        e('dt', null, 'Operator'),
        e(
          'dd',
          { 'data-status': 'operator' },
          s ? (s.connected ? e('span', { class: 'good' }, 'reachable') : e('span', { class: 'bad' }, s.connectError ? `not reachable: ${s.connectError.message}` : 'not reachable: reconnecting')) : '…',
          check?.operator ? e('br', null) : null,
          check?.operator ? (check.operator.answers ? e('span', { class: 'good' }, `answered a fresh connection in ${check.operator.ms} ms`) : e('span', { class: 'bad' }, `a fresh connection failed: ${check.operator.error?.message ?? ''} [${check.operator.error?.code ?? ''}]`)) : null,
        ),
        e('dt', null, 'Operator key'),
        e('dd', null, e('span', { class: 'fingerprint' }, s?.operatorFingerprint ?? '')),
        e('dt', null, 'Connection'),
        e('dd', { 'data-status': 'transport' }, s ? e(Transport, { t: s.transport }) : '…'),
        e('dt', null, 'Last answer from the Operator'),
        e('dd', null, s?.lastContactAt ? clock(s.lastContactAt) : 'none yet'),
        e('dt', null, 'Letters sent since the app started'),
        e('dd', null, String(s?.sentThisSession ?? 0)),
      ),
      e('button', { type: 'button', disabled: busy, onClick: checkNow }, 'Check now'),
      e('p', { class: 'hint' }, 'Check now asks the proxy whether it answers and the Operator on a fresh connection (a new circuit through Tor).'),
      e(ErrorLine, { error }),
    ),
    e(
      Card,
      { title: 'Pending' },
      e(
        'dl',
        { 'data-status': 'pending' },
        e('dt', null, 'Sending now'),
        e('dd', null, p ? (p.sending.length === 0 ? 'nothing' : p.sending.map((l) => `to @${l.to}: “${l.preview}” (since ${clock(l.since)})`).join('; ')) : '…'),
        e('dt', null, 'Not sent'),
        e(
          'dd',
          null,
          p && p.unsent.length > 0
            ? e(
                'ul',
                { class: 'pending' },
                ...p.unsent.map((l) =>
                  e(
                    'li',
                    null,
                    `to @${l.to}: “${l.preview}” — ${l.error?.message ?? ''} [${l.error?.code ?? ''}] `,
                    e('button', { type: 'button', disabled: busy, onClick: () => resend(l.id), 'aria-label': `send again the letter to @${l.to}` }, 'Send again'),
                    ' ',
                    e('button', { type: 'button', disabled: busy, onClick: () => forget(l.id), 'aria-label': `forget the letter to @${l.to}` }, 'Forget'),
                  ),
                ),
              )
            : 'nothing',
          p && p.unsent.length > 0 ? e('p', { class: 'hint' }, 'A letter whose answer was lost may have arrived all the same: sending it again sends a second letter.') : null,
        ),
        e('dt', null, 'Letters held over a key change'),
        e('dd', null, p ? (p.heldLetters === 0 ? 'none' : `${p.heldLetters}: the Operator keeps them until you compare the new key (Contacts)`) : '…'),
        e('dt', null, 'Tokens for anonymous actions'),
        e('dd', null, p?.tokens === undefined ? '…' : `${p.tokens} left in this home (each pays for one vote, pin or letter without naming you)`),
      ),
    ),
  );
}
