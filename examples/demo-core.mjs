// The core of Comrad in one page: two keymakers, a sealed letter, and what each side sees.
// Run after building core:  npm run build -w @comrad/core && node examples/demo-core.mjs
import { ready, toHex } from '@comrad/core';
import { createLetter, sealLetter, openSealedLetter } from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';

// node:crypto backend by default on Node; wasm-themis (the reference, same bytes) where it is not built.
await ready().catch(() => ready({ backend: 'wasm' }));
const alice = Keymaker.generate('alice');
const bob = Keymaker.generate('bob');
// What the Operator's registry would answer: name -> public key.
const registry = new Map([alice, bob].map((k) => [k.name, k.publicKey]));
const keyOf = (name) => {
  const key = registry.get(name);
  if (!key) throw new Error(`@${name} is not registered`);
  return key;
};

console.log(`alice ${alice.fingerprint()}`);
console.log(`bob   ${bob.fingerprint()}\n`);

const letter = createLetter({ kind: 'dm', from: 'alice', to: '@Bob', body: { text: 'Meet at the library, 6pm.' } });
const sealed = sealLetter(letter, alice.keys, keyOf(letter.to));
console.log(`alice seals a letter to @${letter.to}: ${sealed.length} bytes on the wire`);
console.log(`the Operator sees: version ${sealed[0]}, a one-time key ${toHex(sealed.subarray(13, 21))}…, ciphertext — no sender\n`);

const opened = await openSealedLetter(sealed, bob, keyOf);
console.log(`bob opens it: from @${opened.letter.from}, written ${new Date(opened.letter.at * 1000).toISOString()}`);
console.log(`  "${opened.letter.body.text}"`);
console.log(`  signature checked against the registry key ${opened.authorKey.fingerprint()}`);

const mallory = Keymaker.generate('mallory');
try {
  await openSealedLetter(sealLetter({ ...letter, body: { text: 'Plans changed, come alone.' } }, mallory.keys, bob.publicKey), bob, keyOf);
} catch (err) {
  console.log(`\nmallory forges a letter "from alice": bob's client refuses it with ${err.code}`);
}
