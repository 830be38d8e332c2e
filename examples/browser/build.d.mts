/** Builds the page (app.js and index.html) into `outdir` (default examples/browser/dist); returns the paths written. */
export function buildPage(outdir?: string): Promise<{ js: string; html: string }>;
