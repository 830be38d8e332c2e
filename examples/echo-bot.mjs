#!/usr/bin/env node
// An echo bot: a comrade that answers every letter it receives with the same text, signed and sealed
// like any letter. A starting point for bots (a help desk, a rota reminder…) on the public client API.
//
//   COMRAD_PASSPHRASE=… node examples/echo-bot.mjs --home DIR [--operator NAME] [--register NAME]
//
// The home is a normal `comrad` home (add the Operator with `comrad --home DIR operator add URL` first).
// With --register the bot creates its identity on first start; later starts unlock it with the passphrase.
// The passphrase goes to `connect`: the home opens before any connection, replies are sent without
// logging in, and the logged-in session opens with the first `inbox`. It waits for "you have mail"
// pushes, reads its inbox (verified letters only: forged ones are never answered) and stops cleanly on
// SIGINT/SIGTERM. The Operator cannot read who sent a reply, but it sees that one left soon after the
// bot read its mail (spec CL-4): a bot that must hide even that waits a random while before replying.
import { parseArgs } from 'node:util';
import { Comrade } from '@comrad/client-node';

const { values } = parseArgs({ options: { home: { type: 'string' }, operator: { type: 'string' }, register: { type: 'string' } } });
const passphrase = process.env.COMRAD_PASSPHRASE;
if (!values.home || !passphrase) {
  console.error('usage: COMRAD_PASSPHRASE=… node examples/echo-bot.mjs --home DIR [--operator NAME] [--register NAME]');
  process.exit(2);
}

// The home (its Operator list too) is sealed under the passphrase: connect unlocks it, and the identity
// in it, before any connection (HOME-5); replies are then sent without logging in (CL-2).
const bot = await Comrade.connect({ home: values.home, passphrase, ...(values.operator ? { operator: values.operator } : {}) });
// --register on a home that already holds an identity uses it; a wrong passphrase has already stopped
// `connect`, and any other refusal (a taken name) stops the bot with its message.
const me = bot.identity ?? (values.register ? await bot.register(values.register) : undefined);
if (!me) {
  console.error('no identity in this home yet: start with --register NAME');
  process.exit(2);
}
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
