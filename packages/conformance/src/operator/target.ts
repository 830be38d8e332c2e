/**
 * The Operator under test as the kit knows it: its address, its key (trusted on first use, then pinned for
 * the whole run), what `info` announced (limits, proof-of-work bits), and how to open connections, solve
 * proofs of work and tell a rule violation from any other failure.
 * @module
 */
import { KeyPair, ProtocolError, randomBytes, type PublicKey } from '@comrad/core';
import { chanPowInput, makeRegisterProof, registerPowInput, sendPowInput, solvePowAsync, type ChanPostParams, type ChanPostResult, type InfoResult } from '@comrad/core/wire';
import { Connection, type Pace } from './connection.js';

/** A broken rule: what the spec requires and what the Operator did. */
export class RuleViolation extends Error {
  override readonly name = 'RuleViolation';
  constructor(
    readonly rules: readonly string[],
    message: string,
    readonly expected: unknown,
    readonly got: unknown,
  ) {
    super(message);
  }
}

/**
 * Requires `got` to equal `expected` (JSON-wise), else a {@link RuleViolation} of `rules`.
 * @param what - what is compared, for the report
 */
export function agreeOn(rules: readonly string[], what: string, expected: unknown, got: unknown): void {
  if (JSON.stringify(expected) !== JSON.stringify(got)) throw new RuleViolation(rules, what, expected, got);
}

/** Requires `ok`, else a {@link RuleViolation} of `rules`. */
export function must(rules: readonly string[], ok: boolean, what: string, got?: unknown): void {
  if (!ok) throw new RuleViolation(rules, what, what, got ?? 'not so');
}

/** `ok` or the refusal code of a request; anything but a ProtocolError (no answer, a closed socket) is thrown. */
export async function outcome<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    if (err instanceof ProtocolError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}

/** The Operator under test. */
export class Target {
  private constructor(
    readonly url: string,
    /** The Operator's key, learned from the first greeting (trust on first use) and pinned after. */
    readonly operatorKey: PublicKey,
    /** The world account's key, from the greeting (AUTH-8: never from `info`). */
    readonly worldKey: PublicKey,
    readonly info: InfoResult,
    readonly pace: Pace,
  ) {}

  /**
   * Connects once, trusting the greeting's key (trust on first use), and reads `info`.
   * @throws whatever the first connection or `info` throws: nothing else can be checked then
   */
  static async discover(url: string): Promise<Target> {
    // Until `info` says otherwise, a slow pace no Operator refuses.
    const pace: Pace = { intervalMs: 100 };
    const c = await Connection.open(url, undefined, pace);
    try {
      const info = await c.request('info', {});
      // LIMIT-3: a token bucket of requestsPerSecond; the kit stays at four fifths of it.
      pace.intervalMs = Math.ceil(1250 / info.limits.requestsPerSecond);
      return new Target(url, c.hello.operatorKey, c.hello.worldKey, info, pace);
    } finally {
      await c.close();
    }
  }

  /**
   * A new connection, its greeting checked against the pinned key.
   * @throws RuleViolation of AUTH-1/AUTH-7 when the greeting is signed by another key than the first
   *   one's, or not for this connection
   */
  async connect(path?: string): Promise<Connection> {
    try {
      return await Connection.open(this.url, this.operatorKey, this.pace, path === undefined ? {} : { path });
    } catch (err) {
      if (err instanceof ProtocolError && ['KEY_CHANGED', 'BAD_SIGNATURE', 'DECRYPT_FAILED'].includes(err.code)) {
        throw new RuleViolation(['AUTH-1', 'AUTH-7'], 'every greeting is signed by the key of the first one, for this connection', 'a greeting that checks out', `${err.code}: ${err.message}`);
      }
      throw err;
    }
  }

  /**
   * A new connection that has been answered once (`info`): LIMIT-7 closes a connection that has neither
   * logged in nor been answered ok within the handshake deadline, and solving proof of work takes a while.
   */
  async kept(): Promise<Connection> {
    const c = await this.connect();
    await c.request('info', {});
    return c;
  }

  /**
   * A `register` request for `name` with `keys`, on a connection of its own when the Operator wants
   * proof of work (REG-6, POW-1: bound to that connection's challenge, spent once).
   * @param conn - the connection to use when no work is needed
   */
  async register(conn: Connection, name: string, keys: KeyPair): Promise<{ statement: Uint8Array }> {
    const proof = makeRegisterProof(keys.privateKey, name, keys.publicKey, this.operatorKey);
    const bits = this.info.pow.register;
    if (bits === 0) return conn.request('register', { name, key: keys.publicKey, proof });
    const own = await this.kept();
    try {
      const pow = await solvePowAsync((nonce) => registerPowInput(own.hello.challenge, name, keys.publicKey, nonce), bits);
      return await own.request('register', { name, key: keys.publicKey, proof, pow });
    } finally {
      await own.close();
    }
  }

  /** A `send` request, on a connection of its own when the Operator wants proof of work (MB-9). */
  async send(conn: Connection, to: string, letter: Uint8Array, ttl: number | undefined): Promise<Record<string, never>> {
    const bits = this.info.pow.send;
    const base = { to, letter, ...(ttl === undefined ? {} : { ttl }) };
    if (bits === 0) return conn.request('send', base);
    const own = await this.kept();
    try {
      const pow = await solvePowAsync((nonce) => sendPowInput(own.hello.challenge, to, letter, nonce), bits);
      return await own.request('send', { ...base, pow });
    } finally {
      await own.close();
    }
  }

  /** A `chanPost` request, on a connection of its own when the Operator wants proof of work (CHAN-7, as MB-9). */
  async chanPost(conn: Connection, params: Omit<ChanPostParams, 'pow' | 'token'>): Promise<ChanPostResult> {
    const bits = this.info.pow.send;
    if (bits === 0) return conn.request('chanPost', params);
    const own = await this.kept();
    try {
      const pow = await solvePowAsync((nonce) => chanPowInput(own.hello.challenge, params.cap, params.post, nonce), bits);
      return await own.request('chanPost', { ...params, pow });
    } finally {
      await own.close();
    }
  }
}

/** A name no one has taken: the kit's prefix, random letters, and a role suffix (NAME-1: a–z, 0–9, _). */
export function freshName(role: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const r = randomBytes(10);
  let s = '';
  for (const b of r) s += alphabet[b % alphabet.length];
  return `cf_${s}_${role}`.slice(0, 32);
}

/** Fresh key pairs (never registered anywhere). */
export function freshKeys(n: number): KeyPair[] {
  return Array.from({ length: n }, () => KeyPair.generate());
}
