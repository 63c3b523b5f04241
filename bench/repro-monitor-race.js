// Deterministic reproduction of a race found by the fan-out benchmark (see docs/performance.md):
// the monitor's 2 s safety poll takes a worker for "crashed" (session ended without status) while
// the status read that the worker's own file event started is still in flight, although that read
// returns "done".
//
//   node bench/repro-monitor-race.js [WO_DIR]      (WO_DIR: a built wo checkout; default this one)
//
// A FIFO stands in for .worker-status so that the read wait() starts stays pending until "done" is
// written into it; the fake tmux lists no sessions (the wrapper wrote done and exited). Prints the
// outcome; exit code 1 while the race is there, 0 when the worker comes out done.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib.js';

const root = resolve(process.argv[2] ?? ROOT);
const { Monitor } = await import(pathToFileURL(join(root, 'dist', 'session', 'monitor.js')).href);
const dir = mkdtempSync(join(tmpdir(), 'wo-bench-race-'));
const status = join(dir, '.worker-status');
execFileSync('mkfifo', [status]);

const monitor = new Monitor({ listSessions: async () => [] }, 0); // no timer: the poll is driven here
const outcome = monitor.wait('w1', dir, 'wt-w1'); // its first read of the status file is now pending
setTimeout(() => void monitor.poll(), 50); // the safety poll comes round during that read
// From 150 ms on, every read of the FIFO gets "done" (a non-blocking open finds the pending reader).
let writer;
const serve = () => {
  writer ??= setInterval(() => {
    let fd;
    try {
      fd = openSync(status, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch {
      return; // ENXIO: nobody is reading right now
    }
    try {
      writeSync(fd, 'done\n');
    } finally {
      closeSync(fd);
    }
  }, 10);
};
setTimeout(serve, 150);
const timer = setTimeout(() => {
  console.log('no outcome after 5 s');
  process.exit(2);
}, 5000);

const c = await outcome;
clearTimeout(timer);
monitor.close();
// A read still blocked in open() on the FIFO would keep node from exiting: let the writer serve it.
serve();
await new Promise((r) => setTimeout(r, 100));
clearInterval(writer);
rmSync(dir, { recursive: true, force: true });
console.log(`status file said: done; monitor decided: ${JSON.stringify(c)}`);
console.log(c.crashed ? 'RACE PRESENT: a finished worker was taken for crashed' : 'ok: no race');
process.exit(c.crashed ? 1 : 0);
