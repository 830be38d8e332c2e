import type { Browser } from 'playwright-core';

/** The chromium binary (PATH, then /usr/bin, /usr/local/bin); throws an Error saying `apt-get install -y chromium` when missing. */
export function chromiumBinary(dirs?: readonly string[]): string;

/** Launches Debian's headless Chromium through playwright-core (`--no-sandbox`: CI runs as root). Close it when done. */
export function launchChromium(o?: { args?: readonly string[] }): Promise<Browser>;
