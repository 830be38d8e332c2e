/**
 * The `comrad` executable. Everything is in `cli/program.ts`; this only runs it and sets the exit code.
 * @module
 */
import { main } from './cli/program.js';

process.exitCode = await main(process.argv);
