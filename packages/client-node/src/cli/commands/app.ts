/**
 * `comrad app [--port N] [--no-open]`: the same home, keys and Operator connection as the CLI, in a web
 * interface on this computer. The server listens on 127.0.0.1 only and serves one browser, the one that
 * opens the printed link (see app/server.ts for who else is refused and why).
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';
import { AppSession } from '../../app/session.js';
import { startAppServer } from '../../app/server.js';
import { AppTransport } from '../../app/transport.js';
import { TileSource } from '../../app/tiles.js';
import type { Context } from '../context.js';

/** How often the open app reads the world feed for new posts, unless `--poll` says otherwise (seconds). */
export const APP_FEED_POLL_S = 30;

/**
 * Runs the app until Ctrl-C (or SIGTERM): prints the link, opens it unless `--no-open`.
 */
export async function app(ctx: Context, opts: { port?: string; open?: boolean; poll?: string; tiles?: string }): Promise<void> {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('BAD_ARGUMENT', '--port takes a port number (0: any free port)');
  const poll = opts.poll === undefined ? APP_FEED_POLL_S : Number(opts.poll);
  if (!Number.isFinite(poll) || poll < 1) throw new UsageError('BAD_ARGUMENT', '--poll takes a number of seconds ≥ 1');
  ctx.warnInsecure();
  // With --tor the server starts first and tor in the background: the page shows its bootstrap live.
  const transport = new AppTransport(ctx.opts.tor ? { tor: (onProgress, signal) => ctx.ownTor(onProgress, signal) } : { proxy: ctx.configuredProxy() });
  const connection = ctx.connectionOptions();
  const tiles = opts.tiles === undefined ? undefined : new TileSource(opts.tiles, () => transport.proxy());
  // Said now, not at the first tile: a tile server reached directly would learn where the person is.
  if (tiles && !ctx.opts.tor && !ctx.configuredProxy() && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(tiles.host)) {
    throw new UsageError('BAD_ARGUMENT', '--tiles needs --tor or --proxy: the tiles are fetched only through Tor');
  }
  const session = new AppSession({
    home: ctx.home,
    ...(ctx.opts.operator ? { operator: ctx.opts.operator } : {}),
    transport,
    ...(tiles ? { tiles } : {}),
    connection: {
      ...connection,
      onRetry: (r) => {
        connection.onRetry?.(r);
        transport.refused(r);
      },
    },
    feedPollMs: poll * 1000,
  });
  try {
    const server = await startAppServer(session, { port, assets: assetsDir() });
    ctx.out.line(`Comrad app for ${ctx.home}: open ${server.url}`);
    ctx.out.line(ctx.out.dim('The link works once, in one browser, on this computer only. Ctrl-C to stop.'));
    ctx.out.result({ url: server.url, origin: server.origin, port: server.port });
    if (opts.open !== false) openBrowser(server.url);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await session.close();
  } finally {
    // A tor still bootstrapping is stopped too.
    await transport.stop();
  }
}

/** The built interface: dist/app beside the bundled CLI (the package's build writes it there). */
function assetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, 'app'), join(here, '..', 'dist', 'app'), join(here, '..', '..', '..', 'dist', 'app')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  throw new UsageError('BAD_ARGUMENT', 'the app interface is not built: run `npm run build`');
}

/** Asks the desktop to open the link; nothing is said when there is no desktop (the link is printed). */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener here: the printed link is enough
  }
}
