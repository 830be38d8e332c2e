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
