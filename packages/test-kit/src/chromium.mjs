// Headless Chromium for tests and benchmarks: Debian's `chromium` package driven by playwright-core (no
// browser is ever downloaded). One launcher so the browser tests and the map tests start it the same way.
// Pages must be served from http://127.0.0.1 (a secure context): on about:blank `crypto.subtle` is absent.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';

const INSTALL_HINT = 'chromium is not installed (looked on PATH and in /usr/bin, /usr/local/bin). Install it: apt-get install -y chromium';

/**
 * The chromium binary, or an Error that says how to install it.
 * @param {string[]} [dirs]
 * @returns {string}
 */
export function chromiumBinary(dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin']) {
  for (const dir of dirs) {
    for (const name of ['chromium', 'chromium-browser']) {
      const file = join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  throw new Error(INSTALL_HINT);
}

/**
 * Launches headless Chromium. `--no-sandbox` because CI runs as root, where Chromium's sandbox refuses to
 * start; the pages it loads are our own, served on loopback.
 * @param {{ args?: string[] }} [o]
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchChromium(o = {}) {
  return chromium.launch({
    executablePath: chromiumBinary(),
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', ...(o.args ?? [])],
  });
}
