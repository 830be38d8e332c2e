// Bundling for the browser, as a web developer would (esbuild, platform "browser"), for the browser
// tests, the bundle check and the browser bench. Every Node built-in an import reaches is recorded, with
// the module that imported it, instead of failing the build: the check names them all at once (BRW-4).

import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Bundles `contents` (an ES module, TypeScript allowed) for the browser.
 * @param {{ contents: string, resolveDir: string, minify?: boolean, allowNode?: string[], define?: Record<string, string> }} o
 *   `allowNode`: built-ins left external without being reported (wasm-themis' Node-only branches)
 * @returns {Promise<{ code: string, bytes: number, gzipBytes: number, nodeImports: string[] }>}
 */
export async function bundleForBrowser(o) {
  const nodeImports = [];
  const noNode = {
    name: 'no-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!NODE_BUILTINS.has(args.path)) return undefined;
        const bare = args.path.replace(/^node:/, '');
        if (!(o.allowNode ?? []).includes(bare)) nodeImports.push(`${args.path} (imported by ${relative(o.resolveDir, args.importer) || args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    stdin: { contents: o.contents, resolveDir: o.resolveDir, sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: o.minify ?? true,
    write: false,
    logLevel: 'silent',
    plugins: [noNode],
    ...(o.define ? { define: o.define } : {}),
  });
  const code = result.outputFiles[0].text;
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length, nodeImports };
}

/**
 * Serves fixed files on 127.0.0.1 (a free port): a secure context, where `crypto.subtle` exists.
 * @param {Record<string, { type: string, body: string | Uint8Array }>} files - by path, e.g. `/app.js`
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function servePage(files) {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
