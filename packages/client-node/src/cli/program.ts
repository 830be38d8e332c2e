/**
 * The `comrad` command line (CLI-*): the commands, their help, and how errors become exit codes.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Argument, Command, CommanderError, Option } from 'commander';
import { MAX_TEXT_CHARS } from '@comrad/core';
import { MAX_BIO_CHARS, MAX_DISPLAY_CHARS, MAX_EVENT_TITLE_CHARS, MAX_EVENT_WHERE_CHARS, PROFILE_TTL_DAYS, PROFILE_VISIBILITIES, RSVP_ANSWERS } from '@comrad/core/envelope';
import { UsageError } from '../errors.js';
import { Context, type GlobalOptions } from './context.js';
import { EXIT, Output } from './output.js';
import { bashCompletion, COMPLETION_SHELLS, zshCompletion } from './completion.js';
import { changePassphrase, init, operatorAdd, operatorList, operatorRemove, operatorUse } from './commands/setup.js';
import { contacts, register, whoami, whois } from './commands/identity.js';
import { inbox, send } from './commands/mail.js';
import { deletePost, feed, post } from './commands/world.js';
import { trust, trusted, untrust } from './commands/circles.js';
import * as collective from './commands/collective.js';
import { profileSet, profileShow } from './commands/profile.js';
import * as event from './commands/event.js';
import * as pinCmd from './commands/pins.js';
import { tokens as tokensCmd, vote as voteCmd } from './commands/votes.js';
import { app, APP_FEED_POLL_S } from './commands/app.js';
import { DEFAULT_PIN_TTL_SECONDS, MAX_PIN_NOTE_CHARS, PIN_KINDS } from '@comrad/core/pins';

type Action = (ctx: Context, ...args: never[]) => Promise<void>;

/**
 * Runs the CLI.
 * @param argv - `process.argv`
 * @param env - the environment
 * @returns the exit code (CLI-3)
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = commandTable(env);
  const globals = () => program.opts<GlobalOptions>();
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, successfully; a bare `comrad` (or `comrad operator`) has
      // printed the help to stderr and is a usage error without an error line of its own.
      if (err.exitCode === 0) return EXIT.OK;
      if (err.code === 'commander.help') return EXIT.USAGE;
      err = new UsageError('USAGE', `${err.message.replace(/^error: /, '')} (see comrad --help)`);
    }
    // Options are parsed before a failure in commander's own checks only sometimes: look at argv too.
    const flag = (name: 'json' | 'debug') => globals()[name] === true || beforeDoubleDash(argv).includes(`--${name}`);
    return new Output(flag('json')).fail(err, flag('debug'));
  }
  return EXIT.OK;
}

/**
 * The one table of commands, options and arguments: it parses the command line, prints the help (CLI-6)
 * and generates the shell completion scripts (CLI-17), so the three never disagree.
 * @param env - the environment the commands run with
 * @returns the root `comrad` command, not parsed yet
 */
export function commandTable(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('comrad');
  // Commander's own errors (unknown option, missing argument) are usage errors: exit 2, reported below in
  // the one error format (CLI-3), so commander itself prints none. Subcommands inherit all of this, and
  // their help lists the global options too (CLI-6).
  program.exitOverride();
  program.configureOutput({ outputError: () => undefined });
  program.configureHelp({ showGlobalOptions: true });
  program
    .version(packageVersion(), '--version', 'print the version and exit')
    .description('Comrad: anonymous, end-to-end encrypted letters and posts')
    .option('--home <dir>', 'local data directory (default: $COMRAD_HOME or ~/.comrad)')
    .option('--operator <name>', 'which known Operator to use (see `comrad operator list`)')
    .option('--proxy <url>', 'SOCKS proxy for every connection, e.g. socks5h://127.0.0.1:9050 (Tor); or $COMRAD_PROXY')
    .option('--tor', 'start a tor client for this command and connect through it')
    .option('--tor-config <file>', 'extra torrc lines for the tor started by --tor, e.g. a private test network (or $COMRAD_TOR_CONFIG)')
    .option('--timeout <seconds>', 'the longest wait for each step: tor bootstrapping with --tor (default 120), connecting (default 60), each answer (default 30)')
    .option('--insecure', 'allow plain ws:// to a host that is neither loopback nor an onion (unencrypted; warned on every command)')
    .option('--json', 'machine-readable output')
    .option('--debug', 'print stack traces on errors')
    .option('--passphrase-file <file>', 'read the passphrase from the first line of FILE (or set $COMRAD_PASSPHRASE)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 error, 2 usage, 3 Operator (or tor) unreachable or too slow, 4 a key changed (possible man-in-the-middle).',
    );

  const run =
    (action: Action) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const ctx = new Context(cmd.optsWithGlobals<GlobalOptions>(), env);
      await (action as (ctx: Context, ...a: unknown[]) => Promise<void>)(ctx, ...args.slice(0, -1));
    };

  const weak = '--weak-passphrase';
  const weakHelp = 'accept a new passphrase that is easy to guess (not recommended)';
  program
    .command('init')
    .description('create the local home (0700), sealed under a new passphrase, with the default Operator')
    .option(weak, weakHelp)
    .action(run(init as Action));
  program
    .command('passphrase')
    .description("change the home's passphrase (the new one from the terminal, --new-passphrase-file or $COMRAD_NEW_PASSPHRASE)")
    .option('--new-passphrase-file <file>', 'read the new passphrase from the first line of FILE')
    .option(weak, weakHelp)
    .action(run(changePassphrase as Action));

  const op = program.command('operator').description('the Operators this client knows');
  op.command('add <url>')
    .description('add an Operator (ws:// or wss://); its key is pinned on first use unless given')
    .option('--key <key>', "the Operator's public key (hex) or fingerprint, from a source you trust")
    .option('--name <name>', 'a local name for it', 'default')
    .option(weak, weakHelp)
    .action(run(operatorAdd as Action));
  op.command('list').description('the known Operators; * marks the default').action(run(operatorList));
  op.command('use <name>').description('make NAME the Operator used when --operator is not given').action(run(operatorUse as Action));
  op.command('remove <name>').description('forget the Operator NAME and its pinned key (not the default one)').action(run(operatorRemove as Action));

  program
    .command('register <name>')
    .description('create your identity and register NAME at the Operator')
    .option(weak, weakHelp)
    .action(run(register as Action));
  program.command('contacts').description('the comrades whose keys you pinned, with their fingerprints (no connection)').action(run(contacts));
  program.command('whoami').description('your name and key fingerprint').action(run(whoami));
  program
    .command('whois <name>')
    .description("look a comrade up: their key fingerprint, to compare out of band (pinned on first use)")
    .option('--qr', 'also draw the fingerprint as a QR code')
    .option('--accept-new-key <fingerprint>', "accept a changed key: its full new fingerprint, as they confirmed it in person (CT-3)")
    .action(run(whois as Action));
  program
    .command('send <name> [text]')
    .description(`send a letter (end to end; the Operator does not learn the sender). TEXT is at most ${MAX_TEXT_CHARS} characters; - reads it from standard input`)
    .option('--file <file>', 'read the text of the letter from FILE')
    .option('--image <file>', 'attach an image (re-encoded, all metadata removed)')
    .action(run(send as Action));
  program
    .command('inbox')
    .description('fetch, verify and store new letters, and show them')
    .option('--all', 'show every letter stored on this device (reads the home only: works offline, fetches nothing)')
    .option('--save-images <dir>', 'write images of the letters shown into DIR')
    .option('--follow', 'stay connected and show letters as they arrive, until Ctrl-C (reconnects by itself; with --json, one object per line)')
    .action(run(inbox as Action));
  program
    .command('post [text]')
    .description(`post to the world (@comrades); readable by every registered comrade. TEXT is at most ${MAX_TEXT_CHARS} characters; - reads it from standard input`)
    .option('--file <file>', 'read the text of the post from FILE')
    .option('--image <file>', 'attach an image (re-encoded, all metadata removed)')
    .option('--expires <days>', 'lifetime, e.g. 7d (default 7 days)')
    .option('--to <audience>', 'world (default), or trusted: only the comrades you trust read it (comrad trust NAME)')
    .action(run(post as Action));
  program
    .command('feed')
    .description('read the world feed and your trusted circles, newest first, each post marked world or trusted (every post verified)')
    .option('--limit <n>', 'how many posts')
    .option('--before <post>', 'older than this post (paging)')
    .option('--save-images <dir>', 'write images of the posts shown into DIR')
    .option('--follow', 'keep reading: check the feed every 30 s (see --interval) and show posts not shown yet, oldest first, until Ctrl-C')
    .option('--interval <seconds>', 'with --follow, how often to check the feed (default 30)')
    .action(run(feed as Action));
  program.command('delete <post>').description('delete one of your posts').action(run(deletePost as Action));
  // Anonymous votes (VOTE-*): one token each, on a connection that never logs in.
  program
    .command('vote <post> <choice>')
    .description('vote on a post, anonymously: up, down, or none to withdraw (one vote per post; a change costs another token). POST is a world post, or a trusted or collective post shown by `comrad feed` or `comrad collective feed`')
    .action(run(voteCmd as Action));
  program.command('tokens').description("obtain today's unlinkable tokens ahead of the anonymous actions they pay for, and show how many you hold").action(run(tokensCmd as Action));

  // Trusted circles (CIR-*): a key shared by sealed letter, rotated when someone leaves.
  program.command('trust <name>').description("trust a comrade: they get your trusted circle's key and read what you post --to trusted").action(run(trust as Action));
  program.command('untrust <name>').description('stop trusting a comrade: your circle gets a new key they never see').action(run(untrust as Action));
  program.command('trusted').description('whom you trust, and whose trusted circles you are in (no connection)').action(run(trusted as Action));

  // Collectives (COL-*): every command reads, verifies and folds the collective's whole log.
  const share = (what: string) => `share of the members who must ${what}, from 0 to 1 (e.g. 0.3 or 30%)`;
  const constitutionOptions = (c: Command, defaults: boolean) =>
    c
      .option('--quorum <share>', `${share('vouch to admit a candidate')}${defaults ? ' (default 0.3)' : ''}`)
      .option('--amend <share>', `${share('vote yes to amend the constitution')}${defaults ? ' (default 0.5)' : ''}`)
      .option('--expel <share>', `${share('vote to expel a member')}, or none${defaults ? ' (default: none, no expulsions)' : ''}`)
      .option('--cap <n>', `never ask more than N vouches to admit${defaults ? ' (default 10)' : ''}`);
  const group = program.command('collective').description('self-governing collectives: found, invite, ask, vouch, amend, post, read, expel, leave');
  constitutionOptions(group.command('found <name>').description('found a collective: its name is registered, you are its first member'), true).action(run(collective.found as Action));
  group.command('invite <name> <comrade>').description("invite a comrade: a letter with the collective's keys, so they can ask to join").action(run(collective.invite as Action));
  group.command('request <name> [note]').description('ask to join a collective you were invited to; NOTE is a word to its members').action(run(collective.request as Action));
  group.command('requests <name>').description('the pending requests, with their vouches and how many they need').action(run(collective.requests as Action));
  group.command('vouch <name> <candidate>').description('vouch for a candidate; the vouch that completes the quorum admits them').action(run(collective.vouch as Action));
  group.command('members <name>').description('the members, the constitution in force and the pending proposals').action(run(collective.members as Action));
  constitutionOptions(group.command('propose <name>').description('propose to amend the constitution in force (what the options change)'), false).action(run(collective.propose as Action));
  group
    .command('vote <name> <proposal>')
    .description('vote on a pending proposal; it passes when the yes votes reach the amend quorum')
    .addArgument(new Argument('<answer>', 'yes or no').choices(['yes', 'no']))
    .action(run(collective.vote as Action));
  group
    .command('post <name> [text]')
    .description(`post a message to a collective you are a member of: sealed once, readable by its members of this moment only. TEXT is at most ${MAX_TEXT_CHARS} characters; - reads it from standard input`)
    .option('--file <file>', 'read the text of the message from FILE')
    .option('--image <file>', 'attach an image (re-encoded, all metadata removed)')
    .option('--expires <days>', 'lifetime, e.g. 7d (default 7 days)')
    .action(run(collective.post as Action));
  group
    .command('feed <name>')
    .description("read a collective's messages, newest first (every one verified)")
    .option('--limit <n>', 'how many messages')
    .option('--before <message>', 'older than this message (paging)')
    .option('--save-images <dir>', 'write images of the messages shown into DIR')
    .action(run(collective.feed as Action));
  group.command('expel <name> <member>').description('vote to expel a member, where the constitution allows it; the vote that reaches the quorum expels').action(run(collective.expel as Action));
  group.command('leave <name>').description('leave a collective (or withdraw your request)').action(run(collective.leave as Action));
  program.command('collectives').description('the collectives you founded, joined, asked to join or were invited to').action(run(collective.collectives));

  // Events (EVT-*): invitations and answers are sealed letters; an event is forgotten when it ends.
  const events = program.command('event').description('host an event, invite comrades, answer an invitation');
  events
    .command('create')
    .description('host an event: by invitation only (then: comrad event invite), or posted to the world with --to world')
    .requiredOption('--title <title>', `what it is, at most ${MAX_EVENT_TITLE_CHARS} characters on one line`)
    .requiredOption('--when <start[/end]>', 'when: 2026-12-01T18:00Z/20:00 (UTC unless a zone is given), or +1d/+2h (from now, then how long); two hours when no end')
    .requiredOption('--where <place>', `where, at most ${MAX_EVENT_WHERE_CHARS} characters on one line`)
    .option('--note <text>', 'a note for those who come, at most 1000 characters')
    .option('--to <audience...>', 'world: post it to the world feed; trusted: to those you trust; collective NAME: to the members of a collective you belong to (default: only those you invite see it)')
    .option('--expires <when>', 'with --to world: take it off the feed before it ends (a time, or +DURATION from now)')
    .option('--anonymous', 'host it without your name: signed by a one-time key, posted for the world without login, answers to a one-time mailbox')
    .action(run(event.create as Action));
  events.command('invite <id> <names...>').description('invite comrades to an event you host: a sealed letter to each').action(run(event.invite as Action));
  events.command('prove <id> <name>').description('show one comrade, and only them, that you host an anonymous event: a proof signed by its one-time key').action(run(event.prove as Action));
  events
    .command('rsvp <id>')
    .description('answer an event you were invited to or saw: a sealed letter to its host')
    .addArgument(new Argument('<answer>', 'yes, no or maybe').choices(RSVP_ANSWERS))
    .action(run(event.rsvp as Action));
  program.command('events').description('events to come: those you host with every answer, those you are invited to, those in the world feed').action(run(event.events));

  const profile = program
    .command('profile')
    .description(`a comrade's profile, verified against their key (read \`@set\` as \`comrad profile @set\`)`)
    .argument('<name>', 'whose profile')
    .option('--save-photo <dir>', 'write the photo into DIR')
    .action(run(profileShow as Action));
  profile
    .command('set')
    .description(`sign and publish your profile; kept ${PROFILE_TTL_DAYS} days unless you set it again (then the newest replaces it)`)
    .requiredOption('--name <display>', `the name to show, at most ${MAX_DISPLAY_CHARS} characters on one line`)
    .option('--bio <text>', `a short text, at most ${MAX_BIO_CHARS} characters`)
    .option('--photo <file>', 'a photo (re-encoded, all metadata removed, at most 512 pixels a side)')
    .addOption(new Option('--visibility <who>', 'who may read it: world (any registered comrade) or trusted (only the comrades you trust: comrad trust NAME)').choices(PROFILE_VISIBILITIES).default('world'))
    .action(run(profileSet as Action));
  // Danger pins (PIN-*): never logged in; the exact point stays here (a ~150 m cell is sent).
  const pinGroup = program
    .command('pin')
    .description('leave a danger pin on the map, anonymously (no author is stored; the point is sent as a ~150 m cell)')
    .option('--lat <degrees>', 'latitude, -90 to 90 (e.g. --lat=-23.55 for the south)')
    .option('--lon <degrees>', 'longitude, -180 to 180 (e.g. --lon=-46.63 for the west)')
    .addOption(new Option('--kind <kind>', 'what is there').choices(PIN_KINDS))
    .option('--note <text>', `a short note, at most ${MAX_PIN_NOTE_CHARS} characters on one line (public: anyone reads it)`)
    .option('--ttl <duration>', `how long it lives, e.g. 30m, 2h (default ${DEFAULT_PIN_TTL_SECONDS / 3600}h; the Operator may cut it)`)
    .action(run(pinCmd.pin as Action));
  pinGroup.command('confirm <id>').description('confirm a pin (anonymous, once per pin): it lives longer').action(run(pinCmd.vote('confirm') as Action));
  pinGroup.command('deny <id>').description('deny a pin (anonymous, once per pin): it goes sooner').action(run(pinCmd.vote('deny') as Action));
  program
    .command('pins')
    .description('the live pins around a point, nearest first, with distance, bearing and age (asks for ~5 km cells, never your point)')
    .option('--near <lat,lon>', 'where you are, in degrees, e.g. --near 52.52,13.405 (--near=-23.55,-46.63)')
    .option('--radius <km>', 'how far to look, in km, up to 100 (default 2)')
    .option('--limit <n>', 'at most this many pins')
    .option('--map <file>', 'also draw them: FILE.html (a self-contained page) or FILE.png; nothing is fetched')
    .option('--tiles <url-template>', 'draw the PNG map over tiles of this server, e.g. https://tile.example/{z}/{x}/{y}.png, fetched through Tor only (--tor or --proxy)')
    .action(run(pinCmd.pins as Action));
  program
    .command('app')
    .description('open this home in a web interface on this computer (a local server on 127.0.0.1, reached with a one-time link)')
    .option('--port <n>', 'the local port (default: any free port)')
    .option('--no-open', 'print the link only; do not open a browser')
    .option('--poll <seconds>', `how often to read the world feed for new posts (default ${APP_FEED_POLL_S})`)
    .option('--tiles <url-template>', 'a map background for the danger map, e.g. https://tile.example/{z}/{x}/{y}.png, fetched through Tor only (--tor or --proxy); default: none, the map is drawn from the pins alone')
    .action(run(app as Action));
  // CLI-17: generated from this very table, after every command is in it.
  program
    .command('completion')
    .description('print a shell completion script: source <(comrad completion bash), or zsh')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(COMPLETION_SHELLS))
    .action((shell: (typeof COMPLETION_SHELLS)[number]) => {
      process.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });

  return program;
}

/** The arguments before a `--` (after it, `--json` is text, not a flag). */
function beforeDoubleDash(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

/**
 * This package's version, from its package.json: one directory above the bundled `dist/cli.js`, two
 * above this source file (tests run it from source).
 */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@comrad/client-node' && pkg.version) return pkg.version;
    } catch {
      // not here: one directory up
    }
  }
  return 'unknown';
}
