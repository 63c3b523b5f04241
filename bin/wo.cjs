#!/usr/bin/env node
// Entry point of the `wo` command; the program itself lives in dist/ (built from src/).
// CommonJS on purpose: node starts a CommonJS entry a few milliseconds sooner than an ES module.
'use strict';
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // The one answer that needs no module at all: `wo --version` starts as fast as node itself.
  process.stdout.write(`${require('../package.json').version}\n`);
} else if (args[0] === '_record-exit' && args.length === 5) {
  // Run by the session wrapper of a `wo spawn` worker when its agent exits (src/session/finish.ts):
  // loads only what deciding a worker's end needs.
  const { pathToFileURL } = require('node:url');
  const { join } = require('node:path');
  import(pathToFileURL(join(__dirname, '..', 'dist', 'session', 'finish.js')).href)
    .then((m) => m.recordExit(args[1], args[2], args[3], args[4]))
    .catch((err) => {
      process.stderr.write(`wo: could not record the worker's end: ${err.message}\n`);
      process.exitCode = 1;
    });
} else if (args[0] === '_render-events' && args.length === 1) {
  // Run in a headless agent's session (scripts/wo-worker.sh): its JSON events as readable lines.
  const { pathToFileURL } = require('node:url');
  const { join } = require('node:path');
  import(pathToFileURL(join(__dirname, '..', 'dist', 'agents', 'render.js')).href)
    .then((m) => m.renderStream(process.stdin, process.stdout))
    .catch(() => process.stdin.pipe(process.stdout)); // no dist: the raw stream is still readable
} else {
  const { pathToFileURL } = require('node:url');
  const { join } = require('node:path');
  import(pathToFileURL(join(__dirname, '..', 'dist', 'cli.js')).href).then(
    (cli) => cli.cliEntry(),
    (err) => {
      process.stderr.write(
        `wo: cannot load ${join(__dirname, '..', 'dist')} (run 'npm run build'): ${err.message}\n`,
      );
      process.exitCode = 1;
    },
  );
}
