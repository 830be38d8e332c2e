/**
 * Contacts: fingerprints, lookup, and the loud warning on a changed key.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, Card, e, ErrorLine, Field, input, useAsync, type AppState, type ContactView, type El } from '../kit.js';
import { fingerprintQrText, QrCode } from '../qr.js';

/** A fingerprint and, on demand, its QR code (CLI-15: compared in person, not trusted on first sight). */
function FingerprintQr({ name, fingerprint, open = false }: { name: string; fingerprint: string; open?: boolean }): El {
  return e(
    'details',
    { class: 'qr-box', open },
    e('summary', null, `QR code of @${name}'s fingerprint`),
    e(QrCode, { text: fingerprintQrText(name, fingerprint), label: `QR code of @${name}'s fingerprint ${fingerprint}` }),
  );
}

export function Contacts({ me }: { me?: AppState['me'] }): El {
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
    me
      ? e(
          Card,
          { title: 'Your fingerprint' },
          e('p', null, `@${me.name} `, e('span', { class: 'fingerprint' }, me.fingerprint)),
          e('p', { class: 'hint' }, 'Meeting in person? Let them read this code with their app or compare it letter by letter with what their app shows for you.'),
          e(FingerprintQr, { name: me.name, fingerprint: me.fingerprint, open: true }),
        )
      : null,
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
          e(
            'li',
            null,
            e('strong', null, `@${c.name}`),
            ' ',
            e('span', { class: 'fingerprint' }, c.fingerprint),
            c.changes.length > 0 ? e('span', { class: 'bad' }, ` (${c.changes.length} key change${c.changes.length > 1 ? 's' : ''} seen)`) : null,
            e(FingerprintQr, { name: c.name, fingerprint: c.fingerprint }),
          ),
        ),
      ),
    ),
  );
}

