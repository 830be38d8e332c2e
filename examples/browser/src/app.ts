/**
 * The page: a few forms over {@link PageComrade}. It is also what the browser test drives
 * (`window.comrad`), so every button here is exercised by a test.
 */
import { PublicKey, fromHex, ready } from '@comrad/core';
import { PageComrade } from './page-comrade.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = (line: string) => {
  const li = document.createElement('li');
  li.textContent = line; // textContent: what others wrote is never markup
  $('log').prepend(li);
};

let comrade: PageComrade | undefined;

/** What the buttons call, and the test too. */
const api = {
  /** `backend` is "webcrypto" unless the page is told otherwise (CRY-14). */
  async connect(url: string, operatorKeyHex?: string) {
    const backend = await ready();
    comrade = await PageComrade.connect(url, operatorKeyHex ? PublicKey.from(fromHex(operatorKeyHex)) : undefined);
    return { backend, fingerprint: comrade.operatorKey.fingerprint() };
  },
  register: (name: string, passphrase: string) => need().register(name, passphrase),
  unlock: (name: string, passphrase: string) => need().unlock(name, passphrase),
  lock: () => need().lock(),
  send: (to: string, text: string) => need().send(to, text),
  inbox: () => need().inbox(),
  post: (text: string) => need().post(text),
  feed: () => need().feed(),
};

function need(): PageComrade {
  if (!comrade) throw new Error('connect first');
  return comrade;
}

(globalThis as { comrad?: typeof api }).comrad = api;

const form = (id: string, act: (data: FormData) => Promise<string>) =>
  $(id).addEventListener('submit', (event) => {
    event.preventDefault();
    act(new FormData(event.target as HTMLFormElement)).then(log, (err: Error) => log(`error: ${err.message}`));
  });
const field = (d: FormData, name: string) => String(d.get(name) ?? '');

form('connect', async (d) => `Operator ${(await api.connect(field(d, 'url'), field(d, 'key') || undefined)).fingerprint}`);
form('register', async (d) => `registered @${(await api.register(field(d, 'name'), field(d, 'passphrase'))).name}`);
form('unlock', async (d) => (await api.unlock(field(d, 'name'), field(d, 'passphrase')), 'unlocked'));
form('send', async (d) => (await api.send(field(d, 'to'), field(d, 'text')), 'sent'));
form('post', async (d) => (await api.post(field(d, 'text')), 'posted'));
$('inbox').addEventListener('click', () => api.inbox().then((ls) => ls.forEach((l) => log(`@${l.from}: ${l.text}`)), (e: Error) => log(`error: ${e.message}`)));
$('feed').addEventListener('click', () => api.feed().then((ps) => ps.forEach((p) => log(`world @${p.author}: ${p.text}`)), (e: Error) => log(`error: ${e.message}`)));
document.title = 'comrad';
