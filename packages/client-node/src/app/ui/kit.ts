/**
 * What every screen of `comrad app` shares: the `e` element helper, the local API, the shapes the API
 * answers, and small labelled form parts. A screen is one module in `screens/`, listed in `screens/index.ts`.
 * @module
 */
import { h, type ComponentChildren, type VNode } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';

/** What every component returns. */
export type El = VNode<Record<string, unknown>>;
/**
 * Preact's `h` with loose props: the interface is written without JSX (the repository's one tsconfig
 * compiles no JSX), and children are passed as arguments, so a component's `children` prop is optional.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const e = h as unknown as (type: string | ((props: any) => El | null), props?: Record<string, unknown> | null, ...children: ComponentChildren[]) => El;

// ---------------------------------------------------------------------------------------------------
// The local API

/** An error the local server answered, with its closed code. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, body === undefined ? { credentials: 'same-origin' } : { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; details?: Record<string, unknown> } };
  if (!res.ok) throw new ApiError(json.error?.code ?? String(res.status), json.error?.message ?? res.statusText, json.error?.details);
  return json as T;
}

export interface AppState {
  phase: 'new' | 'locked' | 'operator' | 'register' | 'ready';
  home: string;
  lostPassphrase: string;
  me?: { name: string; fingerprint: string };
  operator?: { fingerprint: string };
  connectError?: { code: string; message: string };
  operators?: Array<{ name: string; url: string; fingerprint?: string; default: boolean }>;
}

export interface Letter {
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

export interface Post {
  id: string;
  author: string;
  text: string;
  at: number;
  expiresAt: number;
  image?: string;
}

export interface ContactView {
  name: string;
  fingerprint: string;
  changes: Array<{ pinned: string; offered: string; seenAt: number; acceptedAt?: number }>;
}

// ---------------------------------------------------------------------------------------------------
// Small parts

export const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export function useAsync(): [boolean, string | undefined, (run: () => Promise<void>) => Promise<void>, (e: string | undefined) => void] {
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

export function ErrorLine({ error }: { error: string | undefined }): El | null {
  return error ? e('p', { class: 'error', role: 'alert' }, error) : null;
}

export function Field(props: { label: string; id: string; children?: ComponentChildren; hint?: string }): El {
  return e('div', { class: 'field' }, e('label', { for: props.id }, props.label), props.children, props.hint ? e('p', { class: 'hint', id: `${props.id}-hint` }, props.hint) : null);
}

export function input(id: string, value: string, set: (v: string) => void, extra: Record<string, unknown> = {}): El {
  return e('input', { id, value, onInput: (e: Event) => set((e.target as HTMLInputElement).value), ...extra });
}

export function Card(props: { title: string; children: ComponentChildren }): El {
  return e('section', { class: 'card', 'aria-labelledby': slug(props.title) }, e('h2', { id: slug(props.title) }, props.title), props.children);
}

export const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

export function ImagePicker({ id, file, setFile, label }: { id: string; file: File | undefined; setFile: (f: File | undefined) => void; label?: string }): El {
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
    e('label', { for: id }, label ?? 'Image (optional; its metadata is removed before it leaves)'),
    e('input', { id, type: 'file', accept: 'image/jpeg,image/png,image/webp', onChange: (e: Event) => setFile((e.target as HTMLInputElement).files?.[0]) }),
    preview ? e('img', { class: 'preview', src: preview, alt: 'preview of the image to send' }) : null,
  );
}

export async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * Up or down, anonymously (VOTE-*): the tally comes back with the vote. A world post's id, or a trusted or
 * collective post's the app has shown (the Comrade votes on it in its channel, VOTE-7); `tally` as read.
 */
export function Vote({ id, author, tally: initial }: { id: string; author: string; tally?: { up: number; down: number } }): El {
  const [tally, setTally] = useState<{ up: number; down: number } | undefined>(initial);
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
