// Reading an agent's event stream of any size (docs/performance.md, "An agent's event stream of any
// size"): builds a 120 MB codex events.jsonl in a temporary state folder and times ten looks of
// readAgentFacts from a built checkout. Run it under /usr/bin/time for the peak memory:
//
//   /usr/bin/time -f "maxrss=%MKB user=%Us" node bench/stream-follow.js [DIST]   (default: ./dist)
import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? 'dist');
const dir = mkdtempSync(join(tmpdir(), 'wo-stream-'));
try {
  writeFileSync(join(dir, 'adapter'), 'codex\n');
  const line = `${JSON.stringify({ type: 'item.completed', item: { type: 'command_execution', aggregated_output: 'x'.repeat(900) } })}\n`;
  const fd = openSync(join(dir, 'events.jsonl'), 'w');
  const block = line.repeat(1024);
  for (let n = 0; n < 120 * 1024 * 1024; n += block.length) writeSync(fd, block);
  writeSync(
    fd,
    `${JSON.stringify({ type: 'turn.completed', usage: { input_tokens: 5, output_tokens: 2 } })}\n`,
  );
  closeSync(fd);
  const { readAgentFacts } = await import(pathToFileURL(join(dist, 'agents', 'index.js')).href);
  const t0 = process.hrtime.bigint();
  let facts;
  for (let i = 0; i < 10; i++) facts = await readAgentFacts(dir);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ looks: 10, ms: Math.round(ms), usage: facts.agentResult?.usage ?? null }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
