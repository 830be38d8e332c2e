/**
 * Letters: conversations and compose (text and one image).
 * @module
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, e, ErrorLine, Field, ImagePicker, base64Of, input, useAsync, when, type El, type Letter } from '../kit.js';

export function Letters({ me, version }: { me: string; version: number }): El {
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

