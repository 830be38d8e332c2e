/**
 * CLI-17: `comrad completion bash|zsh`, run in the real shells. The scripts come from the built bin (as a
 * person gets them), are sourced into bash and zsh, and asked what they complete; every subcommand and
 * every option the help lists must be offered, so the scripts cannot drift from the command table.
 * zsh is driven through a pseudo-terminal (zsh/zpty), typing TAB as a person would; `.ci/run` installs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { commandTable } from '../src/cli/program.js';
import { comrad, COMRAD_BIN, ok, requireBuild } from '@comrad/test-kit/client-node/processes';
import { tempHome } from '@comrad/test-kit/client-node/operator';
import { readmeSection } from '@comrad/test-kit/client-node/cast';

let root: { dir: string; remove(): Promise<void> };
let bashScript: string;
let zshScript: string;

beforeAll(async () => {
  requireBuild();
  root = await tempHome('comrad-completion-');
  bashScript = join(root.dir, 'comrad.bash');
  zshScript = join(root.dir, 'comrad.zsh');
  await writeFile(bashScript, ok(await comrad(['completion', 'bash'])));
  await writeFile(zshScript, ok(await comrad(['completion', 'zsh'])));
  // For path completion: a directory and a file that start alike.
  await mkdir(join(root.dir, 'pics'));
  await writeFile(join(root.dir, 'picture.jpg'), '');
});
afterAll(() => root?.remove());

/** What bash completes for the words typed so far (the last one being completed, maybe empty). */
function bash(typed: string[], script = `source ${JSON.stringify(bashScript)}`): string[] {
  const words = typed.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const out = execFileSync('bash', ['--norc', '-c', `${script}; COMP_WORDS=(${words}); COMP_CWORD=${typed.length - 1}; _comrad; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8', cwd: root.dir });
  return out.split('\n').filter(Boolean).sort();
}

/** Every command of the table with its words from the root (`[]`, `['send']`, `['operator', 'add']`). */
function commands(cmd: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  return [{ path, cmd }, ...cmd.commands.flatMap((c) => commands(c, [...path, c.name()]))];
}

/** The long options a command's help lists (its own and the global ones, CLI-6). */
function helpOptions(cmd: Command): string[] {
  return [...new Set(cmd.helpInformation().match(/(?<=^ {2}(?:-\w, )?)--[\w-]+/gm) ?? [])].sort();
}

/** The subcommands a command's help lists. */
function helpCommands(cmd: Command): string[] {
  const section = cmd.helpInformation().split(/^Commands:$/m)[1] ?? '';
  return (section.match(/^ {2}[\w-]+/gm) ?? []).map((s) => s.trim()).filter((s) => s !== 'help').sort();
}

describe('CLI-17 shell completion', () => {
  const table = commandTable();

  it('bash: `source <(comrad completion bash)` completes the subcommands', () => {
    const top = bash(['comrad', ''], `source <(${JSON.stringify(process.execPath)} ${JSON.stringify(COMRAD_BIN)} completion bash)`);
    expect(top).toEqual(helpCommands(table));
    expect(top).toEqual(expect.arrayContaining(['init', 'send', 'inbox', 'operator', 'completion']));
  });

  it('the README says how to enable both, with the commands tested here', async () => {
    const section = await readmeSection('Shell completion');
    expect(section).toContain('source <(npx comrad completion bash)');
    expect(section).toContain('source <(npx comrad completion zsh)');
  });

  it('bash: every subcommand and every option the help lists is completed, nothing else', () => {
    for (const { path, cmd } of commands(table)) {
      if (cmd.commands.length > 0) expect(bash(['comrad', ...path, '']), path.join(' ')).toEqual(helpCommands(cmd));
      // --version is the root's alone; every command has --help.
      const offered = bash(['comrad', ...path, '--']);
      expect(offered, path.join(' ')).toEqual(helpOptions(cmd));
    }
  });

  it('bash: prefixes, global options before the command, option values skipped, paths for files and directories', () => {
    expect(bash(['comrad', 'oper'])).toEqual(['operator']);
    expect(bash(['comrad', 'operator', 'r'])).toEqual(['remove']);
    expect(bash(['comrad', 'operator', 'add', '--k'])).toEqual(['--key']);
    expect(bash(['comrad', 'inbox', '--f'])).toEqual(['--follow']);
    // A global option and its value before the command: the value is not taken for a command.
    expect(bash(['comrad', '--home', 'inbox', 'feed', '--f'])).toEqual(['--follow']);
    expect(bash(['comrad', '--json', 'in'])).toEqual(['inbox', 'init']);
    expect(bash(['comrad', 'completion', ''])).toEqual(['bash', 'zsh']);
    // A command without positional arguments offers its options at once.
    expect(bash(['comrad', 'inbox', ''])).toEqual(helpOptions(table.commands.find((c) => c.name() === 'inbox')!));
    // Values: directories for <dir>, files for <file>, nothing made up for a name or a number.
    expect(bash(['comrad', 'inbox', '--save-images', 'pi'])).toEqual(['pics']);
    expect(bash(['comrad', 'send', 'bob', '--image', 'pi'])).toEqual(['pics', 'picture.jpg']);
    expect(bash(['comrad', '--timeout', ''])).toEqual([]);
  });

  it('zsh: completes subcommands, options and argument choices, typed with TAB in an interactive zsh', () => {
    const inbox = table.commands.find((c) => c.name() === 'inbox')!;
    const cases: [string, string[]][] = [
      ['comrad ', helpCommands(table)],
      ['comrad oper', ['operator']],
      ['comrad operator ', ['add', 'list', 'remove', 'use']],
      ['comrad completion ', ['bash', 'zsh']],
      ['comrad inbox --', helpOptions(inbox)],
      ['comrad --json feed --fo', ['--follow']],
      ['comrad inbox --save-images pi', ['pics']],
    ];
    const got = zshComplete(zshScript, cases.map(([typed]) => typed), root.dir);
    expect(Object.fromEntries(cases.map(([typed], i) => [typed, got[i]]))).toEqual(Object.fromEntries(cases));
  });
});

/**
 * What zsh completes after each of `typed`, in one interactive zsh on a pseudo-terminal with compinit and
 * the script sourced: `compadd` is wrapped to print each candidate it adds, then TAB is typed, a marker
 * ends the list, and the line is cleared for the next.
 */
function zshComplete(script: string, typed: readonly string[], cwd: string): string[][] {
  // (A template literal: \${ and \\ are zsh's own ${ and \.)
  const driver = `
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; RPROMPT=''; autoload -U compinit; compinit -u -D; source \${(q)1}"
zpty -w z 'compadd () { if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; (( $#__hits )) && print -l -- "<""<"\${^__hits}">"">"; builtin compadd "$@" }'
zpty -w z 'bindkey "^I" complete-word; zle -C __done complete-word __done_fn; __done_fn() { print "EN""D-OF-LIST" }; bindkey "^X" __done'
for typed in "\${@:2}"; do
  zpty -n -w z "$typed"$'\\t'
  zpty -n -w z $'\\C-x'
  out=""
  while zpty -r z line; do
    out+="$line"
    [[ $line == *END-OF-LIST* ]] && break
  done
  print -r -- "$out"
  zpty -n -w z $'\\C-e\\C-u'
done
zpty -d z
`;
  let out: string;
  try {
    out = execFileSync('zsh', ['-f', '-c', driver, 'zsh', script, ...typed], { encoding: 'utf8', cwd, timeout: 30_000 });
  } catch (err) {
    // Never skipped: a missing zsh is said, and CI installs it (.ci/run).
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('zsh is not installed: apt-get install -y zsh (.ci/run does)');
    throw err;
  }
  const lists = out.replace(/\r/g, '').split('END-OF-LIST').slice(0, typed.length);
  return lists.map((l) => [...new Set([...l.matchAll(/<<([^>\s]*)>>/g)].map((m) => m[1]!))].sort());
}
