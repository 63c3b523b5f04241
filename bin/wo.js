#!/usr/bin/env node
// Entry point of the `wo` command; the program itself lives in dist/ (built from src/).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // The one answer that needs no module at all: `wo --version` starts as fast as node itself.
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { cliEntry } = await import('../dist/cli.js');
  await cliEntry();
}
