// The core of Comrad in one page: two keymakers, a sealed letter, and what each side sees.
// Run after building core:  npm run build -w @comrad/core && node examples/demo-core.mjs
import { ready, toHex } from '@comrad/core';
import { KeyPair } from '@comrad/core';
import { createLetter, sealLetter, openSealedLetter, signStatement } from '@comrad/core/envelope';
import { Keymaker } from '@comrad/core/keymaker';

// node:crypto backend by default on Node; wasm-themis (the reference, same bytes) where it is not built.
await ready().catch(() => ready({ backend: 'wasm' }));
const alice = Keymaker.generate('alice');
const bob = Keymaker.generate('bob');
// The Operator's registry: name -> public key, each answer signed with the Operator's key (which clients pin).
const operator = KeyPair.generate();
const registry = new Map([alice, bob].map((k) => [k.name, k.publicKey]));
const keyOf = (name) => {
  const key = registry.get(name);
  if (!key) throw new Error(`@${name} is not registered`);
  return key;
};
// What alice's registration answered: the Operator's statement "alice -> her key". Her letters carry it.
const aliceStatement = signStatement(operator.privateKey, 'alice', alice.publicKey, Date.now());

console.log(`alice ${alice.fingerprint()}`);
console.log(`bob   ${bob.fingerprint()}\n`);

const letter = createLetter({ kind: 'dm', from: 'alice', to: '@Bob', body: { text: 'Meet at the library, 6pm.' } });
const sealed = sealLetter(letter, alice.keys, keyOf(letter.to), aliceStatement);
console.log(`alice seals a letter to @${letter.to}: ${sealed.length} bytes on the wire`);
console.log(`the Operator sees: version ${sealed[0]}, a one-time key ${toHex(sealed.subarray(13, 21))}…, ciphertext — no sender\n`);

const opened = await openSealedLetter(sealed, bob, operator.publicKey);
console.log(`bob opens it: from @${opened.letter.from}, written ${new Date(opened.letter.at * 1000).toISOString()}`);
console.log(`  "${opened.letter.body.text}"`);
console.log(`  signature checked against ${opened.authorKey.fingerprint()}, the key the Operator's statement inside vouches for`);

const mallory = Keymaker.generate('mallory');
try {
  await openSealedLetter(sealLetter({ ...letter, body: { text: 'Plans changed, come alone.' } }, mallory.keys, bob.publicKey, aliceStatement), bob, operator.publicKey);
} catch (err) {
  console.log(`\nmallory forges a letter "from alice": bob's client refuses it with ${err.code}`);
}
