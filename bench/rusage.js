// Loaded with `node --import` in front of bin/wo.cjs by the bench: on exit, writes the process's own
// resource usage (CPU µs, maxRSS KiB, …; process.resourceUsage()) to $BENCH_RUSAGE_FILE.
// It does nothing else, so the program measured is unchanged.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, JSON.stringify(process.resourceUsage()));
    } catch {
      /* the bench reports the figure as missing */
    }
  });
}
