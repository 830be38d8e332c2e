/**
 * The interface of `comrad app` (Preact, bundled by esbuild into dist/app/app.js). It talks only to the
 * local server (same origin) and holds no secret: the passphrase is sent once to create or unlock the
 * home and never comes back; keys never leave the Node process. Everything remote is rendered as text by
 * Preact (never parsed as HTML), images only from the server's own /api/blob/ URLs.
 *
 * This module is the shell: the first run, then the tabs of `screens/index.ts` and the live updates.
 * @module
 */
import { h, render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, e, type AppState, type El, type Letter, type Post } from './kit.js';
import { ChooseOperator, CreateHome, Register, Unlock } from './screens/first-run.js';
import { SCREENS } from './screens/index.js';
import { TransportLine } from './screens/status.js';

// The shell

const TABS = SCREENS.map((s) => s.tab);
type Tab = string;

function Ready({ state }: { state: AppState }): El {
  const [tab, setTab] = useState<Tab>(TABS[0]!);
  const [letterVersion, setLetterVersion] = useState(0);
  const [fresh, setFresh] = useState<Post[]>([]);
  const [statusVersion, setStatusVersion] = useState(0);
  const [notice, setNotice] = useState<string | undefined>();
  useEffect(() => {
    const es = new EventSource('/api/live');
    es.addEventListener('letters', (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as { received: Letter[]; held: Array<{ from: string }> };
      setLetterVersion((v) => v + 1);
      if (data.received.length > 0) setNotice(`New letter from @${data.received[data.received.length - 1]!.from}`);
      for (const held of data.held) setNotice(`A letter from @${held.from} is held: their key changed. Look them up in Contacts.`);
    });
    es.addEventListener('posts', (e) => setFresh((JSON.parse((e as MessageEvent<string>).data) as { posts: Post[] }).posts));
    es.addEventListener('status', () => setStatusVersion((v) => v + 1));
    return () => es.close();
  }, []);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const to = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : undefined;
    if (to) {
      setTab(to);
      refs.current[to]?.focus();
    }
  };
  return e(
    'div',
    { class: 'shell' },
    e(
      'header',
      null,
      e('h1', null, 'Comrad'),
      e('p', { class: 'who' }, `@${state.me?.name ?? ''}`),
      e(
        'div',
        { role: 'tablist', 'aria-label': 'Sections', onKeyDown: onKey },
        ...TABS.map((t) =>
          e('button', { type: 'button', role: 'tab', id: `tab-${t}`, 'aria-selected': tab === t, 'aria-controls': 'panel', tabIndex: tab === t ? 0 : -1, ref: (el: HTMLButtonElement | null) => (refs.current[t] = el), onClick: () => setTab(t) }, t),
        ),
      ),
    ),
    notice ? e('p', { class: 'notice', role: 'status' }, notice, ' ', e('button', { type: 'button', onClick: () => setNotice(undefined), 'aria-label': 'dismiss' }, '×')) : null,
    e(
      'main',
      { id: 'panel', role: 'tabpanel', 'aria-labelledby': `tab-${tab}` },
      SCREENS.find((s) => s.tab === tab)?.view({ state, letterVersion, statusVersion, fresh }) ?? null,
    ),
  );
}

function App(): El {
  const [state, setState] = useState<AppState | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => void api<AppState>('/api/state').then(setState, (e: Error) => setError(e.message)), []);
  if (error) return e('p', { class: 'error', role: 'alert' }, error);
  if (!state) return e('p', { 'aria-busy': 'true' }, 'Opening…');
  const done = (s: AppState) => setState(s);
  if (state.phase === 'ready') return e(Ready, { state });
  return e(
    'main',
    { class: 'first-run' },
    e('h1', null, 'Comrad'),
    e(TransportLine, null),
    state.phase === 'new' ? e(CreateHome, { state, done }) : null,
    state.phase === 'locked' ? e(Unlock, { state, done }) : null,
    state.phase === 'operator' ? e(ChooseOperator, { state, done }) : null,
    state.phase === 'register' ? e(Register, { state, done }) : null,
  );
}

render(h(App, {}), document.getElementById('app')!);
