/**
 * The trusted circle: whom we trust (trust, untrust with what it does spelled out first), who trusts us,
 * and the trusted feed — the posts of every circle whose key we hold, ours and theirs (CIR-4..CIR-8), each
 * with its anonymous votes (VOTE-7).
 * @module
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, Card, e, ErrorLine, Field, input, useAsync, Vote, when, type El } from '../kit.js';

interface Circle {
  trusted: string[];
  gen?: number;
  trustedBy: Array<{ owner: string; gen: number }>;
}

/** A post of a trusted circle, as the local API answers it. */
export interface CirclePost {
  id: string;
  /** Whose circle it was posted to. */
  circle: string;
  gen: number;
  author: string;
  text: string;
  at: number;
  /** When the Operator deletes it (ms). */
  expiresAt: number;
  /** The anonymous tally as read (VOTE-10). */
  up: number;
  down: number;
  image?: string;
}

interface Untrusted {
  name: string;
  gen: number;
  profile: { status: 'resealed' | 'none' } | { status: 'failed'; code: string };
  sentTo: string[];
  unreached: Array<{ name: string; code: string }>;
}

/** How often the open Trusted screen reads the circles again. */
const POLL_MS = 20_000;

export function Trusted({ me, version }: { me: string; version: number }): El {
  const [circle, setCircle] = useState<Circle | undefined>();
  const [posts, setPosts] = useState<CirclePost[]>([]);
  const [rejected, setRejected] = useState<Array<{ circle: string; code: string }>>([]);
  const [readAt, setReadAt] = useState<number | undefined>();
  const [name, setName] = useState('');
  const [confirming, setConfirming] = useState<string | undefined>();
  const [said, setSaid] = useState<string[]>([]);
  const [busy, error, go] = useAsync();
  const [feedBusy, feedError, goFeed] = useAsync();
  // The question takes the focus, so a keyboard user hears it and answers it next.
  const confirmRef = useRef<HTMLButtonElement | null>(null);
  useEffect(() => confirmRef.current?.focus(), [confirming]);
  const loadCircle = async () => setCircle(await api<Circle>('/api/circle'));
  const loadFeed = async () => {
    const page = await api<{ posts: CirclePost[]; rejected: Array<{ circle: string; code: string }> }>('/api/circle/feed');
    setPosts(page.posts);
    setRejected(page.rejected);
    setReadAt(Date.now());
  };
  useEffect(() => {
    void go(loadCircle);
    void goFeed(loadFeed);
  }, [version]);
  // New circle posts come by no push (each channel is read on its own connection): read again while open.
  useEffect(() => {
    const t = setInterval(() => void loadFeed().catch(() => undefined), POLL_MS);
    return () => clearInterval(t);
  }, []);
  const refresh = () =>
    void goFeed(async () => {
      // Keys that came by letter are kept by the inbox (CIR-6): read it first, then the circles.
      await api('/api/inbox', {});
      await loadCircle();
      await loadFeed();
    });
  const trust = (ev: Event) => {
    ev.preventDefault();
    const who = name.trim().replace(/^@/, '');
    void go(async () => {
      const res = await api<{ name: string; added: boolean; gen: number }>('/api/circle/trust', { name: who });
      setSaid([res.added ? `You trust @${res.name} now: they got your circle's key (key ${res.gen}) in a sealed letter.` : `You trust @${res.name} already: your circle's key (key ${res.gen}) was sent to them again.`]);
      setName('');
      await loadCircle();
    });
  };
  const untrust = (who: string) =>
    void go(async () => {
      const res = await api<Untrusted>('/api/circle/untrust', { name: who });
      setConfirming(undefined);
      setSaid([
        `You no longer trust @${res.name}: your circle has a new key (key ${res.gen}), sent to ${res.sentTo.length} comrade${res.sentTo.length === 1 ? '' : 's'}. @${res.name} cannot read what you post from now on.`,
        ...(res.profile.status === 'resealed' ? [`Your profile for those you trust is sealed under the new key: @${res.name} cannot read it from now on.`] : []),
        // PROF-14: the person must know the old profile is still readable, and how to end that.
        ...(res.profile.status === 'failed' ? [`Warning: your profile for those you trust is still under the old key [${res.profile.code}]: publish it again on the Profile tab.`] : []),
        ...res.unreached.map((u) => `Warning: the new key did not reach @${u.name} [${u.code}]: trust @${u.name} again to send it.`),
      ]);
      await loadCircle();
    });
  return e(
    'div',
    null,
    e(
      Card,
      { title: 'Your trusted circle' },
      e('p', { class: 'hint' }, 'Those you trust get your circle’s key in a sealed letter: they read what you post to “only those I trust” and a profile you show only to them. The Operator cannot tell who is in your circle.'),
      e(
        'form',
        { class: 'row', onSubmit: trust },
        e(Field, { label: 'Trust a comrade', id: 'trust-name' }, input('trust-name', name, setName, { required: true, maxLength: 64, spellcheck: false, autocomplete: 'off', placeholder: 'name' })),
        e('button', { type: 'submit', disabled: busy }, 'Trust'),
      ),
      said.length > 0 ? e('div', { role: 'status' }, ...said.map((s) => e('p', { class: s.startsWith('Warning') ? 'warning' : 'good' }, s))) : null,
      e(ErrorLine, { error }),
      e('h3', null, 'You trust'),
      !circle ? e('p', { 'aria-busy': 'true' }, 'Reading…') : circle.trusted.length === 0 ? e('p', { class: 'hint' }, 'No one yet.') : null,
      circle && circle.trusted.length > 0
        ? e(
            'ul',
            { class: 'circle' },
            ...circle.trusted.map((who) =>
              e(
                'li',
                null,
                e('strong', null, `@${who}`),
                ' ',
                confirming === who
                  ? e(
                      'div',
                      { class: 'warning', role: 'alertdialog', 'aria-labelledby': `untrust-${who}-what` },
                      e(
                        'p',
                        { id: `untrust-${who}-what` },
                        `Untrust @${who}? Your circle gets a new key, sent to everyone else you trust. @${who} will not read anything you post or show to your circle from now on, but keeps what they already read, and can read your older circle posts until they expire.`,
                      ),
                      e('button', { type: 'button', disabled: busy, ref: confirmRef, onClick: () => untrust(who) }, `Untrust @${who}`),
                      ' ',
                      e('button', { type: 'button', onClick: () => setConfirming(undefined) }, 'Cancel'),
                    )
                  : e('button', { type: 'button', disabled: busy, 'aria-label': `untrust @${who}…`, onClick: () => setConfirming(who) }, 'Untrust…'),
              ),
            ),
          )
        : null,
      circle?.gen !== undefined ? e('p', { class: 'meta' }, `Your circle's key: generation ${circle.gen}.`) : null,
      e('h3', null, 'Who trusts you'),
      circle && circle.trustedBy.length === 0 ? e('p', { class: 'hint' }, 'No one has sent you their circle’s key yet.') : null,
      circle && circle.trustedBy.length > 0 ? e('ul', { class: 'circle trusted-by' }, ...circle.trustedBy.map((t) => e('li', null, `@${t.owner}`))) : null,
    ),
    e(
      'section',
      { class: 'feed', 'aria-label': 'Trusted feed', 'aria-busy': feedBusy ? 'true' : 'false' },
      e('h2', null, 'Trusted feed'),
      e('p', { class: 'hint' }, 'Posts of your circle and of the circles you are in, newest first.'),
      e('button', { type: 'button', disabled: feedBusy, onClick: refresh }, feedBusy ? 'Reading…' : 'Refresh'),
      readAt ? e('span', { class: 'meta', role: 'status' }, ` ${posts.length} post${posts.length === 1 ? '' : 's'} · read ${new Date(readAt).toISOString().slice(11, 19)} UTC`) : null,
      e(ErrorLine, { error: feedError }),
      ...rejected.map((r) => e('p', { class: 'warning' }, `A post in @${r.circle}'s circle failed verification [${r.code}]: not shown.`)),
      readAt && posts.length === 0 ? e('p', { class: 'hint' }, 'No posts in your circles.') : null,
      e(
        'ol',
        { class: 'posts' },
        ...posts.map((p) =>
          e(
            'li',
            // Ids are unique within one channel only; keyed so a vote's state stays with its post.
            { class: 'post', key: `${p.circle}/${p.gen}/${p.id}` },
            e('p', { class: 'meta' }, e('strong', null, `@${p.author}`), ` · ${p.circle === me ? 'your circle' : `@${p.circle}'s circle`} · ${when(p.at)} · expires ${new Date(p.expiresAt).toISOString().slice(0, 10)}`),
            e('p', { class: 'text' }, p.text),
            p.image ? e('img', { src: p.image, alt: `image posted by @${p.author}`, class: 'shared' }) : null,
            e(Vote, { id: p.id, author: p.author, tally: { up: p.up, down: p.down } }),
          ),
        ),
      ),
    ),
  );
}
