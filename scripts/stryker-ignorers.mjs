// Stryker ignorers for `npm run test:mutation` (stryker.config.mjs).
//
// `error-messages`: the human text of an error is not part of the protocol; the code is (STYLE.md: closed
// codes, and tests assert codes). Mutating the text of `new ProtocolError(code, text)` or
// `new TypeError(text)` makes hundreds of mutants no test should kill, which would drown the ones that
// matter. The code argument is still mutated.

/** Errors whose first argument is the code, so the second is the text. */
const CODED = new Set(['ProtocolError', 'ComradError']);
/** Errors whose first argument is the text (`UnusableKey`: the crypto backends' internal refusal, whose text only reaches a ProtocolError's text). */
const PLAIN = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'UnusableKey']);

/** @type {import('@stryker-mutator/api/ignore').Ignorer} */
const errorMessages = {
  shouldIgnore(path) {
    const parent = path.parentPath?.node;
    if (!parent || parent.type !== 'NewExpression' || parent.callee.type !== 'Identifier') return undefined;
    const index = parent.arguments.indexOf(path.node);
    const name = parent.callee.name;
    if ((CODED.has(name) && index === 1) || (PLAIN.has(name) && index === 0)) {
      return 'error message text is not part of the protocol (the error code is)';
    }
    return undefined;
  },
};

// What `declareValuePlugin(PluginKind.Ignore, …)` of @stryker-mutator/api returns, written out so this
// file needs no import of a package the repo does not depend on directly.
export const strykerPlugins = [{ kind: 'Ignore', name: 'error-messages', value: errorMessages }];
