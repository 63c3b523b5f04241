// SPEC §4 selection: --failed reads the latest outcome of each worker over all runs of this plan,
// never re-runs (or clears) a worker that finished done; --only with an empty list is exit 2.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lines, runEnv, type RunEnv } from '../run/harness.js';

const head = 'version: 1\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n';

describe('selection', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('--failed twice in a row, with another plan run between, never re-runs a worker that ended done', async () => {
    const count = (f: string) => `echo x >> "$PROBE/${f}"`;
    r.writePlan(
      head +
        `  - feature: good\n    task: ${count('good')}\n` +
        `  - feature: gated\n    task: |\n      ${count('gated')}\n      test -f "$PROBE/open"\n`,
    );
    expect((await r.wo(['run'])).code).toBe(1);
    writeFileSync(join(r.probe, 'open'), '');
    expect((await r.wo(['run', '--failed'])).code).toBe(0);
    // Another plan ran last, where a worker named `good` failed: it is not this plan's history.
    r.writePlan(`${head}  - feature: good\n    task: exit 3\n`, 'other.yaml');
    expect((await r.wo(['run', 'other.yaml'])).code).toBe(1);
    const third = await r.wo(['run', '--failed']);
    expect(third.stderr).toContain('Nothing to run');
    expect(third.code).toBe(0);
    expect(lines(join(r.probe, 'good'))).toHaveLength(1);
    expect(lines(join(r.probe, 'gated'))).toHaveLength(2);
  });

  test('a --failed report lists every worker of the plan: those not re-run carried over from the run that last ran them, not counted', async () => {
    const gated = (f: string) => `test -f "$PROBE/${f}"`;
    r.writePlan(
      head +
        `  - feature: good\n    task: "true"\n` +
        `  - feature: one\n    task: ${gated('one')}\n` +
        `  - feature: two\n    task: ${gated('two')}\n`,
    );
    expect((await r.wo(['run'])).code).toBe(1);
    const first = r.report();
    const firstId = first.run_id as string;
    writeFileSync(join(r.probe, 'one'), '');
    expect((await r.wo(['run', '--failed'])).code).toBe(1); // two failed again: this run's outcome
    const second = r.report();
    const lines = (rep: typeof first) =>
      Object.fromEntries(rep.workers.map((w) => [w.feature, [w.outcome, w.from_run]]));
    expect(second.workers.map((w) => w.feature)).toEqual(['good', 'one', 'two']);
    expect(lines(second)).toEqual({
      good: ['done', firstId],
      one: ['done', null],
      two: ['failed', null],
    });
    // The carried line is the earlier run's, whole: its times, attempts and branch.
    const good = (rep: typeof first) => rep.workers.find((w) => w.feature === 'good')!;
    expect({ ...good(second), from_run: null }).toEqual({ ...good(first), from_run: null });
    expect(second.summary).toMatchObject({ done: 1, failed: 1, skipped: 0 });
    const pointer = JSON.parse(readFileSync(join(r.repo.root, '.wo', 'last-run.json'), 'utf8')) as {
      report_json: string;
    };
    const md = readFileSync(join(dirname(pointer.report_json), 'report.md'), 'utf8');
    expect(md).toContain('2 workers: 1 done, 1 failed');
    expect(md).toMatch(new RegExp(`\\| good \\| done \\(from run ${firstId}\\) \\|`));
    expect(md).toContain(`carried over from run \`${firstId}\``);

    writeFileSync(join(r.probe, 'two'), '');
    expect((await r.wo(['run', '--failed'])).code).toBe(0); // all this run re-ran is done
    const third = r.report();
    // Each carried line names the run that ran it, not the run that carried it last.
    expect(lines(third)).toEqual({
      good: ['done', firstId],
      one: ['done', second.run_id],
      two: ['done', null],
    });
    expect(third.summary).toMatchObject({ done: 1, failed: 0 });
  });

  test('a run of workers all already done says so and names --failed, then starts them again', async () => {
    r.writePlan(`${head}  - feature: a\n    task: ${'echo a'}\n  - feature: b\n    task: ${'echo b'}\n`);
    const first = await r.wo(['run']);
    expect(first.code).toBe(0);
    expect(`${first.stdout}${first.stderr}`).not.toContain('already done');
    const firstId = r.report().run_id;
    const again = await r.wo(['run']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      "wo: all 2 selected workers are already done in an earlier run of workers.yaml; starting them again. 'wo run --failed workers.yaml' runs only what is not done.",
    );
    expect(r.report().run_id).not.toBe(firstId); // started again, as asked
    // One of them selected, done: said of it alone.
    const one = await r.wo(['run', '--only', 'b']);
    expect(one.stderr).toContain('wo: the selected worker is already done in an earlier run of workers.yaml');
  });

  test('--only with an unknown name is exit 2, says the nearest worker, and starts nothing', async () => {
    r.writePlan(
      `${head}  - feature: login-form\n    task: ${'echo a'}\n  - feature: logout\n    task: ${'echo b'}\n`,
    );
    const res = await r.wo(['run', '--only', 'logn-form,zzz']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      '--only names "logn-form" (did you mean "login-form"?), "zzz", not in the plan. Workers: login-form, logout.',
    );
    expect(existsSync(join(r.repo.base, 'repo-worktrees'))).toBe(false);
  });

  test('--only with an empty list is exit 2 and starts nothing', async () => {
    r.writePlan(`${head}  - feature: a\n    task: ${'echo a'}\n`);
    for (const only of [',', '', ' , ']) {
      const res = await r.wo(['run', '--only', only]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('--only names no worker');
    }
    expect(existsSync(join(r.repo.base, 'repo-worktrees'))).toBe(false);
  });
});

describe('--dry-run', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('shows copy, env names (never values) and retries too, and creates nothing', async () => {
    writeFileSync(join(r.repo.root, '.env'), 'SECRET=1\n');
    r.writePlan(
      `${head}  - feature: a\n    task: "true"\n    copy: [.env]\n    env: { API_TOKEN: s3cret, MODE: fast }\n    retries: 2\n`,
    );
    const res = await r.wo(['run', '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/copy +\.env/);
    expect(res.stdout).toMatch(/env +API_TOKEN, MODE/);
    expect(res.stdout).not.toContain('s3cret');
    expect(res.stdout).toMatch(/retries +2/);
    expect(existsSync(join(r.repo.base, 'repo-worktrees'))).toBe(false);
  });
});
