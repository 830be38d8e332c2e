/**
 * The local server of `comrad app`: bound to 127.0.0.1 only, it serves the interface (built assets, held
 * in memory) and the {@link AppSession}'s JSON API to one browser, and to nothing else on this computer.
 *
 * Who may talk to it:
 * - the holder of the launch secret, printed in the URL: it is used once, exchanged for a session
 *   cookie (HttpOnly, SameSite=Strict) and the page is sent on to a URL without it, so the secret in a
 *   shell history or a browser history opens nothing afterwards; a script may send the session token in
 *   the `X-Comrad-App` header instead of the cookie. Both compared in constant time.
 * - with `Host` naming this very server (a DNS-rebinding page sends its own host name);
 * - with `Origin`, when sent, naming this server, and `Sec-Fetch-Site` same-origin (a page elsewhere
 *   cannot have our cookie sent with a request that changes anything); changes are POSTs of JSON only.
 * Every answer carries a strict Content-Security-Policy: scripts, styles, images and connections from this
 * server only; nothing inline, nothing remote, no framing.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { errorJson, type AppSession, type Input, type LiveEvent } from './session.js';

/** The policy of every answer: nothing but this server, nothing inline, never framed. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** The largest JSON body: a letter or a post with one image (base64) fits; anything else is far smaller. */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;
/** The largest body of any other route. */
const MAX_SMALL_BODY_BYTES = 64 * 1024;
const BIG_BODY_ROUTES = new Set(['POST /api/send', 'POST /api/post']);
/** A comment line keeps the event stream open through idle proxies and tells a closed tab apart. */
const KEEPALIVE_MS = 25_000;

/** The assets the interface is made of, by URL path: read once at start, served from memory. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** A running app server. */
export interface AppServer {
  /** The URL to open: with the one-time launch secret. */
  readonly url: string;
  /** The server's own origin, `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the app's server on 127.0.0.1.
 * @param session - the API it serves
 * @param opts - `port` (0 or absent: any free port), `assets`: the directory of the built interface
 */
export async function startAppServer(session: AppSession, opts: { port?: number; assets: string }): Promise<AppServer> {
  const assets = new Map(Object.entries(ASSETS).map(([path, a]) => [path, { body: readFileSync(join(opts.assets, a.file)), type: a.type }]));
  // 256 bits each, from the OS's CSPRNG.
  let launchSecret: string | undefined = randomBytes(32).toString('base64url');
  const sessionToken = randomBytes(32).toString('base64url');
  const streams = new Set<ServerResponse>();
  let port = 0;
  let cookieName = '';

  const onLive = (e: LiveEvent) => {
    const frame = `event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  session.on('live', onLive);

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: errorJson(err) });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const refusal = refuse(req);
    if (refusal) return sendJson(res, 403, { error: { code: 'FORBIDDEN', message: refusal } });
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const method = req.method ?? 'GET';

    // The launch: the one-time secret becomes the session cookie, and the secret leaves the address bar.
    if (method === 'GET' && url.pathname === '/' && url.searchParams.has('s')) {
      const given = url.searchParams.get('s') ?? '';
      if (launchSecret !== undefined && sameSecret(given, launchSecret)) {
        launchSecret = undefined;
        res.setHeader('Set-Cookie', `${cookieName}=${sessionToken}; HttpOnly; SameSite=Strict; Path=/`);
      } else if (!authorised(req)) {
        return sendText(res, 401, 'This link was used already or is wrong. Start `comrad app` again and open the new link it prints.');
      }
      res.writeHead(303, { Location: '/' });
      return void res.end();
    }
    if (!authorised(req)) {
      if (url.pathname.startsWith('/api/')) return sendJson(res, 401, { error: { code: 'UNAUTHORISED', message: 'open the link `comrad app` printed' } });
      return sendText(res, 401, 'Open the link `comrad app` printed in your terminal (it holds a one-time secret).');
    }

    const asset = method === 'GET' ? assets.get(url.pathname) : undefined;
    if (asset) {
      res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length });
      return void res.end(asset.body);
    }
    if (method === 'GET' && url.pathname === '/api/live') return live(res);
    if (method === 'GET' && url.pathname.startsWith('/api/blob/')) {
      const blob = session.blob(url.pathname.slice('/api/blob/'.length));
      if (!blob) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'no such image' } });
      res.writeHead(200, { 'Content-Type': blob.mime, 'Content-Length': blob.data.length });
      return void res.end(blob.data);
    }
    const tile = method === 'GET' ? /^\/api\/tiles\/(\d{1,2})\/(\d{1,7})\/(\d{1,7})$/.exec(url.pathname) : null;
    if (tile) {
      try {
        const t = await session.tile(Number(tile[1]), Number(tile[2]), Number(tile[3]));
        res.writeHead(200, { 'Content-Type': t.type, 'Content-Length': t.data.length });
        return void res.end(t.data);
      } catch (err) {
        return sendJson(res, statusOf(err) === 400 ? 404 : 502, { error: errorJson(err) });
      }
    }
    if (method === 'GET' && url.pathname === '/api/pins/map.svg') {
      try {
        const svg = Buffer.from(await session.pinMap(Object.fromEntries(url.searchParams)));
        res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Content-Length': svg.length });
        return void res.end(svg);
      } catch (err) {
        return sendJson(res, statusOf(err), { error: errorJson(err) });
      }
    }

    const key = `${method} ${url.pathname}`;
    const route = session.routes[key];
    if (!route) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no ${key}` } });
    let input: Input;
    if (method === 'POST') {
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return sendJson(res, 415, { error: { code: 'BAD_ARGUMENT', message: 'send JSON (Content-Type: application/json)' } });
      const body = await readBody(req, BIG_BODY_ROUTES.has(key) ? MAX_BODY_BYTES : MAX_SMALL_BODY_BYTES);
      if (body === undefined) return sendJson(res, 413, { error: { code: 'TOO_LARGE', message: 'the request is too large' } });
      try {
        const parsed: unknown = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        input = parsed as Input;
      } catch {
        return sendJson(res, 400, { error: { code: 'MALFORMED', message: 'the body is not a JSON object' } });
      }
    } else {
      input = Object.fromEntries(url.searchParams);
    }
    try {
      sendJson(res, 200, await route(input));
    } catch (err) {
      sendJson(res, statusOf(err), { error: errorJson(err) });
    }
  }

  /** Why a request is refused before anything else is looked at, or undefined. */
  function refuse(req: IncomingMessage): string | undefined {
    const own = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 still sends Host: evil.example.
    if (!own.has(req.headers.host ?? '')) return 'foreign Host';
    const origin = req.headers.origin;
    if (origin !== undefined && !(origin.startsWith('http://') && own.has(origin.slice('http://'.length)))) return 'foreign Origin';
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'cross-site request';
    // A change needs a same-origin request that says where it comes from (every browser sends Origin on POST).
    if (req.method !== 'GET' && req.method !== 'HEAD' && origin === undefined) return 'a change without Origin';
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') return 'method not allowed';
    return undefined;
  }

  function authorised(req: IncomingMessage): boolean {
    const header = req.headers['x-comrad-app'];
    if (typeof header === 'string') return sameSecret(header, sessionToken);
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [k, v] = part.trim().split('=');
      if (k === cookieName && v !== undefined) return sameSecret(v, sessionToken);
    }
    return false;
  }

  function live(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(': live\n\n');
    streams.add(res);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    res.on('close', () => {
      clearInterval(keepalive);
      streams.delete(res);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  // Cookies are not told apart by port: two apps (two homes) in one browser each keep their own.
  cookieName = `comrad_app_${port}`;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?s=${launchSecret}`,
    origin,
    port,
    close: async () => {
      session.off('live', onLive);
      for (const res of streams) res.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Constant-time comparison of two secrets of any length (both hashed first, so lengths leak nothing). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function statusOf(err: unknown): number {
  const { code } = errorJson(err);
  if (code === 'INTERNAL') return 500;
  if (['TIMEOUT', 'CONNECTION_CLOSED', 'UNREACHABLE', 'TOR_TIMEOUT'].includes(code)) return 502;
  if (code === 'KEY_CHANGED') return 409;
  return 400;
}

/** The body, or undefined past `max` bytes (reading stops there). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) {
      req.resume();
      return resolve(undefined);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the bound nothing more is kept; the rest is drained so the answer (413) still reaches the page.
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
      else if (size > 4 * max) req.destroy();
    });
    req.on('end', () => resolve(size > max ? undefined : Buffer.concat(chunks)));
    req.on('close', () => resolve(undefined));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(text);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}
