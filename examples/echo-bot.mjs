#!/usr/bin/env node
// An echo bot: a comrade that answers every letter with its text, signed and sealed like any letter.
//   COMRAD_PASSPHRASE=… node examples/echo-bot.mjs --home DIR [--operator NAME] [--register NAME]
import { parseArgs } from 'node:util';
import { Comrade } from '@comrad/client-node';

const { values } = parseArgs({ options: { home: { type: 'string' }, operator: { type: 'string' }, register: { type: 'string' } } });
const passphrase = process.env.COMRAD_PASSPHRASE;
if (!values.home || !passphrase) {
  console.error('usage: COMRAD_PASSPHRASE=… node examples/echo-bot.mjs --home DIR [--operator NAME] [--register NAME]');
  process.exit(2);
}
// The passphrase unlocks the home (and the Operator list sealed in it) before any connection.
const bot = await Comrade.connect({ home: values.home, passphrase, ...(values.operator ? { operator: values.operator } : {}) });
const me = bot.identity ?? (values.register ? await bot.register(values.register) : undefined);
if (!me) {
  console.error('no identity in this home yet: start with --register NAME');
  process.exit(2);
}
console.log(`echo bot @${me.name} ready (key ${me.fingerprint})`);

const answer = async () => {
  // Verified letters only: a forged one is set apart by inbox() and never answered.
  for (const letter of (await bot.inbox()).received) {
    await bot.send(letter.from, `echo: ${letter.text}`);
    console.log(`answered a letter from @${letter.from}`);
  }
};
// One inbox at a time: a "you have mail" push that arrives meanwhile is covered by the next one.
let busy = Promise.resolve();
const drain = () => (busy = busy.then(answer).catch((err) => console.error(`inbox failed: ${err.message}`)));
bot.on('mail', drain);
drain();
const stop = () => busy.then(() => bot.close()).then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
