// Integration (SPEC §10) end to end with real git: `wo run` of a plan with `integrate:` (the radar
// while the run goes on, conflicts, bisection of a verify two workers break together, needs order),
// `wo integrate` (refusals, workers' branches untouched, --push to a bare remote, --pr through a
// stand-in gh) and `on_conflict: agent` (custom agents in tmux on the test's own socket).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PredictedConflict, ReportIntegration } from '../../src/report/types.js';
import { BIN, runEnv, type RunEnv } from '../run/harness.js';

/** What these tests read of report.json. */
interface Report {
  run_id: string;
  workers: Array<{ feature: string; outcome: string }>;
  integration: ReportIntegration & { verify: NonNullable<ReportIntegration['verify']> };
  predicted_conflicts: PredictedConflict[];
}

const commit = (file: string, text: string) =>
  `printf '${text}\\n' > ${file} && git add ${file} && git commit -q -m "${file}"`;

describe('integration', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
    // wo's own merge commits need an identity: the repository's, as a user's would be.
    r.repo.git('config', 'user.name', 'wo test');
    r.repo.git('config', 'user.email', 'test@wo.invalid');
    writeFileSync(join(r.repo.root, 'shared.txt'), 'line one\n');
    r.repo.git('add', 'shared.txt');
    r.repo.git('commit', '-q', '-m', 'shared');
  });
  afterEach(() => r.cleanup());
  const report = () => r.report() as unknown as Report;

  const head = (integrate: string) =>
    `version: 1\ndefaults:\n  agent: shell\n  timeout: 60s\nintegrate:\n${integrate}workers:\n`;
  const refs = () => r.repo.git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/wo/');
  const integrationFile = (branch: string, file: string) =>
    execFileSync('git', ['show', `${branch}:${file}`], { cwd: r.repo.root, encoding: 'utf8' });

  test('two workers changing the same lines: the radar says so while the run goes on, the integration is partial and names the conflict', async () => {
    const radarFile = join(r.repo.root, '.wo', 'radar.json');
    // `watcher` ends done only once the radar's prediction is on disk while it still runs.
    const watcher =
      `for i in $(seq 1 400); do grep -q shared.txt '${radarFile}' 2>/dev/null && break; sleep 0.05; done; ` +
      `grep -q shared.txt '${radarFile}' && ${commit('seen.txt', 'seen')}`;
    r.writePlan(
      head('  on_conflict: skip\n') +
        `  - feature: a\n    task: ${JSON.stringify(commit('shared.txt', 'from a'))}\n` +
        `  - feature: b\n    task: ${JSON.stringify(commit('shared.txt', 'from b'))}\n` +
        `  - feature: watcher\n    task: ${JSON.stringify(watcher)}\n`,
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(1); // partial keeps the exit code from 0
    const rep = report();
    expect(rep.workers.map((w) => [w.feature, w.outcome])).toEqual([
      ['a', 'done'],
      ['b', 'done'],
      ['watcher', 'done'],
    ]);
    // The radar's line came in the progress, before the workers' summary line.
    const radarLine = /\b(a ⚠ conflicts with b|b ⚠ conflicts with a) in shared\.txt/.exec(res.stdout);
    expect(radarLine).not.toBeNull();
    expect(res.stdout.indexOf(radarLine![0])).toBeLessThan(res.stdout.indexOf('3 done'));
    expect(rep.predicted_conflicts).toHaveLength(1);
    expect(rep.predicted_conflicts[0]!.files).toEqual(['shared.txt']);

    const x = rep.integration;
    expect(x.outcome).toBe('partial');
    expect(x.branch).toBe(`wo-integration/${rep.run_id}`);
    expect(x.base).toBe('main');
    // Which of a and b merged first is plan order: a; b collides with it.
    expect(x.merged).toEqual(['a', 'watcher']);
    expect(x.conflicts).toEqual([
      { feature: 'b', files: ['shared.txt'], with: ['a'], resolution: 'skipped' },
    ]);
    expect(x.not_merged).toEqual([]);
    expect(x.head).toBe(r.repo.git('rev-parse', x.branch).trim());
    expect(integrationFile(x.branch, 'shared.txt')).toBe('from a\n');
    expect(integrationFile(x.branch, 'seen.txt')).toBe('seen\n');
    // Each merge is a --no-ff merge commit with wo's message.
    const subjects = r.repo
      .git('log', '--format=%s', '--first-parent', `main..${x.branch}`)
      .trim()
      .split('\n');
    expect(subjects).toEqual(['wo: integrate watcher (wo/watcher)', 'wo: integrate a (wo/a)']);
    expect(res.stderr).toContain('integration partial');
    const md = readFileSync(join(r.repo.root, '.wo', 'runs', rep.run_id, 'report.md'), 'utf8');
    expect(md).toContain('## Integration');
    expect(md).toContain('b conflicts with a in `shared.txt` (skipped)');
    expect(md).toContain('## Predicted conflicts');
    // wo status shows the radar's line under its table (the built wo: jest's module loader trips over
    // a second command's concurrent imports in one test file).
    const status = execFileSync(process.execPath, [BIN, 'status'], {
      cwd: r.repo.root,
      env: r.env,
      encoding: 'utf8',
    });
    expect(status).toMatch(/(a ⚠ conflicts with b|b ⚠ conflicts with a) in shared\.txt/);
  });

  test('a verify that only two workers break together: bisection names the second, within ceil(log2 n) + 1 runs', async () => {
    const runs = join(r.probe, 'verify-runs');
    // Fails only when both b.txt and d.txt are in the tree; counts its runs.
    const verify = `echo run >> '${runs}'; ! { [ -f b.txt ] && [ -f d.txt ]; }`;
    r.writePlan(
      head(`  verify: ${JSON.stringify(verify)}\n`) +
        ['a', 'b', 'c', 'd', 'e']
          .map((f) => `  - feature: ${f}\n    task: ${JSON.stringify(commit(`${f}.txt`, f))}\n`)
          .join('') +
        // Needs order: first in the plan, merged after the worker it needs.
        `  - feature: f\n    task: ${JSON.stringify(commit('f.txt', 'f'))}\n    needs: [e]\n`,
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const x = report().integration;
    expect(x.outcome).toBe('failed');
    expect(x.merged).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(x.verify.passed).toBe(false);
    expect(x.verify.culprit).toBe('d');
    expect(x.verify.finding).toBe('verify passes with a, b, c; fails once d is merged');
    const counted = readFileSync(runs, 'utf8').trim().split('\n').length;
    expect(x.verify.runs).toBe(counted);
    expect(counted).toBeLessThanOrEqual(Math.ceil(Math.log2(6)) + 1);
    // The branch is left at its last merge, whatever the bisection checked out.
    expect(r.repo.git('rev-parse', x.branch).trim()).toBe(x.head);
  });

  test('needs order: a worker is merged after the workers it needs', async () => {
    r.writePlan(
      head('  verify: ""\n') +
        `  - feature: ui\n    task: ${JSON.stringify(commit('ui.txt', 'ui'))}\n    needs: [api]\n` +
        `  - feature: api\n    task: ${JSON.stringify(commit('api.txt', 'api'))}\n`,
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(0);
    const x = report().integration;
    expect(x).toMatchObject({ outcome: 'integrated', merged: ['api', 'ui'], verify: null });
  });

  test('on_conflict: stop merges nothing more, and the outcome is failed', async () => {
    r.writePlan(
      head('  on_conflict: stop\n') +
        `  - feature: a\n    task: ${JSON.stringify(commit('shared.txt', 'from a'))}\n` +
        `  - feature: b\n    task: ${JSON.stringify(commit('shared.txt', 'from b'))}\n` +
        `  - feature: c\n    task: ${JSON.stringify(commit('c.txt', 'c'))}\n`,
    );
    expect((await r.wo(['run'])).code).toBe(1);
    const x = report().integration;
    expect(x).toMatchObject({ outcome: 'failed', merged: ['a'], not_merged: ['c'] });
    expect(x.conflicts).toEqual([
      { feature: 'b', files: ['shared.txt'], with: ['a'], resolution: 'stopped' },
    ]);
  });

  describe('wo integrate', () => {
    const plan = (integrate: string) =>
      r.writePlan(
        head(integrate) +
          `  - feature: a\n    task: ${JSON.stringify(commit('a.txt', 'a'))}\n` +
          `  - feature: b\n    task: ${JSON.stringify(commit('b.txt', 'b'))}\n` +
          `  - feature: broken\n    task: exit 3\n`,
      );

    test('without a run of the plan: a clear error naming the fix, nothing made', async () => {
      plan('  verify: ""\n');
      const res = await r.wo(['integrate']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain("Run 'wo run workers.yaml' first");
      expect(existsSync(r.worktree('_integration'))).toBe(false);
    });

    test("integrates the latest done workers, runs none, and leaves the workers' branches as they were", async () => {
      plan('  branch: integration/{date}\n  verify: test -f a.txt && test -f b.txt\n');
      // The run integrates too; wo integrate does it again, afresh.
      expect((await r.wo(['run'])).code).toBe(1); // broken failed
      const runId = r.report().run_id;
      const before = refs();
      const res = await r.wo(['integrate', '--json']);
      expect(res.code).toBe(0);
      const x = JSON.parse(res.stdout);
      expect(x).toMatchObject({ outcome: 'integrated', merged: ['a', 'b'], conflicts: [], not_merged: [] });
      expect(x.branch).toBe(`integration/${new Date().toISOString().slice(0, 10)}`);
      expect(x.verify).toMatchObject({ passed: true, runs: 1, culprit: null });
      expect(res.stderr).toContain('broken: not integrated (its latest outcome is failed)');
      expect(refs()).toBe(before);
      // No worker ran again: each log holds one start, and the latest run is still the one before.
      for (const f of ['a', 'b', 'broken'])
        expect(
          readFileSync(join(r.worktree(f), '.worker.log'), 'utf8').match(/ wt-\S+ started/g),
        ).toHaveLength(1);
      expect(r.report().run_id).toBe(runId);
      // --only narrows.
      const only = await r.wo(['integrate', '--only', 'b', '--json']);
      expect(JSON.parse(only.stdout).merged).toEqual(['b']);
      expect(refs()).toBe(before);
    });

    test('a fixed branch holding foreign commits is refused (exit 2) naming them, and nothing changes', async () => {
      plan('  branch: integration\n  verify: ""\n');
      expect((await r.wo(['run'])).code).toBe(1);
      r.repo.git('checkout', '-q', '-b', 'someone', 'main');
      writeFileSync(join(r.repo.root, 'theirs.txt'), 'theirs\n');
      r.repo.git('add', 'theirs.txt');
      r.repo.git('commit', '-q', '-m', 'work of someone else');
      r.repo.git('checkout', '-q', 'main');
      // The run made `integration` in its worktree; a person moves it onto their own commit.
      r.repo.git('-C', r.worktree('_integration'), 'reset', '-q', '--hard', 'someone');
      r.repo.git('branch', '-q', '-D', 'someone');
      const tip = r.repo.git('rev-parse', 'integration').trim();
      const before = refs();
      const res = await r.wo(['integrate']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('work of someone else');
      expect(res.stderr).toContain('holds 1 commit in neither main');
      expect(r.repo.git('rev-parse', 'integration').trim()).toBe(tip);
      expect(refs()).toBe(before);
    });

    test('--push pushes the integration branch to a bare remote (never forced); --pr opens one draft PR for it', async () => {
      const origin = join(r.repo.base, 'origin.git');
      execFileSync('git', ['init', '-q', '--bare', origin]);
      r.repo.git('remote', 'add', 'origin', origin);
      r.repo.git('push', '-q', 'origin', 'main');
      const bin = join(r.repo.base, 'bin');
      mkdirSync(bin);
      const calls = join(r.repo.base, 'gh-calls');
      writeFileSync(
        join(bin, 'gh'),
        `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\ncase "$1 $2" in\n  "--version ") echo 'gh version 2.0.0' ;;\n  "pr list") echo '[]' ;;\n  "pr create") echo https://github.com/o/r/pull/9 ;;\n  *) exit 1 ;;\nesac\n`,
      );
      chmodSync(join(bin, 'gh'), 0o755);
      r.env.PATH = `${bin}:${r.env.PATH}`;
      plan('  branch: integration\n  verify: ""\n');
      expect((await r.wo(['run'])).code).toBe(1);
      const res = await r.wo(['integrate', '--pr', '--json']);
      expect(res.code).toBe(0);
      const x = JSON.parse(res.stdout);
      expect(x).toMatchObject({ pushed: true, pr_url: 'https://github.com/o/r/pull/9', handoff_error: null });
      const remoteTip = execFileSync('git', ['--git-dir', origin, 'rev-parse', 'refs/heads/integration'], {
        encoding: 'utf8',
      }).trim();
      expect(remoteTip).toBe(x.head);
      const ghCalls = readFileSync(calls, 'utf8').trim().split('\n');
      const creates = ghCalls.filter((c) => c.startsWith('pr create'));
      expect(creates).toHaveLength(1); // one for the integration branch, none per worker
      expect(creates[0]).toContain('--draft --head integration --base main');
      // The remote holds the branch differently now: a second push is refused, never forced.
      const clone = join(r.repo.base, 'clone');
      execFileSync('git', ['clone', '-q', '-b', 'integration', origin, clone]);
      execFileSync('git', [
        '-C',
        clone,
        '-c',
        'user.name=x',
        '-c',
        'user.email=x@x',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        'remote only',
      ]);
      execFileSync('git', ['-C', clone, 'push', '-q', 'origin', 'integration']);
      const theirs = execFileSync('git', ['--git-dir', origin, 'rev-parse', 'refs/heads/integration'], {
        encoding: 'utf8',
      }).trim();
      const again = await r.wo(['integrate', '--push', '--json']);
      expect(again.code).toBe(1);
      expect(JSON.parse(again.stdout).handoff_error).toContain('never forced');
      expect(
        execFileSync('git', ['--git-dir', origin, 'rev-parse', 'refs/heads/integration'], {
          encoding: 'utf8',
        }).trim(),
      ).toBe(theirs);
    });
  });

  describe('on_conflict: agent', () => {
    const agentPlan = (script: string) =>
      r.writePlan(
        `version: 1\ndefaults:\n  agent: shell\n  timeout: 60s\n` +
          `agents:\n  fixer:\n    command: [sh, -c, ${JSON.stringify(script)}]\n` +
          `integrate:\n  on_conflict: agent\n  agent: fixer\n  verify: "! grep -q '<<<<<<<' shared.txt"\n` +
          `workers:\n` +
          `  - feature: a\n    task: ${JSON.stringify(commit('shared.txt', 'from a'))}\n` +
          `  - feature: b\n    task: ${JSON.stringify(commit('shared.txt', 'from b'))}\n`,
      );

    test('an agent that resolves the conflict: merged, and the session was wt-_integration', async () => {
      agentPlan(`printf 'from a\\nfrom b\\n' > shared.txt && git add shared.txt && git commit -q --no-edit`);
      const res = await r.wo(['run']);
      const x = report().integration;
      expect(x).toMatchObject({ outcome: 'integrated', merged: ['a', 'b'], conflicts: [] });
      expect(res.code).toBe(0);
      expect(integrationFile(x.branch, 'shared.txt')).toBe('from a\nfrom b\n');
      // Started through the completion protocol, in its own session.
      const meta = JSON.parse(readFileSync(join(r.worktree('_integration'), '.worktree.json'), 'utf8'));
      expect(meta.worker).toMatchObject({ session: 'wt-_integration', agent: 'fixer', status: 'done' });
      const parents = r.repo.git('rev-list', '--parents', '-n', '1', x.branch).trim().split(' ');
      expect(parents.slice(1)).toContain(r.repo.git('rev-parse', 'wo/b').trim());
    });

    test('an agent that leaves conflict markers: refused, and the worker falls back to skip', async () => {
      agentPlan('git add shared.txt && git commit -q --no-edit');
      const res = await r.wo(['run']);
      expect(res.code).toBe(1);
      const x = report().integration;
      expect(x.outcome).toBe('partial');
      expect(x.merged).toEqual(['a']);
      expect(x.conflicts).toEqual([
        {
          feature: 'b',
          files: ['shared.txt'],
          with: ['a'],
          resolution: 'skipped: conflict markers are left in shared.txt',
        },
      ]);
      // The markers never reached the branch: it is a's merge, verified.
      expect(integrationFile(x.branch, 'shared.txt')).toBe('from a\n');
      expect(x.verify.passed).toBe(true);
    });
  });
});
