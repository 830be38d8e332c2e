/**
 * `comrad completion bash|zsh` (CLI-17): shell completion scripts generated from the very command table
 * that parses the command line and prints the help, so a new command or option is completed the day it
 * exists and a removed one is never offered.
 * @module
 */
import type { Command, Option } from 'commander';

/** How the value of an option (or an argument) is completed. */
type ValueKind = 'dir' | 'file' | 'other';

/** One option as completion sees it. */
interface OptionSpec {
  /** `--home`, or `-h` and `--help`. */
  names: string[];
  description: string;
  /** Absent for a flag. */
  value?: ValueKind;
}

/** One command (the root included), as completion sees it. */
interface CommandSpec {
  /** Words from the root: `[]`, `['send']`, `['operator', 'add']`. */
  path: string[];
  description: string;
  /** Its own options (the globals are listed once, on the root). */
  options: OptionSpec[];
  /** Options of the commands between the root and it (`profile`'s for `profile set`): its help lists them too. */
  inherited: OptionSpec[];
  commands: CommandSpec[];
  /** Its positional arguments, in order. */
  args: { name: string; required: boolean; choices?: readonly string[] }[];
}

/** Shells `comrad completion` writes scripts for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;

/** `--help` is added by commander to every command, outside its option list. */
const HELP: OptionSpec = { names: ['-h', '--help'], description: 'display help for command' };

/**
 * Reads the command table.
 * @param cmd - the root `comrad` command, fully configured
 * @returns the tree of commands with their options and arguments
 */
export function describeCommands(cmd: Command, path: string[] = [], inherited: OptionSpec[] = []): CommandSpec {
  const own = cmd.options.filter((o) => !o.hidden).map(optionSpec);
  return {
    path,
    description: cmd.description(),
    options: [...own, HELP],
    inherited,
    // The root's options are the globals, listed once; a middle command's pass on to its subcommands.
    commands: cmd.commands.map((c) => describeCommands(c, [...path, c.name()], path.length === 0 ? [] : [...inherited, ...own])),
    args: cmd.registeredArguments.map((a) => ({ name: a.name(), required: a.required, ...(a.argChoices ? { choices: a.argChoices } : {}) })),
  };
}

function optionSpec(o: Option): OptionSpec {
  const names = [o.short, o.long].filter((n): n is string => typeof n === 'string');
  if (!o.required && !o.optional) return { names, description: o.description };
  // The placeholder names the kind of value: `<dir>` and `<file>` complete paths, anything else nothing.
  const placeholder = /<(\w+)>|\[(\w+)\]/.exec(o.flags);
  const word = placeholder?.[1] ?? placeholder?.[2] ?? '';
  return { names, description: o.description, value: word === 'dir' ? 'dir' : word === 'file' ? 'file' : 'other' };
}

/** The root's options that every subcommand takes too, as its help lists them (CLI-1, CLI-6): all but `--help`. */
function globalOptions(root: CommandSpec): OptionSpec[] {
  return root.options.filter((o) => o !== HELP);
}

function walk(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.commands.flatMap(walk)];
}

/** Every option that takes a value, by kind, over the whole table (a name means the same everywhere). */
function valueOptions(root: CommandSpec): Record<ValueKind, string[]> {
  const kinds = new Map<string, ValueKind | undefined>();
  for (const c of walk(root)) {
    for (const o of c.options) {
      for (const n of o.names) {
        if (kinds.has(n) && kinds.get(n) !== o.value) throw new Error(`completion: option ${n} takes a value in one command and not in another`);
        kinds.set(n, o.value);
      }
    }
  }
  const out: Record<ValueKind, string[]> = { dir: [], file: [], other: [] };
  for (const [n, kind] of kinds) if (kind) out[kind].push(n);
  return out;
}

/**
 * The bash script: `source <(comrad completion bash)`.
 * @param program - the root command
 * @returns a script defining `_comrad` and registering it for `comrad`
 */
export function bashCompletion(program: Command): string {
  const root = describeCommands(program);
  const globals = globalOptions(root).flatMap((o) => o.names);
  const values = valueOptions(root);
  const all = walk(root);
  const key = (c: CommandSpec) => c.path.join(' ');
  const caseOf = (names: readonly string[]) => names.map(shellWord).join('|');
  // Which words extend the command path, e.g. "operator" then "add".
  const steps = all.filter((c) => c.path.length > 0).map((c) => `"${c.path.slice(0, -1).join(' ')}:${c.path[c.path.length - 1]}"`);
  const branches = all.map((c) => {
    const options = [...new Set([...c.options.flatMap((o) => o.names), ...c.inherited.flatMap((o) => o.names), ...(c.path.length > 0 ? globals : [])])].join(' ');
    const positional = c.commands.length > 0 ? c.commands.map((s) => s.path[s.path.length - 1]!).join(' ') : (c.args.find((a) => a.choices)?.choices ?? []).join(' ');
    // A command without positional arguments offers its (long) options at once; otherwise they follow a dash.
    const dashless = c.commands.length === 0 && c.args.length === 0 ? options.split(' ').filter((o) => o.startsWith('--')).join(' ') : positional;
    return `    ${shellWord(key(c)) || '""'}) options=${shellWord(options)}; words=${shellWord(dashless)} ;;`;
  });
  return `# bash completion for comrad, generated by \`comrad completion bash\` from its own command table.
# Enable it for this shell:   source <(comrad completion bash)
# and for every new one:      comrad completion bash > ~/.local/share/bash-completion/completions/comrad
_comrad() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path="" word options="" words="" i skip=0
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # The command path so far (e.g. "operator add"): words that name a subcommand, skipping option values.
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word="\${COMP_WORDS[i]}"
    if (( skip )); then skip=0; continue; fi
    case "$word" in
      ${caseOf([...values.dir, ...values.file, ...values.other])}) skip=1 ;;
      -*) ;;
      *) case "$path:$word" in
           ${steps.join('|')}) path="\${path:+$path }$word" ;;
         esac ;;
    esac
  done
  case "$prev" in
    ${caseOf(values.dir)}) COMPREPLY=( $(compgen -d -- "$cur") ); return 0 ;;
    ${caseOf(values.file)}) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    ${caseOf(values.other)}) COMPREPLY=(); return 0 ;;
  esac
  case "$path" in
${branches.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then words="$options"; fi
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _comrad comrad
`;
}

/**
 * The zsh script: `source <(comrad completion zsh)` after `compinit`, or saved as `_comrad` in `$fpath`.
 * @param program - the root command
 * @returns a script defining `_comrad` (with descriptions) and registering it for `comrad`
 */
export function zshCompletion(program: Command): string {
  const root = describeCommands(program);
  const globals = globalOptions(root);
  const fn = (c: CommandSpec) => ['_comrad', ...c.path].join('_').replace(/-/g, '_');
  const functions = walk(root).map((c) => {
    // The root's own options are the globals and its --help.
    const own = (c.path.length === 0 ? c.options.filter((o) => !globals.includes(o)) : [...c.options, ...c.inherited]).map(zshOption);
    const args = c.args.map((a, i) => zshQuote(`${i + 1}:${a.required ? '' : ':'}${zshEscape(a.name)}:${a.choices ? `(${a.choices.join(' ')})` : ' '}`));
    if (c.commands.length === 0) return `${fn(c)}() {\n  _arguments -s "\${_comrad_globals[@]}" ${[...own, ...args].join(' ')}\n}`;
    const subs = c.commands.map((s) => `    ${zshQuote(`${s.path[s.path.length - 1]}:${s.description}`)}`);
    const dispatch = c.commands.map((s) => `        ${shellWord(s.path[s.path.length - 1]!)}) ${fn(s)} ;;`);
    return `${fn(c)}() {
  local curcontext="$curcontext" state line
  local -a subcommands=(
${subs.join('\n')}
  )
  _arguments -C -s "\${_comrad_globals[@]}" ${own.join(' ')} '1: :->command' '*:: :->argument'
  case $state in
    command) _describe -t commands 'comrad command' subcommands ;;
    argument)
      curcontext="\${curcontext%:*:*}:comrad-$words[1]:"
      case $words[1] in
${dispatch.join('\n')}
      esac ;;
  esac
}`;
  });
  return `#compdef comrad
# zsh completion for comrad, generated by \`comrad completion zsh\` from its own command table.
# Enable it for this shell (after compinit):   source <(comrad completion zsh)
# and for every new one: save it as _comrad in a directory of $fpath, e.g.
#   comrad completion zsh > ~/.zfunc/_comrad   (with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc)
typeset -ga _comrad_globals=(
${globals.map((o) => `  ${zshOption(o)}`).join('\n')}
)
${functions.join('\n\n')}

if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _comrad "$@"
else
  compdef _comrad comrad
fi
`;
}

/** An `_arguments` spec for one option: `--home[description]:dir:_files -/`. */
function zshOption(o: OptionSpec): string {
  const exclusive = o.names.length > 1 ? `(${o.names.join(' ')})` : '';
  const names = o.names.length > 1 ? `{${o.names.join(',')}}` : o.names[0]!;
  const action = o.value === 'dir' ? ':dir:_files -/' : o.value === 'file' ? ':file:_files' : o.value === 'other' ? ': : ' : '';
  // Brace expansion must stay outside quotes; the rest is one quoted word.
  const [before, after] = [zshQuote(exclusive), zshQuote(`[${zshEscape(o.description)}]${action}`)];
  return o.names.length > 1 ? `${before}${names}${after}` : zshQuote(`${names}[${zshEscape(o.description)}]${action}`);
}

/** Escapes what `_arguments` reads as syntax inside a description or a message. */
function zshEscape(text: string): string {
  return text.replace(/[\\[\]:]/g, (c) => `\\${c}`);
}

/** One single-quoted shell word. */
function zshQuote(text: string): string {
  return text === '' ? '' : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A word safe to write unquoted in a bash `case` pattern or assignment, quoted when it has spaces. */
function shellWord(text: string): string {
  if (/^[\w@%+=:,./-]*$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
