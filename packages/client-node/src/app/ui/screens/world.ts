/**
 * The world feed: posts with images, expiry and anonymous votes; posting to the world or to our trusted
 * circle (CIR-7), whose posts the Trusted tab shows.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { api, Card, e, ErrorLine, Field, ImagePicker, base64Of, useAsync, Vote, when, type El, type Post } from '../kit.js';

export function World({ fresh }: { fresh: Post[] }): El {
  const [posts, setPosts] = useState<Post[]>([]);
  const [next, setNext] = useState<string | undefined>();
  const [text, setText] = useState('');
  const [days, setDays] = useState('7');
  const [file, setFile] = useState<File | undefined>();
  const [to, setTo] = useState<'world' | 'trusted'>('world');
  const [posted, setPosted] = useState<string | undefined>();
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
    setPosted(undefined);
    void go(async () => {
      const res = await api<{ expiresAt: number }>('/api/post', { text, to, expiresInDays: Number(days), ...(file ? { image: await base64Of(file) } : {}) });
      setText('');
      setFile(undefined);
      setPosted(`Posted to ${to === 'trusted' ? 'your trusted circle (read it on the Trusted tab)' : 'the world'}; it expires ${new Date(res.expiresAt).toISOString().slice(0, 10)}.`);
      if (to === 'world') await load();
    });
  };
  return e(
    'div',
    null,
    e(
      Card,
      { title: 'Write a post' },
      e(
        'form',
        { onSubmit: post },
        e(Field, { label: 'Post', id: 'post-text', hint: to === 'trusted' ? 'readable only by the comrades you trust now' : 'readable by every registered comrade' }, e('textarea', { id: 'post-text', value: text, rows: 3, 'aria-describedby': 'post-text-hint', onInput: (e: Event) => setText((e.target as HTMLTextAreaElement).value) })),
        e(
          Field,
          { label: 'Who can read it', id: 'post-to' },
          e('select', { id: 'post-to', value: to, onChange: (e: Event) => setTo((e.target as HTMLSelectElement).value as 'world' | 'trusted') }, e('option', { value: 'world' }, 'the world'), e('option', { value: 'trusted' }, 'only those I trust')),
        ),
        e(
          Field,
          { label: 'Expires after', id: 'post-days' },
          e('select', { id: 'post-days', value: days, onChange: (e: Event) => setDays((e.target as HTMLSelectElement).value) }, ...['1', '3', '7', '14', '30'].map((d) => e('option', { value: d }, `${d} day${d === '1' ? '' : 's'}`))),
        ),
        e(ImagePicker, { id: 'post-image', file, setFile }),
        e('button', { type: 'submit', disabled: busy }, busy ? 'Posting…' : 'Post'),
        posted ? e('p', { class: 'good', role: 'status' }, posted) : null,
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
            // Keyed: posts arriving live go first, and a vote's state must stay with its post.
            { class: 'post', key: p.id },
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
