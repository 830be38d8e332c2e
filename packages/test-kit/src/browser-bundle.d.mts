/** A browser bundle: its code, its size minified and gzipped, and each Node built-in it reached (with the importer). */
export interface BrowserBundle {
  code: string;
  bytes: number;
  gzipBytes: number;
  nodeImports: string[];
}

/** Bundles an ES module for the browser with esbuild (platform "browser", esm, minified by default). */
export function bundleForBrowser(o: {
  contents: string;
  resolveDir: string;
  minify?: boolean;
  allowNode?: readonly string[];
  define?: Record<string, string>;
}): Promise<BrowserBundle>;

/** Serves fixed files (by path) on 127.0.0.1, a free port; `url` ends with `/`. */
export function servePage(files: Record<string, { type: string; body: string | Uint8Array }>): Promise<{ url: string; close: () => Promise<void> }>;
