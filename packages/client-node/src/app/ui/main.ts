/**
 * The interface of `comrad app` (Preact, bundled by esbuild into dist/app/app.js). It talks only to the
 * local server (same origin) and holds no secret: the passphrase is sent once to create or unlock the
 * home and never comes back; keys never leave the Node process. Everything remote is rendered as text by
 * Preact (never parsed as HTML), images only from the server's own /api/blob/ URLs.
 * @module
 */
import { h, render, type ComponentChildren, type VNode } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** What every component returns. */
type El = VNode<Record<string, unknown>>;
/**
 * Preact's `h` with loose props: the interface is written without JSX (the repository's one tsconfig
 * compiles no JSX), and children are passed as arguments, so a component's `children` prop is optional.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const e = h as unknown as (type: string | ((props: any) => El | null), props?: Record<string, unknown> | null, ...children: ComponentChildren[]) => El;

// ---------------------------------------------------------------------------------------------------
// The local API

/** An error the local server answered, with its closed code. */
class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, body === undefined ? { credentials: 'same-origin' } : { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: Record<string, unknown> } };
  if (!res.ok) throw new ApiError(json.error?.code ?? String(res.status), json.error?.message ?? res.statusText, json.error?.details);
  return json as T;
}

interface AppState {
  phase: 'new' | 'locked' | 'operator' | 'register' | 'ready';
  home: string;
  lostPassphrase: string;
  me?: { name: string; fingerprint: string };
  operator?: { fingerprint: string };
  connectError?: { code: string; message: string };
  operators?: Array<{ name: string; url: string; fingerprint?: string; default: boolean }>;
}

interface Letter {
  id: string;
  from: string;
  to: string;
  at: number;
  /** Arrival (received) or sending (sent) here, in ms: the order of a conversation. */
  order: number;
  text: string;
  kind?: string;
  fingerprint?: string;
  image?: string;
  sent?: boolean;
}

interface Post {
  id: string;
  author: string;
  text: string;
  at: number;
  expiresAt: number;
  image?: string;
}

interface ContactView {
  name: string;
  fingerprint: string;
  changes: Array<{ pinned: string; offered: string; seenAt: number; acceptedAt?: number }>;
}

// ---------------------------------------------------------------------------------------------------
// Small parts

const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

function useAsync(): [boolean, string | undefined, (run: () => Promise<void>) => Promise<void>, (e: string | undefined) => void] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const go = useCallback(async (run: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await run();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} [${err.code}]` : String(err));
    } finally {
      setBusy(false);
    }
  }, []);
  return [busy, error, go, setError];
}

function ErrorLine({ error }: { error: string | undefined }): El | null {
  return error ? e('p', { class: 'error', role: 'alert' }, error) : null;
}

function Field(props: { label: string; id: string; children?: ComponentChildren; hint?: string }): El {
  return e('div', { class: 'field' }, e('label', { for: props.id }, props.label), props.children, props.hint ? e('p', { class: 'hint', id: `${props.id}-hint` }, props.hint) : null);
}

function input(id: string, value: string, set: (v: string) => void, extra: Record<string, unknown> = {}): El {
  return e('input', { id, value, onInput: (e: Event) => set((e.target as HTMLInputElement).value), ...extra });
}

function Card(props: { title: string; children: ComponentChildren }): El {
  return e('section', { class: 'card', 'aria-labelledby': slug(props.title) }, e('h2', { id: slug(props.title) }, props.title), props.children);
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

// ---------------------------------------------------------------------------------------------------
// First run

function Strength({ passphrase, name }: { passphrase: string; name?: string }): El | null {
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

function CreateHome({ state, done }: { state: AppState; done: (s: AppState) => void }): El {
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

function Unlock({ state, done }: { state: AppState; done: (s: AppState) => void }): El {
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

function ChooseOperator({ state, done }: { state: AppState; done: (s: AppState) => void }): El {
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

function Register({ state, done }: { state: AppState; done: (s: AppState) => void }): El {
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

// ---------------------------------------------------------------------------------------------------
// Letters

function ImagePicker({ id, file, setFile }: { id: string; file: File | undefined; setFile: (f: File | undefined) => void }): El {
  const [preview, setPreview] = useState<string | undefined>();
  useEffect(() => {
    if (!file) return setPreview(undefined);
    const u = URL.createObjectURL(file);
    setPreview(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  return e(
    'div',
    { class: 'field' },
    e('label', { for: id }, 'Image (optional; its metadata is removed before it leaves)'),
    e('input', { id, type: 'file', accept: 'image/jpeg,image/png,image/webp', onChange: (e: Event) => setFile((e.target as HTMLInputElement).files?.[0]) }),
    preview ? e('img', { class: 'preview', src: preview, alt: 'preview of the image to send' }) : null,
  );
}

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function Letters({ me, version }: { me: string; version: number }): El {
  const [letters, setLetters] = useState<Letter[]>([]);
  const [open, setOpen] = useState<string | undefined>();
  const [to, setTo] = useState('');
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | undefined>();
  const [busy, error, go] = useAsync();
  const load = useCallback(async () => {
    const r = await api<{ letters: Letter[]; sent: Array<{ id: string; to: string; at: number; text: string; order: number }> }>('/api/letters');
    setLetters([...r.letters, ...r.sent.map((s) => ({ ...s, from: me, sent: true }))].sort((a, b) => a.order - b.order));
  }, [me]);
  useEffect(() => void load().catch(() => undefined), [load, version]);
  const peer = (l: Letter) => (l.sent ? l.to : l.from);
  const peers = [...new Set(letters.map(peer))];
  const shown = open ? letters.filter((l) => peer(l) === open) : [];
  useEffect(() => {
    const unseen = shown.filter((l) => !l.sent).map((l) => l.id);
    if (unseen.length > 0) void api('/api/letters/seen', { ids: unseen }).catch(() => undefined);
  }, [open, letters.length]);
  const send = (e: Event) => {
    e.preventDefault();
    const target = (open ?? to).replace(/^@/, '');
    void go(async () => {
      await api('/api/send', { to: target, text, ...(file ? { image: await base64Of(file) } : {}) });
      setText('');
      setFile(undefined);
      setOpen(target.toLowerCase());
      await load();
    });
  };
  return e(
    'div',
    { class: 'split' },
    e(
      'nav',
      { 'aria-label': 'Conversations', class: 'list' },
      e('h2', null, 'Conversations'),
      e('button', { type: 'button', onClick: () => setOpen(undefined), 'aria-pressed': open === undefined }, 'New letter'),
      peers.length === 0 ? e('p', { class: 'hint' }, 'No letters yet.') : null,
      e('ul', null, ...peers.map((p) => e('li', null, e('button', { type: 'button', 'aria-pressed': open === p, onClick: () => setOpen(p) }, `@${p}`)))),
    ),
    e(
      'section',
      { class: 'thread', 'aria-label': open ? `Conversation with @${open}` : 'New letter' },
      open ? e('h2', null, `@${open}`) : e('h2', null, 'New letter'),
      e(
        'ol',
        { class: 'messages' },
        ...shown.map((l) =>
          e(
            'li',
            { class: l.sent ? 'mine' : 'theirs' },
            e('p', { class: 'meta' }, l.sent ? `to @${l.to} · ${when(l.at)}` : `from @${l.from} · ${when(l.at)} · verified`),
            e('p', { class: 'text' }, l.text),
            l.image ? e('img', { src: l.image, alt: `image from @${l.from}`, class: 'shared' }) : null,
          ),
        ),
      ),
      e(
        'form',
        { onSubmit: send, class: 'compose' },
        open ? null : e(Field, { label: 'To', id: 'letter-to' }, input('letter-to', to, setTo, { required: true, spellcheck: false, placeholder: 'name' })),
        e(Field, { label: 'Letter', id: 'letter-text' }, e('textarea', { id: 'letter-text', value: text, rows: 3, onInput: (e: Event) => setText((e.target as HTMLTextAreaElement).value) })),
        e(ImagePicker, { id: 'letter-image', file, setFile }),
        e('button', { type: 'submit', disabled: busy }, busy ? 'Sending…' : 'Send letter'),
        e(ErrorLine, { error }),
      ),
    ),
  );
}

function Contacts(): El {
  const [contacts, setContacts] = useState<ContactView[]>([]);
  const [name, setName] = useState('');
  const [found, setFound] = useState<(ContactView & { status: string }) | undefined>();
  const [changed, setChanged] = useState<ContactView | undefined>();
  const [accept, setAccept] = useState('');
  const [busy, error, go] = useAsync();
  const load = async () => setContacts((await api<{ contacts: ContactView[] }>('/api/contacts')).contacts);
  useEffect(() => void load().catch(() => undefined), []);
  const lookup = (e: Event) => {
    e.preventDefault();
    setFound(undefined);
    setChanged(undefined);
    void go(async () => {
      try {
        setFound(await api('/api/lookup', { name }));
      } catch (err) {
        if (err instanceof ApiError && err.code === 'KEY_CHANGED' && err.details?.['contact']) setChanged(err.details['contact'] as ContactView);
        else throw err;
      }
      await load();
    });
  };
  return e(
    'div',
    null,
    e(
      Card,
      { title: 'Look a comrade up' },
      e(
        'form',
        { onSubmit: lookup },
        e(Field, { label: 'Name', id: 'lookup-name' }, input('lookup-name', name, setName, { required: true, spellcheck: false })),
        e('button', { type: 'submit', disabled: busy }, 'Look up'),
      ),
      found
        ? e('p', null, `@${found.name} `, e('span', { class: 'fingerprint' }, found.fingerprint), found.status === 'new' ? ' — pinned now: compare this fingerprint with them in person.' : ' — matches the pinned key.')
        : null,
      changed
        ? e(
            'div',
            { class: 'alarm', role: 'alert' },
            e('h3', null, `@${changed.name}'s key CHANGED`),
            e('p', null, 'The Operator now gives another key for this name. Names are permanent, so this is never routine: it may be someone else. Do not write to them until you have compared the new fingerprint in person.'),
            ...changed.changes.map((c) => e('p', null, e('span', { class: 'fingerprint' }, c.pinned), ' → ', e('span', { class: 'fingerprint' }, c.offered))),
            e(
              'form',
              { onSubmit: (e: Event) => (e.preventDefault(), void go(async () => (await api('/api/accept-key', { name: changed.name, fingerprint: accept }), setChanged(undefined), await load()))) },
              e(Field, { label: 'To accept, type the new fingerprint as they read it to you', id: 'accept-fp' }, input('accept-fp', accept, setAccept, { spellcheck: false })),
              e('button', { type: 'submit', disabled: busy }, 'Accept the new key'),
            ),
          )
        : null,
      e(ErrorLine, { error }),
    ),
    e(
      Card,
      { title: 'Contacts' },
      contacts.length === 0 ? e('p', { class: 'hint' }, 'No contacts yet.') : null,
      e(
        'ul',
        { class: 'contacts' },
        ...contacts.map((c) =>
          e('li', null, e('strong', null, `@${c.name}`), ' ', e('span', { class: 'fingerprint' }, c.fingerprint), c.changes.length > 0 ? e('span', { class: 'bad' }, ` (${c.changes.length} key change${c.changes.length > 1 ? 's' : ''} seen)`) : null),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// World

function World({ fresh }: { fresh: Post[] }): El {
  const [posts, setPosts] = useState<Post[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [text, setText] = useState('');
  const [days, setDays] = useState('7');
  const [file, setFile] = useState<File | undefined>();
  const [busy, error, go] = useAsync();
  const load = async () => {
    const page = await api<{ posts: Post[]; next?: string }>('/api/feed');
    setPosts(page.posts);
    setNext(page.next);
  };
  useEffect(() => void go(load), []);
  useEffect(() => {
    if (fresh.length > 0) setPosts((old) => [...fresh.filter((p) => !old.some((o) => o.id === p.id)), ...old]);
  }, [fresh]);
  const post = (e: Event) => {
    e.preventDefault();
    void go(async () => {
      await api('/api/post', { text, expiresInDays: Number(days), ...(file ? { image: await base64Of(file) } : {}) });
      setText('');
      setFile(undefined);
      await load();
    });
  };
  return e(
    'div',
    null,
    e(
      Card,
      { title: 'Post to the world' },
      e(
        'form',
        { onSubmit: post },
        e(Field, { label: 'Post', id: 'post-text', hint: 'readable by every registered comrade' }, e('textarea', { id: 'post-text', value: text, rows: 3, onInput: (e: Event) => setText((e.target as HTMLTextAreaElement).value) })),
        e(
          Field,
          { label: 'Expires after', id: 'post-days' },
          e('select', { id: 'post-days', value: days, onChange: (e: Event) => setDays((e.target as HTMLSelectElement).value) }, ...['1', '3', '7', '14', '30'].map((d) => e('option', { value: d }, `${d} day${d === '1' ? '' : 's'}`))),
        ),
        e(ImagePicker, { id: 'post-image', file, setFile }),
        e('button', { type: 'submit', disabled: busy }, busy ? 'Posting…' : 'Post'),
        e(ErrorLine, { error }),
      ),
    ),
    e(
      'section',
      { class: 'feed', 'aria-label': 'World feed' },
      e('h2', null, 'World feed'),
      posts.length === 0 ? e('p', { class: 'hint' }, 'The feed is empty.') : null,
      e(
        'ol',
        { class: 'posts' },
        ...posts.map((p) =>
          e(
            'li',
            { class: 'post' },
            e('p', { class: 'meta' }, e('strong', null, `@${p.author}`), ` · ${when(p.at)} · expires ${new Date(p.expiresAt).toISOString().slice(0, 10)}`),
            e('p', { class: 'text' }, p.text),
            p.image ? e('img', { src: p.image, alt: `image posted by @${p.author}`, class: 'shared' }) : null,
            e(Vote, { id: p.id, author: p.author }),
          ),
        ),
      ),
      next
        ? e('button', { type: 'button', onClick: () => void go(async () => {
            const page = await api<{ posts: Post[]; next?: string }>(`/api/feed?before=${encodeURIComponent(next)}`);
            setPosts((old) => [...old, ...page.posts]);
            setNext(page.next);
          }) }, 'Older posts')
        : null,
    ),
  );
}

/** Up or down, anonymously (VOTE-*): the tally comes back with the vote. */
function Vote({ id, author }: { id: string; author: string }): El {
  const [tally, setTally] = useState<{ up: number; down: number } | undefined>();
  const [busy, error, go] = useAsync();
  const vote = (choice: 'up' | 'down') => void go(async () => setTally(await api('/api/post/vote', { id, choice })));
  return e(
    'div',
    { class: 'vote' },
    e('button', { type: 'button', disabled: busy, onClick: () => vote('up'), 'aria-label': `vote up the post by @${author}` }, '▲ Up'),
    ' ',
    e('button', { type: 'button', disabled: busy, onClick: () => vote('down'), 'aria-label': `vote down the post by @${author}` }, '▼ Down'),
    tally ? e('span', { class: 'tally', role: 'status' }, ` ${tally.up} up, ${tally.down} down`) : null,
    e(ErrorLine, { error }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Events

interface EventItem {
  id: string;
  host: string;
  title: string;
  start: number;
  end: number;
  where: string;
  note: string;
  role: 'host' | 'invited' | 'seen';
  anonymous?: boolean;
  invited?: string[];
  rsvps?: Array<{ name: string; answer: string }>;
  answer?: string;
}

function Events({ version }: { version: number }): El {
  const [events, setEvents] = useState<EventItem[]>([]);
  const [title, setTitle] = useState('');
  const [start, setStart] = useState(() => new Date(Date.now() + 86_400_000).toISOString().slice(0, 16));
  const [hours, setHours] = useState('2');
  const [where, setWhere] = useState('');
  const [to, setTo] = useState('invited');
  const [anonymous, setAnonymous] = useState(false);
  const [inviteNames, setInviteNames] = useState<Record<string, string>>({});
  const [busy, error, go] = useAsync();
  const load = async () => setEvents((await api<{ events: EventItem[] }>('/api/events')).events);
  useEffect(() => void go(load), [version]);
  const create = (ev: Event) => {
    ev.preventDefault();
    void go(async () => {
      // The time is read as UTC, as the CLI reads it: what is shown to others is UTC too.
      await api('/api/event', { title, start: Math.floor(Date.parse(`${start}Z`) / 1000), hours: Number(hours), where, to, anonymous });
      setTitle('');
      setWhere('');
      await load();
    });
  };
  return e(
    'div',
    null,
    e(
      Card,
      { title: 'Host an event' },
      e(
        'form',
        { onSubmit: create },
        e(Field, { label: 'Title', id: 'event-title' }, input('event-title', title, setTitle, { required: true, maxLength: 200 })),
        e('div', { class: 'row' },
          e(Field, { label: 'Starts (UTC)', id: 'event-start' }, input('event-start', start, setStart, { type: 'datetime-local', required: true })),
          e(Field, { label: 'Hours', id: 'event-hours' }, input('event-hours', hours, setHours, { inputmode: 'decimal' })),
        ),
        e(Field, { label: 'Where', id: 'event-where' }, input('event-where', where, setWhere, { required: true, maxLength: 200 })),
        e(
          Field,
          { label: 'Who sees it', id: 'event-to' },
          e('select', { id: 'event-to', value: to, onChange: (x: Event) => setTo((x.target as HTMLSelectElement).value) }, e('option', { value: 'invited' }, 'only those I invite'), e('option', { value: 'world' }, 'the world feed')),
        ),
        e('div', { class: 'field' }, e('label', null, e('input', { type: 'checkbox', checked: anonymous, onChange: (x: Event) => setAnonymous((x.target as HTMLInputElement).checked) }), ' Host it anonymously (a one-time key; posted to the world)')),
        e('button', { type: 'submit', disabled: busy }, 'Create event'),
      ),
    ),
    e(ErrorLine, { error }),
    e(
      'section',
      { 'aria-label': 'Upcoming events' },
      e('h2', null, 'Upcoming events'),
      events.length === 0 ? e('p', { class: 'hint' }, 'No events to come.') : null,
      e(
        'ol',
        { class: 'posts events' },
        ...events.map((v) =>
          e(
            'li',
            { class: 'event' },
            e('h3', null, v.title),
            e('p', { class: 'meta' }, `${when(v.start)} → ${when(v.end)} · ${v.where} · ${v.role === 'host' ? 'you host it' : v.anonymous ? 'anonymous host' : `hosted by @${v.host}`}`),
            v.note ? e('p', { class: 'text' }, v.note) : null,
            v.role === 'host'
              ? e(
                  'div',
                  null,
                  e('p', null, `Invited: ${v.invited?.length ? v.invited.map((n) => `@${n}`).join(', ') : 'nobody yet'}`),
                  e('p', null, `Answers: ${v.rsvps?.length ? v.rsvps.map((r) => `@${r.name} ${r.answer}`).join(', ') : 'none yet'}`),
                  v.anonymous
                    ? null
                    : e(
                        'form',
                        { class: 'row', onSubmit: (x: Event) => (x.preventDefault(), void go(async () => (await api('/api/event/invite', { id: v.id, names: (inviteNames[v.id] ?? '').split(/[\s,]+/).filter(Boolean) }), setInviteNames({ ...inviteNames, [v.id]: '' }), await load()))) },
                        e(Field, { label: `Invite to ${v.title}`, id: `invite-${v.id}` }, input(`invite-${v.id}`, inviteNames[v.id] ?? '', (t) => setInviteNames({ ...inviteNames, [v.id]: t }), { placeholder: 'names, separated by spaces', spellcheck: false })),
                        e('button', { type: 'submit', disabled: busy }, 'Invite'),
                      ),
                )
              : e(
                  'div',
                  { class: 'rsvp' },
                  e('span', null, v.answer ? `You answered ${v.answer}. ` : 'Will you come? '),
                  ...['yes', 'maybe', 'no'].map((a) => e('button', { type: 'button', disabled: busy, 'aria-pressed': v.answer === a, onClick: () => void go(async () => (await api('/api/event/rsvp', { id: v.id, answer: a }), await load())) }, a)),
                ),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// Danger map

interface PinItem {
  id: string;
  kind: string;
  note?: string;
  distanceKm: number;
  bearing: number;
  ageMs: number;
  confirms: number;
  denies: number;
}

const PIN_KINDS = ['police', 'danger', 'medical', 'fire', 'blocked', 'safe', 'other'];

function DangerMap(): El {
  const [lat, setLat] = useState('52.52');
  const [lon, setLon] = useState('13.405');
  const [radius, setRadius] = useState('2');
  const [pins, setPins] = useState<PinItem[]>([]);
  const [mapUrl, setMapUrl] = useState<string | undefined>();
  const [kind, setKind] = useState('police');
  const [note, setNote] = useState('');
  const [busy, error, go] = useAsync();
  const q = () => `lat=${encodeURIComponent(lat)}&lon=${encodeURIComponent(lon)}&radius=${encodeURIComponent(radius)}`;
  const show = async () => {
    setPins((await api<{ pins: PinItem[] }>(`/api/pins?${q()}`)).pins);
    setMapUrl(`/api/pins/map.svg?${q()}&t=${Date.now()}`);
  };
  return e(
    'div',
    null,
    e(
      Card,
      { title: 'Danger map' },
      e('p', { class: 'hint' }, 'Drawn here from the pins alone: no map tiles are fetched. Your exact point is never sent (the Operator is asked for ~5 km cells).'),
      e(
        'form',
        { onSubmit: (e: Event) => (e.preventDefault(), void go(show)), class: 'row' },
        e(Field, { label: 'Latitude', id: 'map-lat' }, input('map-lat', lat, setLat, { inputmode: 'decimal' })),
        e(Field, { label: 'Longitude', id: 'map-lon' }, input('map-lon', lon, setLon, { inputmode: 'decimal' })),
        e(Field, { label: 'Radius (km)', id: 'map-radius' }, input('map-radius', radius, setRadius, { inputmode: 'decimal' })),
        e('button', { type: 'submit', disabled: busy }, 'Show pins'),
      ),
      mapUrl ? e('img', { src: mapUrl, alt: `map of ${pins.length} pins around you`, class: 'map' }) : null,
      e(
        'ul',
        { class: 'pins' },
        ...pins.map((p) =>
          e(
            'li',
            null,
            e('strong', null, p.kind),
            ` ${p.distanceKm.toFixed(2)} km · ${Math.round(p.bearing)}° · ${Math.round(p.ageMs / 60000)} min old · ${p.confirms} confirmed, ${p.denies} denied `,
            p.note ? e('q', null, p.note) : null,
            ' ',
            e('button', { type: 'button', onClick: () => void go(async () => (await api('/api/pin/vote', { id: p.id, vote: 'confirm' }), await show())) }, 'Confirm'),
            ' ',
            e('button', { type: 'button', onClick: () => void go(async () => (await api('/api/pin/vote', { id: p.id, vote: 'deny' }), await show())) }, 'Deny'),
          ),
        ),
      ),
    ),
    e(
      Card,
      { title: 'Drop a pin here' },
      e(
        'form',
        { onSubmit: (e: Event) => (e.preventDefault(), void go(async () => (await api('/api/pin', { lat: Number(lat), lon: Number(lon), kind, note }), setNote(''), await show()))), class: 'row' },
        e(Field, { label: 'What is there', id: 'pin-kind' }, e('select', { id: 'pin-kind', value: kind, onChange: (e: Event) => setKind((e.target as HTMLSelectElement).value) }, ...PIN_KINDS.map((k) => e('option', { value: k }, k)))),
        e(Field, { label: 'Note (public)', id: 'pin-note' }, input('pin-note', note, setNote, { maxLength: 140 })),
        e('button', { type: 'submit', disabled: busy }, 'Drop pin'),
      ),
      e(ErrorLine, { error }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// Status

function Status({ state, version }: { state: AppState; version: number }): El {
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

// ---------------------------------------------------------------------------------------------------
// The shell

const TABS = ['Letters', 'World', 'Events', 'Contacts', 'Map', 'Status'] as const;
type Tab = (typeof TABS)[number];

function Ready({ state }: { state: AppState }): El {
  const [tab, setTab] = useState<Tab>('Letters');
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
      tab === 'Letters' ? e(Letters, { me: state.me?.name ?? '', version: letterVersion }) : null,
      tab === 'World' ? e(World, { fresh }) : null,
      tab === 'Events' ? e(Events, { version: letterVersion }) : null,
      tab === 'Contacts' ? e(Contacts, null) : null,
      tab === 'Map' ? e(DangerMap, null) : null,
      tab === 'Status' ? e(Status, { state, version: statusVersion }) : null,
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
    state.phase === 'new' ? e(CreateHome, { state, done }) : null,
    state.phase === 'locked' ? e(Unlock, { state, done }) : null,
    state.phase === 'operator' ? e(ChooseOperator, { state, done }) : null,
    state.phase === 'register' ? e(Register, { state, done }) : null,
  );
}

render(h(App, {}), document.getElementById('app')!);
