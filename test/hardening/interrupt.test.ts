// SPEC §4 Ctrl-C: the first stops starting new workers and lets running ones finish (an accidental
// Ctrl-C must not end an hour of agent work); the second ends them. Runs the built wo under a deadline.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../helpers.js';
import { runEnv, type RunEnv } from '../run/harness.js';
import { startWo } from './deadline.js';

describe('Ctrl-C', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('a first Ctrl-C lets the running worker finish done, starts nothing more, and says so', async () => {
    // `long` waits (at most ~20 s) until the test opens its gate; `queued` would start after it.
    const gate = join(r.probe, 'go');
    r.writePlan(
      'version: 1\nconcurrency: 1\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n' +
        `  - feature: long\n    task: |\n      i=0; while [ ! -f "${gate}" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\n      echo finished > "$PROBE/long"\n` +
        `  - feature: queued\n    task: echo ran > "$PROBE/queued"\n`,
    );
    const run = startWo(['run'], { cwd: r.repo.root, env: r.env });
    await waitFor(() => r.tmux.tmux.hasSession('wt-long'), 'the first worker');
    run.kill('SIGINT');
    await waitFor(() => run.output().includes('Press Ctrl-C again'), 'the first Ctrl-C to be taken');
    expect(run.output()).toContain('1 still running (long)');
    writeFileSync(gate, '');
    const end = await run.ended(20000);
    expect(end.code).toBe(1); // finished, one worker skipped: not every worker is done
    const last = JSON.parse(readFileSync(join(r.repo.root, '.wo', 'last-run.json'), 'utf8'));
    const workers = JSON.parse(readFileSync(last.report_json, 'utf8')).workers as Array<
      Record<string, string>
    >;
    expect(Object.fromEntries(workers.map((w) => [w.feature, w.outcome]))).toEqual({
      long: 'done',
      queued: 'skipped',
    });
    expect(readFileSync(join(r.probe, 'long'), 'utf8')).toBe('finished\n');
  });
});
