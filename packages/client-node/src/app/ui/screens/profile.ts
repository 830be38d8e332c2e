/**
 * Profiles: our own (edit, then publish for the world or only for those we trust), and another comrade's,
 * looked up by name and shown once verified (PROF-8, PROF-9), with their photo when they have one.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, base64Of, Card, e, ErrorLine, Field, ImagePicker, input, useAsync, when, type El } from '../kit.js';

/** A verified profile as the local API answers it. */
export interface ProfileItem {
  name: string;
  display: string;
  bio: string;
  visibility: 'world' | 'trusted';
  /** When its author signed it (seconds). */
  at: number;
  /** When it stops being valid unless set again (seconds, PROF-5). */
  validUntil: number;
  /** A `/api/blob/` URL of the photo (re-encoded without metadata by its author's client, PROF-13). */
  photo?: string;
}

const BIO_MAX = 280;

/** One profile, as anyone reading it sees it. */
export function ProfileCard({ profile, own }: { profile: ProfileItem; own?: boolean }): El {
  return e(
    'article',
    { class: 'profile', 'aria-label': `profile of @${profile.name}` },
    profile.photo ? e('img', { class: 'avatar', src: profile.photo, alt: `photo of @${profile.name}` }) : null,
    e(
      'div',
      null,
      e('h3', null, profile.display),
      e('p', { class: 'meta' }, `@${profile.name} · ${profile.visibility === 'trusted' ? 'shown only to those ' + (own ? 'you trust' : 'they trust') : 'public'} · signed ${when(profile.at)} · valid until ${when(profile.validUntil)}`),
      profile.bio ? e('p', { class: 'text' }, profile.bio) : null,
    ),
  );
}

export function Profiles({ me }: { me: string }): El {
  return e('div', null, e(OwnProfile, { me }), e(LookUpProfile, { me }));
}

function OwnProfile({ me }: { me: string }): El {
  const [current, setCurrent] = useState<ProfileItem | undefined>();
  const [display, setDisplay] = useState('');
  const [bio, setBio] = useState('');
  const [visibility, setVisibility] = useState<'world' | 'trusted'>('world');
  const [file, setFile] = useState<File | undefined>();
  const [keepPhoto, setKeepPhoto] = useState(true);
  const [done, setDone] = useState<string | undefined>();
  const [busy, error, go] = useAsync();
  const [loaded, setLoaded] = useState(false);
  useEffect(
    () =>
      void go(async () => {
        try {
          const p = await api<ProfileItem>(`/api/profile?name=${encodeURIComponent(me)}`);
          setCurrent(p);
          setDisplay(p.display);
          setBio(p.bio);
          setVisibility(p.visibility);
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 'NOT_FOUND')) throw err;
        } finally {
          setLoaded(true);
        }
      }),
    [me],
  );
  const publish = (ev: Event) => {
    ev.preventDefault();
    setDone(undefined);
    void go(async () => {
      // The photo shown now is a re-encoded copy: sending it again keeps it (and it is re-encoded again).
      const photo = file ? await base64Of(file) : keepPhoto && current?.photo ? await base64Of(new File([await (await fetch(current.photo)).blob()], 'photo')) : undefined;
      const p = await api<ProfileItem>('/api/profile', { display, bio, visibility, ...(photo ? { photo } : {}) });
      setCurrent(p);
      setFile(undefined);
      setDone(`Published ${p.visibility === 'trusted' ? 'for the comrades you trust' : 'for every registered comrade'}; valid until ${when(p.validUntil)} unless you publish it again.`);
    });
  };
  return e(
    Card,
    { title: 'Your profile' },
    !loaded ? e('p', { 'aria-busy': 'true' }, 'Reading your profile…') : current ? e(ProfileCard, { profile: current, own: true }) : e('p', { class: 'hint' }, 'You have no profile yet: others see only your name.'),
    e('p', { class: 'warning', role: 'note' }, 'A profile is public to whoever may read it, and the Operator can read a public one: put nothing in it that must stay secret.'),
    e(
      'form',
      { onSubmit: publish },
      e(Field, { label: 'Display name', id: 'profile-display', hint: 'what to be called: one line, at most 64 characters' }, input('profile-display', display, setDisplay, { required: true, maxLength: 64, 'aria-describedby': 'profile-display-hint' })),
      e(
        Field,
        { label: 'Bio', id: 'profile-bio', hint: `${[...bio].length} of ${BIO_MAX} characters` },
        e('textarea', { id: 'profile-bio', value: bio, rows: 3, maxLength: BIO_MAX, 'aria-describedby': 'profile-bio-hint', onInput: (x: Event) => setBio((x.target as HTMLTextAreaElement).value) }),
      ),
      e(ImagePicker, { id: 'profile-photo', file, setFile, label: 'Photo (optional; re-encoded to at most 512 pixels, its metadata removed before it leaves)' }),
      current?.photo && !file
        ? e('div', { class: 'field' }, e('label', null, e('input', { type: 'checkbox', checked: keepPhoto, onChange: (x: Event) => setKeepPhoto((x.target as HTMLInputElement).checked) }), ' Keep the current photo'))
        : null,
      e(
        Field,
        { label: 'Who can read it', id: 'profile-visibility', hint: visibility === 'trusted' ? 'only the comrades you trust (the Trusted tab): trust someone first' : 'every registered comrade, and the Operator' },
        e(
          'select',
          { id: 'profile-visibility', value: visibility, 'aria-describedby': 'profile-visibility-hint', onChange: (x: Event) => setVisibility((x.target as HTMLSelectElement).value as 'world' | 'trusted') },
          e('option', { value: 'world' }, 'the world'),
          e('option', { value: 'trusted' }, 'only those I trust'),
        ),
      ),
      e('button', { type: 'submit', disabled: busy }, busy ? 'Publishing…' : 'Publish profile'),
      done ? e('p', { class: 'good', role: 'status' }, done) : null,
      e(ErrorLine, { error }),
    ),
  );
}

function LookUpProfile({ me }: { me: string }): El {
  const [name, setName] = useState('');
  const [found, setFound] = useState<ProfileItem | undefined>();
  const [none, setNone] = useState<string | undefined>();
  const [busy, error, go] = useAsync();
  const look = (ev: Event) => {
    ev.preventDefault();
    setFound(undefined);
    setNone(undefined);
    const who = name.trim().replace(/^@/, '');
    void go(async () => {
      try {
        setFound(await api<ProfileItem>(`/api/profile?name=${encodeURIComponent(who)}`));
      } catch (err) {
        // The two answers that are not failures: no profile, and a profile for their circle only (CIR-9).
        if (err instanceof ApiError && err.code === 'NOT_FOUND') setNone(`@${who} has no profile (or there is no such comrade) [NOT_FOUND].`);
        else if (err instanceof ApiError && err.code === 'FORBIDDEN') setNone(`@${who} shows their profile only to those they trust, and does not trust you [FORBIDDEN].`);
        else throw err;
      }
    });
  };
  return e(
    Card,
    { title: "A comrade's profile" },
    e(
      'form',
      { class: 'row', onSubmit: look },
      e(Field, { label: 'Name of the comrade', id: 'profile-lookup' }, input('profile-lookup', name, setName, { required: true, maxLength: 64, spellcheck: false, autocomplete: 'off', placeholder: 'name' })),
      e('button', { type: 'submit', disabled: busy }, busy ? 'Looking…' : 'View profile'),
    ),
    e(ErrorLine, { error }),
    none ? e('p', { class: 'hint', role: 'status' }, none) : null,
    found ? e(ProfileCard, { profile: found, own: found.name === me }) : null,
    found ? e('p', { class: 'hint' }, 'Verified: signed with the key pinned for this name (compare fingerprints in Contacts).') : null,
  );
}
