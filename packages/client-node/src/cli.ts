/**
 * The `comrad` executable. Everything is in `cli/program.ts`; this only runs it and sets the exit code.
 * @module
 */
import { main } from './cli/program.js';

// CLI-7: a reader that went away (`comrad --help | head -1`) is no error of ours: what it did not read is
// dropped quietly and the command ends with its own exit code. Any other write failure still throws.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

process.exitCode = await main(process.argv);
