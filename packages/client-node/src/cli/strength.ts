/**
 * How hard a new passphrase is to guess (CLI-5), estimated by zxcvbn (`@zxcvbn-ts/core`) with the common
 * password lists, keyboard patterns and English dictionaries. The estimate matters because a seized
 * home can be attacked offline: every guess costs one PBKDF2 (CRY-9), about 0.3 s on a laptop, far less
 * on rented hardware.
 * @module
 */
import { UsageError } from '../errors.js';

/** zxcvbn score below which a new passphrase is refused without `--weak-passphrase`: under 10^8 guesses. */
export const MIN_PASSPHRASE_SCORE = 3;

/** What the estimate says about a passphrase. */
export interface Strength {
  /** 0 (guessed at once) to 4 (very hard to guess). */
  readonly score: number;
  /** log10 of the estimated guesses. */
  readonly guessesLog10: number;
  /** Why it is weak, when it is. */
  readonly warning?: string;
  /** How to make it stronger. */
  readonly suggestions: readonly string[];
}

type Checker = (passphrase: string, userInputs: string[]) => Strength;
let checker: Promise<Checker> | undefined;

/**
 * Estimates the strength of a passphrase. The dictionaries (a few MB) load on first use only: commands
 * that never set a passphrase never pay for them.
 * @param passphrase - the candidate
 * @param userInputs - words an attacker would try first (the name, "comrad")
 */
export async function estimateStrength(passphrase: string, userInputs: readonly string[] = []): Promise<Strength> {
  checker ??= load();
  return (await checker)(passphrase, ['comrad', 'comrade', 'comrades', ...userInputs]);
}

/**
 * Refuses a weak new passphrase (CLI-5) unless the person said `--weak-passphrase`.
 * @param passphrase - the new passphrase
 * @param opts - `weak`: accept anyway; `userInputs`: words to count as known to an attacker
 * @returns the estimate
 * @throws UsageError WEAK_PASSPHRASE, naming why and what to do
 */
export async function requireStrong(passphrase: string, opts: { weak?: boolean; userInputs?: readonly string[] } = {}): Promise<Strength> {
  const s = await estimateStrength(passphrase, opts.userInputs);
  if (s.score < MIN_PASSPHRASE_SCORE && !opts.weak) {
    const why = [s.warning, ...s.suggestions].filter((x) => x && x.length > 0).join(' ');
    throw new UsageError(
      'WEAK_PASSPHRASE',
      `this passphrase is too easy to guess (about 10^${Math.floor(s.guessesLog10)} guesses)${why ? `: ${why}` : ''}. ` +
        'Use four or more unrelated words, or pass --weak-passphrase to accept the risk',
    );
  }
  return s;
}

async function load(): Promise<Checker> {
  // CommonJS packages: their named exports are on the default export under Node's ESM loader.
  const [core, common, en] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
  const pick = <T>(m: T): T => ((m as { default?: T }).default ?? m);
  const { ZxcvbnFactory } = pick(core);
  const c = pick(common);
  const e = pick(en);
  const factory = new ZxcvbnFactory({ graphs: c.adjacencyGraphs, dictionary: { ...c.dictionary, ...e.dictionary }, translations: e.translations });
  return (passphrase, userInputs) => {
    const r = factory.check(passphrase, userInputs);
    return {
      score: r.score,
      guessesLog10: r.guessesLog10,
      ...(r.feedback.warning ? { warning: r.feedback.warning } : {}),
      suggestions: r.feedback.suggestions,
    };
  };
}
