/**
 * Collectives (COL-*): found one, invite, ask to join from an invitation, the requests waiting for a
 * vouch, vouch, members, proposals and votes to expel with their progress toward the quorum, and the
 * collective's feed. Every number shown is the member's own fold of the whole log (the server's Comrade
 * reads it); nothing here decides a quorum.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { api, base64Of, Card, e, ErrorLine, Field, ImagePicker, input, useAsync, Vote, when, type El } from '../kit.js';

/** A collective this home holds keys for, as the list shows it. */
interface CollectiveItem {
  name: string;
  status: 'member' | 'candidate' | 'outside';
  members: number;
  requests: number;
  proposals: number;
}

interface Invitation {
  name: string;
  from: string;
  at: number;
}

/** A constitution in percent, with the sentence that says it. */
interface ConstitutionView {
  quorum: number;
  cap: number;
  amend: number;
  expel: number | null;
  text: string;
}

interface Overview {
  name: string;
  status: 'member' | 'candidate' | 'outside';
  members: string[];
  constitution: ConstitutionView | null;
  requests: Array<{ name: string; note?: string; vouches: string[]; needed: number }>;
  proposals: Array<{ id: number; by: string; constitution: ConstitutionView; yes: string[]; no: string[]; needed: number }>;
  expulsions: Array<{ who: string; votes: string[]; needed: number }>;
  length: number;
  rejected: number;
}

interface Message {
  id: string;
  author: string;
  text: string;
  at: number;
  expiresAt: number;
  former: boolean;
  /** VOTE-10: the anonymous votes it holds now. */
  up: number;
  down: number;
  image?: string;
}

interface FeedPage {
  messages: Message[];
  notMine: number;
  refused: Array<{ id: string; code: string }>;
  next?: string;
}

/** How often an open collective is read again while the screen shows it (others' vouches, votes, posts). */
const REFRESH_MS = 15_000;

const STATUS_WORDS = { member: 'you are a member', candidate: 'you asked to join', outside: 'you are not a member' } as const;

/** The Collectives tab: the list and invitations beside the chosen collective; `version` grows when letters arrive. */
export function Collectives({ me, version }: { me: string; version: number }): El {
  const [list, setList] = useState<CollectiveItem[]>([]);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [selected, setSelected] = useState<string | undefined>();
  const [listVersion, setListVersion] = useState(0);
  const [busy, error, go] = useAsync();
  const load = async () => {
    const r = await api<{ collectives: CollectiveItem[]; invitations: Invitation[] }>('/api/collectives');
    setList(r.collectives);
    setInvitations(r.invitations);
    setSelected((s) => s ?? r.collectives[0]?.name);
  };
  // Letters bring invitations: the list is read again when they arrive.
  useEffect(() => void go(load), [version, listVersion]);
  const open = (name: string) => {
    setSelected(name);
    setListVersion((v) => v + 1);
  };
  return e(
    'div',
    { class: 'split collectives' },
    e(
      'div',
      { class: 'list' },
      e(
        'section',
        { 'aria-label': 'Your collectives' },
        e('h2', null, 'Your collectives'),
        list.length === 0 ? e('p', { class: 'hint' }, 'None yet: found one, or ask a member to invite you.') : null,
        e(
          'ul',
          null,
          ...list.map((c) =>
            e('li', null, e('button', { type: 'button', 'aria-pressed': selected === c.name, onClick: () => setSelected(c.name) }, `@${c.name}`, e('span', { class: 'meta' }, ` · ${c.status}, ${c.members} member${c.members === 1 ? '' : 's'}${c.requests ? `, ${c.requests} waiting` : ''}`))),
          ),
        ),
      ),
      invitations.length > 0 ? e(Invitations, { invitations, busy, go, joined: open }) : null,
      e(ErrorLine, { error }),
      e(Found, { founded: open }),
    ),
    selected ? e(Detail, { key: selected, name: selected, me, changed: () => setListVersion((v) => v + 1) }) : e('p', { class: 'hint' }, 'Choose a collective, or found one.'),
  );
}

/** Invitations to collectives this home holds no keys for yet: ask to join, with a word to the members. */
function Invitations({ invitations, busy, go, joined }: { invitations: Invitation[]; busy: boolean; go: (run: () => Promise<void>) => Promise<void>; joined: (name: string) => void }): El {
  const [notes, setNotes] = useState<Record<string, string>>({});
  return e(
    'section',
    { 'aria-label': 'Invitations' },
    e('h2', null, 'Invitations'),
    e(
      'ul',
      null,
      ...invitations.map((inv) =>
        e(
          'li',
          { class: 'invitation' },
          e('p', null, e('strong', null, `@${inv.name}`), ` · invited by @${inv.from} · ${when(inv.at)}`),
          e(
            'form',
            { onSubmit: (x: Event) => (x.preventDefault(), void go(async () => (await api('/api/collective/request', { name: inv.name, note: notes[inv.name] ?? '' }), joined(inv.name)))) },
            e(Field, { label: `A word to the members of @${inv.name} (optional)`, id: `note-${inv.name}` }, input(`note-${inv.name}`, notes[inv.name] ?? '', (t) => setNotes({ ...notes, [inv.name]: t }), { maxLength: 280 })),
            e('button', { type: 'submit', disabled: busy }, `Ask to join @${inv.name}`),
          ),
        ),
      ),
    ),
  );
}

/** The rules a constitution is made of, as form fields (found, propose). */
interface Rules {
  quorum: string;
  amend: string;
  expel: string;
  allowExpel: boolean;
  cap: string;
}

const DEFAULT_RULES: Rules = { quorum: '30', amend: '50', expel: '67', allowExpel: false, cap: '10' };

function rulesOf(c: ConstitutionView | null): Rules {
  return c ? { quorum: String(c.quorum), amend: String(c.amend), expel: String(c.expel ?? 67), allowExpel: c.expel !== null, cap: String(c.cap) } : DEFAULT_RULES;
}

function rulesJson(r: Rules) {
  return { quorum: Number(r.quorum), amend: Number(r.amend), expel: r.allowExpel ? Number(r.expel) : 'none', cap: Number(r.cap) };
}

function RulesFields({ id, rules, set }: { id: string; rules: Rules; set: (r: Rules) => void }): El {
  const field = (key: 'quorum' | 'amend' | 'expel' | 'cap', label: string, hint?: string, extra: Record<string, unknown> = {}) =>
    e(Field, { label, id: `${id}-${key}`, ...(hint ? { hint } : {}) }, input(`${id}-${key}`, rules[key], (v) => set({ ...rules, [key]: v }), { type: 'number', min: key === 'cap' ? 1 : 0, max: key === 'cap' ? 100000 : 100, required: true, ...(hint ? { 'aria-describedby': `${id}-${key}-hint` } : {}), ...extra }));
  return e(
    'div',
    null,
    e('div', { class: 'row' }, field('quorum', 'Vouches to admit (% of members)'), field('cap', 'Never more vouches than')),
    field('amend', 'Yes votes to amend (% of members)'),
    e('div', { class: 'field' }, e('label', null, e('input', { type: 'checkbox', checked: rules.allowExpel, onChange: (x: Event) => set({ ...rules, allowExpel: (x.target as HTMLInputElement).checked }) }), ' Members may expel a member by vote')),
    rules.allowExpel ? field('expel', 'Votes to expel (% of the other members)') : null,
  );
}

function Found({ founded }: { founded: (name: string) => void }): El {
  const [name, setName] = useState('');
  const [rules, setRules] = useState<Rules>(DEFAULT_RULES);
  const [busy, error, go] = useAsync();
  const submit = (x: Event) => {
    x.preventDefault();
    void go(async () => {
      const o = await api<Overview>('/api/collective/found', { name, ...rulesJson(rules) });
      setName('');
      founded(o.name);
    });
  };
  return e(
    Card,
    { title: 'Found a collective' },
    e(
      'form',
      { onSubmit: submit },
      e(Field, { label: 'Collective name', id: 'found-name', hint: 'a name in the registry, like a comrade’s: nobody else can take it' }, input('found-name', name, setName, { required: true, maxLength: 64, spellcheck: false, 'aria-describedby': 'found-name-hint' })),
      e(RulesFields, { id: 'found', rules, set: setRules }),
      e('button', { type: 'submit', disabled: busy }, busy ? 'Founding…' : 'Found'),
      e(ErrorLine, { error }),
    ),
  );
}

/** Progress toward a quorum: a bar and the words for it. */
function Progress({ count, needed, of, label }: { count: number; needed: number; of: string; label: string }): El {
  return e('span', { class: 'progress' }, e('progress', { max: Math.max(needed, 1), value: Math.min(count, needed), 'aria-label': label }), ` ${count} of ${needed} ${of}`);
}

const names = (list: string[]) => (list.length ? list.map((n) => `@${n}`).join(', ') : 'nobody yet');

/** One collective: everything its log says, and what this member can do in it. */
function Detail({ name, me, changed }: { name: string; me: string; changed: () => void }): El {
  const [o, setO] = useState<Overview | undefined>();
  const [tick, setTick] = useState(0);
  const [invitee, setInvitee] = useState('');
  const [rules, setRules] = useState<Rules | undefined>();
  const [leaving, setLeaving] = useState(false);
  const [expelling, setExpelling] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [busy, error, go] = useAsync();
  const load = async () => setO(await api<Overview>(`/api/collective?name=${encodeURIComponent(name)}`));
  useEffect(() => {
    void go(load);
    const t = setInterval(() => void load().catch(() => undefined), REFRESH_MS);
    return () => clearInterval(t);
  }, [name]);
  /** An act, then the collective (and the list's counts) as they are now. */
  const act = (run: () => Promise<string | undefined>) =>
    void go(async () => {
      setNotice(undefined);
      const said = await run();
      await load();
      // Said once the collective shows the act's outcome, never before.
      setNotice(said);
      setTick((t) => t + 1);
      changed();
    });
  const refresh = () => void go(async () => (setNotice(undefined), await load(), setTick((t) => t + 1), changed()));
  if (!o) return e('div', { 'aria-busy': 'true' }, e('p', null, `Reading @${name}…`), e(ErrorLine, { error }));
  const member = o.status === 'member';
  const mine = o.requests.find((r) => r.name === me);
  return e(
    'div',
    { class: 'collective' },
    e(
      'div',
      { class: 'row heading' },
      e('h2', null, `@${o.name}`),
      e('button', { type: 'button', disabled: busy, onClick: refresh }, busy ? 'Reading…' : 'Refresh'),
    ),
    e('p', { class: 'meta', role: 'status' }, `${STATUS_WORDS[o.status]} · ${o.members.length} member${o.members.length === 1 ? '' : 's'} · ${o.length} entries in the log`),
    o.constitution ? e('p', { class: 'constitution' }, e('strong', null, 'Constitution: '), o.constitution.text) : null,
    o.rejected > 0 ? e('p', { class: 'warning' }, `${o.rejected} entr${o.rejected === 1 ? 'y' : 'ies'} of the log refused by your fold: they change nothing.`) : null,
    notice ? e('p', { class: 'notice', role: 'status' }, notice) : null,
    e(ErrorLine, { error }),
    mine ? e('p', { class: 'warning' }, 'Your request waits for vouches: ', e(Progress, { count: mine.vouches.length, needed: mine.needed, of: 'vouches', label: 'your vouches toward admission' })) : null,

    e(
      Card,
      { title: 'Members' },
      e(
        'ul',
        { class: 'members' },
        ...o.members.map((m) => {
          const votes = o.expulsions.find((x) => x.who === m);
          const canExpel = member && m !== me && o.constitution?.expel !== null && !votes?.votes.includes(me);
          return e(
            'li',
            null,
            e('span', null, `@${m}${m === me ? ' (you)' : ''}`),
            votes ? e('span', null, ' · ', e(Progress, { count: votes.votes.length, needed: votes.needed, of: 'votes to expel', label: `votes to expel @${m}` })) : null,
            canExpel
              ? expelling === m
                ? e('span', null, ' ', e('button', { type: 'button', disabled: busy, onClick: () => act(async () => (setExpelling(undefined), (await api<{ expelled: boolean }>('/api/collective/expel', { name, who: m })).expelled ? `@${m} is expelled; the message key is rotated.` : `Voted to expel @${m}.`)) }, `Confirm: vote to expel @${m}`), ' ', e('button', { type: 'button', onClick: () => setExpelling(undefined) }, 'Cancel'))
                : e('span', null, ' ', e('button', { type: 'button', onClick: () => setExpelling(m) }, `Vote to expel @${m}`))
              : null,
          );
        }),
      ),
      member
        ? e(
            'form',
            { class: 'row', onSubmit: (x: Event) => (x.preventDefault(), act(async () => (await api('/api/collective/invite', { name, who: invitee }), setInvitee(''), `Invited @${invitee}: they can ask to join from their Collectives screen.`))) },
            e(Field, { label: `Invite to @${o.name}`, id: 'col-invite' }, input('col-invite', invitee, setInvitee, { required: true, spellcheck: false, placeholder: 'a comrade’s name' })),
            e('button', { type: 'submit', disabled: busy }, 'Invite'),
          )
        : null,
    ),

    e(
      Card,
      { title: 'Requests waiting for a vouch' },
      o.requests.length === 0 ? e('p', { class: 'hint' }, 'Nobody is waiting.') : null,
      e(
        'ul',
        { class: 'requests' },
        ...o.requests.map((r) =>
          e(
            'li',
            null,
            e('p', null, e('strong', null, `@${r.name}`), r.note ? ` · “${r.note}”` : ''),
            e('p', null, e(Progress, { count: r.vouches.length, needed: r.needed, of: 'vouches', label: `vouches for @${r.name}` }), r.vouches.length ? ` (${names(r.vouches)})` : ''),
            member && !r.vouches.includes(me)
              ? e('button', { type: 'button', disabled: busy, onClick: () => act(async () => ((await api<{ admitted: boolean }>('/api/collective/vouch', { name, who: r.name })).admitted ? `Vouched: @${r.name} is a member now.` : `Vouched for @${r.name}.`)) }, `Vouch for @${r.name}`)
              : null,
          ),
        ),
      ),
    ),

    e(
      Card,
      { title: 'Proposals' },
      o.proposals.length === 0 ? e('p', { class: 'hint' }, 'No proposal is pending.') : null,
      e(
        'ul',
        { class: 'proposals' },
        ...o.proposals.map((p) => {
          const voted = p.yes.includes(me) ? 'yes' : p.no.includes(me) ? 'no' : undefined;
          return e(
            'li',
            null,
            e('p', null, e('strong', null, `Proposal ${p.id}`), ` by @${p.by}: ${p.constitution.text}`),
            e('p', null, e(Progress, { count: p.yes.length, needed: p.needed, of: 'yes votes', label: `yes votes on proposal ${p.id}` }), `; ${p.no.length} no`),
            voted ? e('p', { class: 'meta' }, `You voted ${voted}.`) : null,
            member && !voted
              ? e(
                  'div',
                  { class: 'row' },
                  ...([true, false] as const).map((yes) =>
                    e('button', { type: 'button', disabled: busy, onClick: () => act(async () => ((await api<{ passed: boolean }>('/api/collective/vote', { name, proposal: p.id, yes })).passed ? `Proposal ${p.id} passed: its constitution is in force.` : `Voted ${yes ? 'yes' : 'no'} on proposal ${p.id}.`)) }, `Vote ${yes ? 'yes' : 'no'} on proposal ${p.id}`),
                  ),
                )
              : null,
          );
        }),
      ),
      member
        ? e(
            'details',
            null,
            e('summary', null, 'Propose an amendment'),
            e(
              'form',
              { onSubmit: (x: Event) => (x.preventDefault(), act(async () => `Proposed (proposal ${(await api<{ proposal: number }>('/api/collective/propose', { name, ...rulesJson(rules ?? rulesOf(o.constitution)) })).proposal}).`)) },
              e(RulesFields, { id: 'propose', rules: rules ?? rulesOf(o.constitution), set: setRules }),
              e('button', { type: 'submit', disabled: busy }, 'Propose'),
            ),
          )
        : null,
    ),

    e(Feed, { name, member, tick }),

    o.status !== 'outside'
      ? e(
          'p',
          null,
          leaving
            ? e('span', null, e('button', { type: 'button', disabled: busy, onClick: () => act(async () => (setLeaving(false), await api('/api/collective/leave', { name }), member ? `You left @${o.name}.` : 'Your request is withdrawn.')) }, member ? `Confirm: leave @${o.name}` : 'Confirm: withdraw my request'), ' ', e('button', { type: 'button', onClick: () => setLeaving(false) }, 'Cancel'))
            : e('button', { type: 'button', onClick: () => setLeaving(true) }, member ? `Leave @${o.name}` : 'Withdraw my request'),
        )
      : null,
  );
}

/** The collective's messages (sealed for its members of each moment, COL-35), and posting to them. */
function Feed({ name, member, tick }: { name: string; member: boolean; tick: number }): El {
  const [page, setPage] = useState<FeedPage | undefined>();
  const [text, setText] = useState('');
  const [days, setDays] = useState('7');
  const [file, setFile] = useState<File | undefined>();
  const [busy, error, go] = useAsync();
  const load = async () => setPage(await api<FeedPage>(`/api/collective/feed?name=${encodeURIComponent(name)}`));
  useEffect(() => void go(load), [name, tick]);
  const post = (x: Event) => {
    x.preventDefault();
    void go(async () => {
      await api('/api/collective/post', { name, text, expiresInDays: Number(days), ...(file ? { image: await base64Of(file) } : {}) });
      setText('');
      setFile(undefined);
      await load();
    });
  };
  const older = () =>
    void go(async () => {
      const next = await api<FeedPage>(`/api/collective/feed?name=${encodeURIComponent(name)}&before=${encodeURIComponent(page!.next!)}`);
      setPage({ ...next, messages: [...page!.messages, ...next.messages], notMine: page!.notMine + next.notMine, refused: [...page!.refused, ...next.refused] });
    });
  return e(
    Card,
    { title: `Feed of @${name}` },
    member
      ? e(
          'form',
          { onSubmit: post },
          e(Field, { label: 'Message to the members', id: 'col-post-text', hint: 'sealed so that only the members of this moment can read it' }, e('textarea', { id: 'col-post-text', value: text, rows: 3, 'aria-describedby': 'col-post-text-hint', onInput: (x: Event) => setText((x.target as HTMLTextAreaElement).value) })),
          e(
            Field,
            { label: 'Expires after', id: 'col-post-days' },
            e('select', { id: 'col-post-days', value: days, onChange: (x: Event) => setDays((x.target as HTMLSelectElement).value) }, ...['1', '3', '7', '14', '30'].map((d) => e('option', { value: d }, `${d} day${d === '1' ? '' : 's'}`))),
          ),
          e(ImagePicker, { id: 'col-post-image', file, setFile }),
          e('button', { type: 'submit', disabled: busy }, busy ? 'Posting…' : 'Post to the members'),
        )
      : e('p', { class: 'hint' }, 'Only members post; you read what was sealed while you held the key.'),
    e(ErrorLine, { error }),
    page && page.notMine > 0 ? e('p', { class: 'hint' }, `${page.notMine} message${page.notMine === 1 ? '' : 's'} sealed while you were not a member: you hold no key to them.`) : null,
    ...(page?.refused ?? []).map((r) => e('p', { class: 'warning' }, `A message was refused and is not shown [${r.code}].`)),
    page && page.messages.length === 0 ? e('p', { class: 'hint' }, 'No messages to read.') : null,
    e(
      'ol',
      { class: 'posts', 'aria-label': `Messages of @${name}` },
      ...(page?.messages ?? []).map((m) =>
        e(
          'li',
          { class: 'post', key: m.id },
          e('p', { class: 'meta' }, e('strong', null, `@${m.author}`), m.former ? ' (no longer a member)' : '', ` · ${when(m.at)} · expires ${new Date(m.expiresAt).toISOString().slice(0, 10)}`),
          e('p', { class: 'text' }, m.text),
          m.image ? e('img', { src: m.image, alt: `image posted by @${m.author}`, class: 'shared' }) : null,
          // VOTE-7: anonymous, in the collective's channel; only those who read it can vote.
          e(Vote, { id: m.id, author: m.author, tally: { up: m.up, down: m.down } }),
        ),
      ),
    ),
    page?.next ? e('button', { type: 'button', disabled: busy, onClick: older }, 'Older messages') : null,
  );
}
