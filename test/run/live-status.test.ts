// wo status while a wo run is live (SPEC §1 live states): it shows the run's own steps (queued,
// verifying) that only the run loop knows, read from what the run writes and believed only while
// its run lock is live.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import type { StatusEntry } from '../../src/commands/status.js';
import { waitFor } from '../helpers.js';
import { BIN, exitOf, runEnv, type RunEnv } from './harness.js';

const run_ = promisify(execFile);

let r: RunEnv;
beforeEach(() => {
  r = runEnv();
});
afterEach(() => r.cleanup());

const status = async (): Promise<Record<string, StatusEntry>> => {
  const res = await r.wo(['status', '--json']);
  expect(res.code).toBe(0);
  return Object.fromEntries((JSON.parse(res.stdout) as StatusEntry[]).map((e) => [e.feature, e]));
};

test('a worker whose verify runs is verifying in wo status --json, one behind it queued; done after', async () => {
  // verify waits for the test to let it go: no fixed sleep decides anything.
  const verify = `while [ ! -f "$PROBE/release" ]; do sleep 0.05; done`;
  r.writePlan(
    `version: 1\nconcurrency: 1\ndefaults:\n  agent: shell\n  timeout: 60s\nworkers:\n` +
      `  - feature: v\n    task: echo did it\n    verify: '${verify}'\n` +
      `  - feature: q\n    task: echo later\n`,
  );
  const run = r.spawnWo(['run']);
  const seen = await waitFor(
    async () => {
      const s = await status();
      return s.v?.live === 'verifying' ? s : undefined;
    },
    'wo status to say v is verifying',
    20000,
  );
  expect(seen?.v).toMatchObject({ status: 'running', live: 'verifying' });
  expect(seen?.q).toMatchObject({ status: 'running', live: 'queued', started_at: null });
  // The table says so too.
  // (the built wo: the table's modules load as they do for a person)
  const table = await run_(process.execPath, [BIN, 'status'], { cwd: r.repo.root, env: r.env });
  expect(table.stdout).toMatch(/^v +│ verifying +│/m);
  expect(table.stdout).toMatch(/^q +│ queued +│/m);

  writeFileSync(join(r.probe, 'release'), '');
  expect(await exitOf(run)).toBe(0);
  const after = await status();
  expect(after.v).toMatchObject({ status: 'done', live: null });
  expect(after.q).toMatchObject({ status: 'done', live: null });
}, 60000);
