/**
 * The `unit` project's promise, enforced: a unit test runs in-process. Loaded as a setup file of that
 * project only (vitest.config.ts), it makes every way to start a process or use a socket throw, so a test
 * that starts `comrad-op`, `redis-server` or a server on a port fails at once with where it belongs,
 * instead of quietly making the fast project slow and flaky.
 * @module
 */
import childProcess from 'node:child_process';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

function refuse(what: string): never {
  throw new Error(
    `a unit test ${what}: unit tests run in-process only. Add this test file to the \`integration\` list in vitest.config.ts`,
  );
}

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  (childProcess as unknown as Record<string, unknown>)[name] = () => refuse(`started a process (child_process.${name})`);
}
for (const name of ['connect', 'createConnection'] as const) {
  (net as unknown as Record<string, unknown>)[name] = () => refuse(`opened a socket (net.${name})`);
}
net.Server.prototype.listen = function listen(): never {
  refuse('listened on a socket (net.Server.listen)');
};
net.Socket.prototype.connect = function connect(): never {
  refuse('opened a socket (net.Socket.connect)');
};
// `import { spawn } from 'node:child_process'` reads the ESM bindings: bring them in line with the above.
syncBuiltinESMExports();
