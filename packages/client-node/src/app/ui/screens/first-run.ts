/**
 * The first run: create or unlock the home, choose the Operator (fingerprint shown), register a name.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { api, Card, e, ErrorLine, Field, input, useAsync, type AppState, type El } from '../kit.js';

export function Strength({ passphrase, name }: { passphrase: string; name?: string }): El | null {
  const [s, setS] = useState<{ score: number; strongEnough: boolean; warning: string; suggestions: string[] } | undefined>();
  useEffect(() => {
    if (passphrase === '') return setS(undefined);
    const t = setTimeout(() => void api<typeof s>('/api/strength', { passphrase, ...(name ? { name } : {}) }).then(setS, () => undefined), 200);
    return () => clearTimeout(t);
  }, [passphrase, name]);
  if (!s) return null;
  const words = ['very weak', 'weak', 'fair', 'strong', 'very strong'];
  return e(
    'div',
    { class: 'strength', 'aria-live': 'polite' },
    e('meter', { min: 0, max: 4, low: 2, high: 3, optimum: 4, value: s.score, 'aria-label': 'passphrase strength' }),
    e('span', { class: s.strongEnough ? 'good' : 'bad' }, `Strength: ${words[s.score] ?? ''}${s.strongEnough ? '' : ' (too easy to guess)'}`),
    s.warning ? e('p', { class: 'hint' }, s.warning) : null,
    ...s.suggestions.map((t) => e('p', { class: 'hint' }, t)),
  );
}

export function CreateHome({ state, done }: { state: AppState; done: (s: AppState) => void }): El {
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [busy, error, go, setError] = useAsync();
  const submit = (e: Event) => {
    e.preventDefault();
    if (pass !== again) return setError('the two passphrases differ');
    void go(async () => done(await api<AppState>('/api/create', { passphrase: pass })));
  };
  return e(
    Card,
    { title: 'Create your home' },
    e('p', null, `Everything you keep (your keys, contacts, letters) is sealed in ${state.home} under a passphrase.`),
    e('p', { class: 'warning', role: 'note' }, state.lostPassphrase),
    e(
      'form',
      { onSubmit: submit },
      e(Field, { label: 'Passphrase', id: 'new-pass' }, input('new-pass', pass, setPass, { type: 'password', autocomplete: 'new-password', required: true })),
      e(Strength, { passphrase: pass }),
      e(Field, { label: 'Passphrase again', id: 'new-pass-2' }, input('new-pass-2', again, setAgain, { type: 'password', autocomplete: 'new-password', required: true })),
      e('button', { type: 'submit', disabled: busy }, busy ? 'Creating…' : 'Create home'),
      e(ErrorLine, { error }),
    ),
  );
}

export function Unlock({ state, done }: { state: AppState; done: (s: AppState) => void }): El {
  const [pass, setPass] = useState('');
  const [busy, error, go] = useAsync();
  return e(
    Card,
    { title: 'Unlock your home' },
    e('p', null, state.home),
    e(
      'form',
      { onSubmit: (e: Event) => (e.preventDefault(), void go(async () => done(await api<AppState>('/api/unlock', { passphrase: pass })))) },
      e(Field, { label: 'Passphrase', id: 'unlock-pass' }, input('unlock-pass', pass, setPass, { type: 'password', autocomplete: 'current-password', required: true })),
      e('button', { type: 'submit', disabled: busy }, busy ? 'Unlocking…' : 'Unlock'),
      e(ErrorLine, { error }),
    ),
  );
}

export function ChooseOperator({ state, done }: { state: AppState; done: (s: AppState) => void }): El {
  const known = state.operators?.find((o) => o.default);
  const [url, setUrl] = useState(known?.url ?? '');
  const [probed, setProbed] = useState<{ url: string; fingerprint: string } | undefined>();
  const [busy, error, go] = useAsync();
  return e(
    Card,
    { title: 'Choose your Operator' },
    e('p', null, 'The Operator relays your sealed letters and posts. It never reads them, but it must be the one you mean: compare its fingerprint with the one its people publish.'),
    state.connectError ? e('p', { class: 'error', role: 'alert' }, `Could not reach the Operator: ${state.connectError.message}`) : null,
    e(
      'form',
      { onSubmit: (e: Event) => (e.preventDefault(), void go(async () => setProbed(await api('/api/operator/probe', { url })))) },
      e(Field, { label: 'Operator address', id: 'op-url', hint: 'ws://… on this computer, or an onion address through Tor' }, input('op-url', url, (v) => (setUrl(v), setProbed(undefined)), { required: true, spellcheck: false })),
      e('button', { type: 'submit', disabled: busy }, 'Ask for its fingerprint'),
    ),
    probed
      ? e(
          'div',
          { class: 'probed' },
          e('p', null, 'Its key fingerprint:'),
          e('p', { class: 'fingerprint', 'data-fingerprint': 'operator' }, probed.fingerprint),
          e('button', { type: 'button', disabled: busy, onClick: () => void go(async () => done(await api<AppState>('/api/operator/choose', probed))) }, 'Use this Operator'),
        )
      : null,
    e(ErrorLine, { error }),
  );
}

export function Register({ state, done }: { state: AppState; done: (s: AppState) => void }): El {
  const [name, setName] = useState('');
  const [busy, error, go] = useAsync();
  return e(
    Card,
    { title: 'Register your name' },
    state.operator ? e('p', null, 'Operator ', e('span', { class: 'fingerprint' }, state.operator.fingerprint)) : null,
    e('p', { class: 'warning', role: 'note' }, 'Your passphrase is the only way to open this identity: lose it and the name is lost for good.'),
    e(
      'form',
      { onSubmit: (e: Event) => (e.preventDefault(), void go(async () => done(await api<AppState>('/api/register', { name })))) },
      e(Field, { label: 'Name', id: 'reg-name', hint: 'lower-case letters, digits, - and _; names are permanent' }, input('reg-name', name, setName, { required: true, autocomplete: 'username', spellcheck: false })),
      e('button', { type: 'submit', disabled: busy }, busy ? 'Registering…' : 'Register'),
      e(ErrorLine, { error }),
    ),
  );
}

