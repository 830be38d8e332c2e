// A preload that writes a V8 CPU profile of the process it runs in, for finding where the Operator's CPU
// goes under the bench's load (`--cpu-prof` is refused in NODE_OPTIONS, `--require` is not):
//   COMRAD_BENCH_OP_NODE_OPTIONS="--require $PWD/bench/_cpu-profile.cjs" COMRAD_BENCH_PROFILE_DIR=/tmp/prof \
//   COMRAD_BENCH_PHASES=mail node bench/scale.bench.mjs
// One `<pid>.cpuprofile` per process, written when it exits or is told to stop (SIGTERM); open it in
// Chrome's DevTools or sum its samples by function.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.COMRAD_BENCH_PROFILE_DIR ?? '.';
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
let written = false;
function write() {
  if (written) return;
  written = true;
  // The in-process session answers synchronously, so the file is written before the process goes.
  session.post('Profiler.stop', (err, result) => {
    if (!err) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
}
process.prependListener('SIGTERM', write);
process.on('exit', write);
