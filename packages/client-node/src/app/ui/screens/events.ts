/**
 * Events: create (also anonymously), invite, answer, upcoming list.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { api, Card, e, ErrorLine, Field, input, useAsync, when, type El } from '../kit.js';

export interface EventItem {
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

export function Events({ version }: { version: number }): El {
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

