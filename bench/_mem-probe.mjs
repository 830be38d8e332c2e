// Loaded into a process under measurement (`node --expose-gc --import bench/_mem-probe.mjs …`): on
// SIGUSR2 it collects garbage, then writes process.memoryUsage() as JSON to $COMRAD_BENCH_MEM_FILE, so a
// bench reads the live heap of a process it did not write (app.bench.mjs: the `comrad app` process).
import { writeFileSync } from 'node:fs';

const file = process.env.COMRAD_BENCH_MEM_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    globalThis.gc?.();
    writeFileSync(file, JSON.stringify(process.memoryUsage()));
  });
}
