/**
 * Keymakers: anything with a name and a key pair — a comrade, the Operator, the world account
 * `comrades`, a collective.
 * @module
 */
import { KeyPair, type PublicKey } from '../crypto/keys.js';
import { checkName } from '../envelope/name.js';

/** A name and its identity key pair. Printing one never shows the private key. */
export class Keymaker {
  /**
   * @param name - a normalised name (NAME-1); reserved names are allowed, since the Operator and the
   *   world account are keymakers too
   * @param keys - the identity key pair
   * @throws ProtocolError INVALID_NAME
   */
  constructor(
    readonly name: string,
    readonly keys: KeyPair,
  ) {
    checkName(name);
    if (!(keys instanceof KeyPair)) throw new TypeError('keys must be a KeyPair');
  }

  /**
   * A keymaker with a fresh key pair (after `await ready()`).
   * @throws ProtocolError INVALID_NAME
   * @example `const alice = Keymaker.generate('alice')`
   */
  static generate(name: string): Keymaker {
    return new Keymaker(name, KeyPair.generate());
  }

  /**
   * {@link Keymaker.generate}, asynchronously, on every crypto backend (CRY-18).
   * @throws ProtocolError INVALID_NAME
   * @example `const alice = await Keymaker.generateAsync('alice')`
   */
  static async generateAsync(name: string): Promise<Keymaker> {
    checkName(name);
    return new Keymaker(name, await KeyPair.generateAsync());
  }

  /** The public half of the identity key. */
  get publicKey(): PublicKey {
    return this.keys.publicKey;
  }

  /** The fingerprint of the public key (KEY-4), for comparing out of band. */
  fingerprint(): string {
    return this.keys.publicKey.fingerprint();
  }

  /** Overwrites the private key in memory; the keymaker cannot sign or open letters afterwards. */
  wipe(): void {
    this.keys.privateKey.wipe();
  }

  toString(): string {
    return `Keymaker(@${this.name} ${this.fingerprint()})`;
  }

  /** Only public facts, so a keymaker logged or serialised by mistake leaks no secret. */
  toJSON(): { name: string; publicKey: string } {
    return { name: this.name, publicKey: this.keys.publicKey.toHex() };
  }
}
