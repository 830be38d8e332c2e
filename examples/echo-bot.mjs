#!/usr/bin/env node
// An echo bot: a comrade that answers every letter it receives with the same text, signed and sealed
// like any letter. A starting point for bots (a help desk, a rota reminder…) on the public client API.
//
//   COMRAD_PASSPHRASE=… node examples/echo-bot.mjs --home DIR [--operator NAME] [--register NAME]
//
// The home is a normal `comrad` home (add the Operator with `comrad --home DIR operator add URL` first).
// With --register the bot creates its identity on first start; later starts log in with the passphrase.
// It waits for "you have mail" pushes, reads its inbox (verified letters only: forged ones are never
// answered) and stops cleanly on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { Comrade } from '@comrad/client-node';

const { values } = parseArgs({ options: { home: { type: 'string' }, operator: { type: 'string' }, register: { type: 'string' } } });
const passphrase = process.env.COMRAD_PASSPHRASE;
if (!values.home || !passphrase) {
  console.error('usage: COMRAD_PASSPHRASE=… node examples/echo-bot.mjs --home DIR [--operator NAME] [--register NAME]');
  process.exit(2);
}

// The home (its Operator list too) is sealed under the passphrase: connect unlocks it first (HOME-5).
const bot = await Comrade.connect({ home: values.home, passphrase, ...(values.operator ? { operator: values.operator } : {}) });
// --register on a home that already holds an identity just logs in (KEYSTORE_EXISTS); any other
// refusal (a taken name, a wrong passphrase) stops the bot with its message.
const me = values.register
  ? await bot.register(values.register, passphrase).catch((err) => (err?.code === 'KEYSTORE_EXISTS' ? bot.login(passphrase) : Promise.reject(err)))
  : await bot.login(passphrase);
console.log(`echo bot @${me.name} ready (key ${me.fingerprint})`);

let busy = Promise.resolve();
const answer = async () => {
  const { received } = await bot.inbox();
  for (const letter of received) {
    await bot.send(letter.from, `echo: ${letter.text}`);
    console.log(`answered a letter from @${letter.from}`);
  }
};
// One inbox run at a time; pushes that arrive meanwhile are covered by the next run.
const drain = () => (busy = busy.then(answer).catch((err) => console.error(`inbox failed: ${err.message}`)));
bot.on('mail', drain);
drain();

const stop = async () => {
  await busy;
  await bot.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
