/**
 * Status: the Operator's reachability and the transport.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { api, Card, e, type AppState, type El } from '../kit.js';

export function Status({ state, version }: { state: AppState; version: number }): El {
  const [s, setS] = useState<{ connected: boolean; transport: string; operatorFingerprint?: string; lastContactAt?: number; sentThisSession: number } | undefined>();
  useEffect(() => void api<typeof s>('/api/status').then(setS, () => undefined), [version]);
  return e(
    Card,
    { title: 'Status' },
    e(
      'dl',
      null,
      e('dt', null, 'You'),
      e('dd', null, state.me ? `@${state.me.name} ` : '', e('span', { class: 'fingerprint' }, state.me?.fingerprint ?? '')),
      e('dt', null, 'Operator'),
      e('dd', null, s ? (s.connected ? e('span', { class: 'good' }, 'reachable') : e('span', { class: 'bad' }, 'not reachable: reconnecting')) : '…'),
      e('dt', null, 'Operator key'),
      e('dd', null, e('span', { class: 'fingerprint' }, s?.operatorFingerprint ?? '')),
      e('dt', null, 'Connection'),
      e('dd', null, s?.transport === 'proxy' ? 'through Tor (SOCKS proxy)' : 'direct (no Tor)'),
      e('dt', null, 'Last answer from the Operator'),
      e('dd', null, s?.lastContactAt ? new Date(s.lastContactAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : 'none yet'),
      e('dt', null, 'Letters sent since the app started'),
      e('dd', null, String(s?.sentThisSession ?? 0)),
    ),
  );
}

