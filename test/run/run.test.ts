import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEnv, lines, exitOf, type RunEnv } from './harness.js';
import { waitFor } from '../helpers.js';
import { REPORT_KEYS, REPORT_WORKER_KEYS } from '../spec-report.js';

const head = (c = 4) =>
  `version: 1\nconcurrency: ${c}\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n`;

describe('wo run', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('every outcome lands in report.json with the SPEC §5 shape, and the exit code is 1', async () => {
    r.writePlan(
      head() +
        `  - feature: ok\n    task: echo fine\n` +
        `  - feature: exits\n    task: exit 7\n` +
        `  - feature: says-failed\n    task: |\n      echo "could not do it" > .worker-result.md\n      echo failed > .worker-status\n      sleep 5\n` +
        `  - feature: slow\n    task: sleep 20\n    timeout: 1s\n` +
        `  - feature: after\n    task: echo never\n    needs: [exits]\n`,
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const rep = r.report();
    for (const k of REPORT_KEYS) expect(rep).toHaveProperty(k);
    const by = Object.fromEntries(rep.workers.map((w) => [w.feature, w]));
    expect(by.ok).toMatchObject({ outcome: 'done', exit_code: 0, attempts: 1, branch: 'wo/ok' });
    expect(by.exits).toMatchObject({ outcome: 'failed', exit_code: 7 });
    expect(by['says-failed']).toMatchObject({ outcome: 'failed' });
    expect(String(by['says-failed']!.result)).toContain('could not do it');
    expect(by.slow).toMatchObject({ outcome: 'timeout', reason: 'timed out after 1s' });
    expect(by.after).toMatchObject({ outcome: 'skipped' });
    expect(String(by.after!.reason)).toContain('exits');
    for (const w of rep.workers) for (const k of REPORT_WORKER_KEYS) expect(w).toHaveProperty(k);
    expect(rep.summary).toMatchObject({ done: 1, failed: 2, timeout: 1, skipped: 1 });
    const md = readFileSync(
      join(
        String(rep.workers[0]!.worktree),
        '..',
        '..',
        'repo',
        '.wo',
        'runs',
        String(rep.run_id),
        'report.md',
      ),
      'utf8',
    );
    expect(md).toContain('| WORKER | OUTCOME | DURATION | ATTEMPTS | BRANCH |');
    expect(md).toContain('```mermaid');
    expect(readFileSync(join(r.worktree('slow'), '.worker-status'), 'utf8').trim()).toBe('failed');
    expect(await r.tmux.tmux.listSessions()).toEqual([]);
  });

  test('never more than `concurrency` workers run at once', async () => {
    // Each task records how many tasks are live when it starts; one started early would count 3.
    const task = `    task: |\n      touch "$PROBE/$WO_FEATURE.live"\n      ls "$PROBE" | grep -c live >> "$PROBE/counts"\n      sleep 0.4\n      rm "$PROBE/$WO_FEATURE.live"\n`;
    r.writePlan(head(2) + [1, 2, 3, 4, 5, 6].map((i) => `  - feature: w${i}\n${task}`).join(''));
    const res = await r.wo(['run']);
    expect(res.code).toBe(0);
    const counts = lines(join(r.probe, 'counts')).map(Number);
    expect(counts).toHaveLength(6);
    expect(Math.max(...counts)).toBe(2);
  });

  test('needs: a worker starts only after what it needs is done', async () => {
    r.writePlan(
      head() +
        `  - feature: second\n    needs: [first]\n    task: cat "$PROBE/first-finished" > got.txt\n` +
        `  - feature: first\n    task: |\n      sleep 0.3\n      echo yes > "$PROBE/first-finished"\n`,
    );
    expect((await r.wo(['run'])).code).toBe(0);
    expect(readFileSync(join(r.worktree('second'), 'got.txt'), 'utf8').trim()).toBe('yes');
  });

  test('retries: a failed attempt is tried again and every attempt is recorded', async () => {
    r.writePlan(
      head() +
        `  - feature: flaky\n    retries: 2\n    task: |\n      echo x >> "$PROBE/tries"\n      [ "$(wc -l < "$PROBE/tries")" -ge 2 ]\n`,
    );
    expect((await r.wo(['run'])).code).toBe(0);
    const w = r.report().workers[0]!;
    expect(w).toMatchObject({ outcome: 'done', attempts: 2 });
    expect(lines(join(r.probe, 'tries'))).toHaveLength(2);
  });

  test('verify turns done into failed, with its output in the result', async () => {
    r.writePlan(
      head() + `  - feature: unverified\n    task: echo work\n    verify: echo "3 tests failed"; exit 1\n`,
    );
    expect((await r.wo(['run'])).code).toBe(1);
    const w = r.report().workers[0]!;
    expect(w.outcome).toBe('failed');
    expect(String(w.result)).toContain('3 tests failed');
    expect(String(w.reason)).toContain('verify');
  });

  test('a session killed from outside is crashed', async () => {
    r.writePlan(head() + `  - feature: victim\n    task: sleep 30\n`);
    const run = r.wo(['run']);
    await waitFor(() => r.tmux.tmux.hasSession('wt-victim'), 'the session');
    await r.tmux.tmux.killSession('wt-victim');
    expect((await run).code).toBe(1);
    expect(r.report().workers[0]).toMatchObject({
      outcome: 'crashed',
      reason: 'session ended without status',
    });
  });

  test('--dry-run prints the plan of action and creates nothing', async () => {
    r.writePlan(
      head() + `  - feature: a\n    task: echo a\n  - feature: b\n    task: echo b\n    needs: [a]\n`,
    );
    const res = await r.wo(['run', '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('wt-a');
    expect(res.stdout).toContain('wo/b');
    expect(res.stdout).toContain('needs     a');
    expect(res.stdout).toContain("command   sh -c 'echo b'");
    expect(existsSync(join(r.repo.base, 'repo-worktrees'))).toBe(false);
    expect(existsSync(join(r.repo.root, '.wo'))).toBe(false);
    expect(r.repo.git('branch', '--list', 'wo/*').trim()).toBe('');
  });

  test('--only runs the named workers; a need outside the selection must be done', async () => {
    r.writePlan(
      head() + `  - feature: a\n    task: echo a\n  - feature: b\n    task: echo b\n    needs: [a]\n`,
    );
    const refused = await r.wo(['run', '--only', 'b']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('needs "a"');
    expect(existsSync(join(r.repo.base, 'repo-worktrees'))).toBe(false);
    expect((await r.wo(['run', '--only', 'a'])).code).toBe(0);
    expect(r.report().workers.map((w) => w.feature)).toEqual(['a']);
    expect((await r.wo(['run', '--only', 'b'])).code).toBe(0);
    expect(r.report().workers.map((w) => w.feature)).toEqual(['b']);
  });

  test('--failed re-runs exactly the workers that did not finish done', async () => {
    const count = (f: string) => `echo x >> "$PROBE/${f}"`;
    r.writePlan(
      head() +
        `  - feature: good\n    task: ${count('good')}\n` +
        `  - feature: gated\n    task: |\n      ${count('gated')}\n      test -f "$PROBE/open"\n` +
        `  - feature: later\n    needs: [gated]\n    task: ${count('later')}\n`,
    );
    expect((await r.wo(['run'])).code).toBe(1);
    writeFileSync(join(r.probe, 'open'), '');
    const again = await r.wo(['run', '--failed']);
    expect(again.code).toBe(0);
    // It re-ran gated and later; good is listed too, carried over from the first run (SPEC §5).
    const rep = r.report();
    expect(rep.workers.filter((w) => !w.from_run).map((w) => w.feature)).toEqual(['gated', 'later']);
    expect(rep.workers.map((w) => w.feature)).toEqual(['good', 'gated', 'later']);
    expect(lines(join(r.probe, 'good'))).toHaveLength(1);
    expect(lines(join(r.probe, 'gated'))).toHaveLength(2);
    expect(lines(join(r.probe, 'later'))).toHaveLength(1);
  });

  test('--json prints only the report on stdout; progress has no cursor codes', async () => {
    r.writePlan(head() + `  - feature: a\n    task: printf '\\033[31mred\\033[0m\\n'\n`);
    const res = await r.wo(['run', '--json']);
    expect(res.code).toBe(0);
    const rep = JSON.parse(res.stdout);
    expect(rep.workers[0].outcome).toBe('done');
    expect(res.stderr).not.toContain('\x1b');
    expect(res.stderr).toContain('a done');
  });

  test('a second run of the same repository is refused while one is live', async () => {
    r.writePlan(head() + `  - feature: a\n    task: sleep 30\n`);
    const first = r.spawnWo(['run']);
    await waitFor(() => r.tmux.tmux.hasSession('wt-a'), 'the first run');
    const second = await r.wo(['run']);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('another wo run');
    first.kill('SIGTERM');
    expect(await exitOf(first)).toBe(130);
  });

  test('a second SIGINT ends running sessions as interrupted, skips the rest, writes the report, exits 130', async () => {
    r.writePlan(head(1) + `  - feature: long\n    task: sleep 30\n  - feature: queued\n    task: echo hi\n`);
    const child = r.spawnWo(['run']);
    await waitFor(() => r.tmux.tmux.hasSession('wt-long'), 'the session');
    child.kill('SIGINT'); // the first stops starting workers (SPEC §4)
    await waitFor(() => child.output().includes('Press Ctrl-C again'), 'the first Ctrl-C to be taken');
    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(130);
    const by = Object.fromEntries(r.report().workers.map((w) => [w.feature, w]));
    expect(by.long).toMatchObject({ outcome: 'interrupted' });
    expect(by.queued).toMatchObject({ outcome: 'skipped' });
    expect(await r.tmux.tmux.hasSession('wt-long')).toBe(false);
    expect(existsSync(join(r.repo.root, '.wo', 'run.lock'))).toBe(false);
  });

  test('a runner killed with SIGKILL is replaced by one that adopts its live workers', async () => {
    r.writePlan(
      head() + `  - feature: survivor\n    task: |\n      echo started >> "$PROBE/starts"\n      sleep 1.5\n`,
    );
    const first = r.spawnWo(['run']);
    await waitFor(() => lines(join(r.probe, 'starts')).length === 1, 'the worker to start');
    first.kill('SIGKILL');
    await exitOf(first);
    const second = await r.wo(['run']);
    expect(second.code).toBe(0);
    expect(lines(join(r.probe, 'starts'))).toHaveLength(1); // adopted, never started twice
    expect(r.report().workers[0]).toMatchObject({ feature: 'survivor', outcome: 'done' });
  });

  test('-j and --timeout override the plan; --report writes where asked; --keep-sessions keeps sessions', async () => {
    const task = `    task: |\n      touch "$PROBE/$WO_FEATURE.live"\n      ls "$PROBE" | grep -c live >> "$PROBE/counts"\n      sleep 0.3\n      rm "$PROBE/$WO_FEATURE.live"\n`;
    r.writePlan(
      head(4) +
        [1, 2, 3].map((i) => `  - feature: w${i}\n${task}`).join('') +
        `  - feature: slow\n    task: sleep 20\n`,
    );
    const res = await r.wo(['run', '-j', '1', '--timeout', '2s', '--report', 'out/rep', '--keep-sessions']);
    expect(res.code).toBe(1);
    expect(Math.max(...lines(join(r.probe, 'counts')).map(Number))).toBe(1);
    const rep = JSON.parse(readFileSync(join(r.repo.root, 'out', 'rep', 'report.json'), 'utf8'));
    expect(rep.workers.find((w: { feature: string }) => w.feature === 'slow')).toMatchObject({
      outcome: 'timeout',
      reason: 'timed out after 2s',
    });
    expect(existsSync(join(r.repo.root, 'out', 'rep', 'report.md'))).toBe(true);
    // Finished sessions stay open for inspection (their panes dead); the timed-out one was ended.
    const names = (await r.tmux.tmux.listSessions()).map((x) => x.name).sort();
    expect(names).toEqual(['wt-w1', 'wt-w2', 'wt-w3']);
  });

  test('many worktrees created at once all succeed (git locks are not a failure)', async () => {
    r.writePlan(
      head(12) + Array.from({ length: 12 }, (_, i) => `  - feature: p${i}\n    task: 'true'\n`).join(''),
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(0);
    expect(r.report().summary).toMatchObject({ done: 12 });
  });
});
