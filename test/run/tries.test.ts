// Best of N (SPEC §11) end to end on real git and tmux: shell tries that behave by $WO_TRY, judged by
// the repository's own checks, the worker's branch moved to the winner without losing a commit.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandTries } from '../../src/run/judge.js';
import { plan } from '../scheduler/fakes.js';
import { waitFor } from '../helpers.js';
import { REPORT_TRY_KEYS } from '../spec-report.js';
import { exitOf, runEnv, type RunEnv } from './harness.js';

/** A shell task writing `lines[k-1]` lines to f.txt in try k and committing them. */
const task = (lines: number[]) =>
  `n=$(echo ${lines.join(' ')} | cut -d' ' -f$WO_TRY); seq 1 $n > f.txt; git add f.txt; git commit -qm "try $WO_TRY"`;

test('a best-of worker becomes its tries, each with its agent and model cycled', () => {
  const [one, parser] = plan(
    ['one'],
    ['parser', { bestOf: 3, tryAgents: ['claude', 'codex'], model: 'a', models: ['a', 'b'], until: 'first' }],
  );
  const { workers, bestOf } = expandTries([one!, parser!]);
  expect(workers.map((w) => [w.feature, w.agent, w.model, w.try, w.tries, w.tryOf])).toEqual([
    ['one', 'shell', undefined, undefined, undefined, undefined],
    ['parser.try1', 'claude', 'a', 1, 3, 'parser'],
    ['parser.try2', 'codex', 'b', 2, 3, 'parser'],
    ['parser.try3', 'claude', 'a', 3, 3, 'parser'],
  ]);
  // A try is an ordinary worker: it asks for no tries itself.
  expect(workers.some((w) => w.bestOf !== undefined || w.until !== undefined)).toBe(false);
  expect(bestOf.map((b) => [b.spec.feature, b.tries.length])).toEqual([['parser', 3]]);
});

describe('best of N', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: r.repo.root, env: r.env, encoding: 'utf8' }).trim();
  const tip = (branch: string) => git('rev-parse', `refs/heads/${branch}`);

  test('a try that fails verify loses; of two that pass the smaller diff wins, and the branch points at it', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 30s }',
        'workers:',
        '  - feature: parser',
        `    task: ${JSON.stringify(task([5, 2, 1]))}`,
        '    verify: test "$WO_TRY" != 3',
        '    best_of: 3',
        '    models: [m1, m2]',
        '  - feature: after',
        '    needs: [parser]',
        '    base: wo/parser',
        '    task: wc -l < f.txt > "$PROBE/after"',
      ].join('\n'),
    );
    const res = await r.wo(['run']);
    expect([res.code, res.code === 0 ? '' : res.stderr]).toEqual([0, '']);
    expect(tip('wo/parser')).toBe(tip('wo/parser.try2'));
    // Nothing any try committed is lost: each keeps its own branch.
    for (const k of [1, 2, 3]) expect(git('log', '-1', '--format=%s', `wo/parser.try${k}`)).toBe(`try ${k}`);
    // The worker that needs it started after, on the winner's commit.
    expect(readFileSync(join(r.probe, 'after'), 'utf8').trim()).toBe('2');
    // The person watching is told which try won.
    expect(res.stderr).toContain(
      'wo: parser: try 2 of 3 won (shell, m2, 2 lines changed); wo/parser points at it',
    );
    const report = r.report();
    expect(report.workers.map((w) => w.feature)).toEqual(['parser', 'after']);
    const parser = report.workers[0]!;
    expect(parser.outcome).toBe('done');
    expect(parser.branch).toBe('wo/parser');
    const tries = parser.tries as Array<Record<string, unknown>>;
    expect(tries.map((t) => [t.try, t.model, t.outcome, t.verify_passed, t.lines_changed, t.winner])).toEqual(
      [
        [1, 'm1', 'done', true, 5, false],
        [2, 'm2', 'done', true, 2, true],
        [3, 'm1', 'failed', false, 1, false],
      ],
    );
    expect(String(tries[2]!.reason)).toContain('verify');
    for (const t of tries) for (const k of REPORT_TRY_KEYS) expect(t).toHaveProperty(k);
    expect(tries[1]!.branch).toBe('wo/parser.try2');
    // Each try ran in its own worktree and session, told which try it is.
    expect(existsSync(r.worktree('parser.try3'))).toBe(true);
    const pointer = JSON.parse(readFileSync(join(r.repo.root, '.wo', 'last-run.json'), 'utf8')) as {
      report_dir: string;
    };
    const md = readFileSync(join(pointer.report_dir, 'report.md'), 'utf8');
    expect(md).toMatch(/\| 2 ★ \| shell \(m2\) \| done \| passed \| – \| 2 \|/);
    // The branch the judging made is recorded as wo's, like its tries': `--push` may push it later.
    const made = readFileSync(join(r.repo.root, '.git', 'wo-created-branches'), 'utf8').split('\n');
    expect(made).toEqual(expect.arrayContaining(['wo/parser', 'wo/parser.try1', 'wo/after']));
  });

  /** The report's tries of its first worker, as [key, …] rows. */
  const triesOf = (keys: string[]) =>
    (r.report().workers[0]!.tries as Array<Record<string, unknown>>).map((t) => keys.map((k) => t[k]));

  test('a judge picks against the diff order; a judge that fails disqualifies its try, saying why', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 30s }',
        'workers:',
        '  - feature: parser',
        `    task: ${JSON.stringify(task([1, 5, 9]))}`,
        '    best_of: 3',
        // More lines score higher; try 3 (the most) has a judge that fails.
        '    judge: test "$WO_TRY" != 3 || exit 4; wc -l < f.txt',
      ].join('\n'),
    );
    const res = await r.wo(['run']);
    expect([res.code, res.code === 0 ? '' : res.stderr]).toEqual([0, '']);
    expect(tip('wo/parser')).toBe(tip('wo/parser.try2'));
    expect(triesOf(['try', 'outcome', 'score', 'lines_changed', 'winner', 'reason'])).toEqual([
      [1, 'done', 1, 1, false, null],
      [2, 'done', 5, 5, true, null],
      [3, 'done', null, 9, false, 'disqualified: the judge exited with code 4'],
    ]);
  });

  test('until: first ends the other tries as soon as one passes, saying why', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 60s }',
        'workers:',
        '  - feature: parser',
        // Try 1 passes at once; the others would sleep past the test's own deadline.
        '    task: test "$WO_TRY" = 1 || sleep 120; echo "$WO_TRY" > f.txt; git add f.txt; git commit -qm "try $WO_TRY"',
        '    best_of: 3',
        '    until: first',
      ].join('\n'),
    );
    const res = await r.wo(['run', '--keep-sessions']);
    expect([res.code, res.code === 0 ? '' : res.stderr]).toEqual([0, '']);
    expect(tip('wo/parser')).toBe(tip('wo/parser.try1'));
    const rows = triesOf(['try', 'outcome', 'winner', 'reason']);
    expect(rows.map((t) => t.slice(0, 3))).toEqual([
      [1, 'done', true],
      [2, 'interrupted', false],
      [3, 'interrupted', false],
    ]);
    for (const t of rows.slice(1)) expect(t[3]).toContain('try parser.try1 passed first (until: first)');
    // Sessions are kept (--keep-sessions) but the ended tries': theirs were stopped.
    expect(await r.tmux.tmux.hasSession('wt-parser-try1')).toBe(true);
    for (const k of [2, 3])
      await waitFor(
        async () => !(await r.tmux.tmux.hasSession(`wt-parser-try${k}`)),
        `wt-parser-try${k} to end`,
      );
  }, 60_000);

  test('a worker branch elsewhere that the winner does not contain is not moved: failed, naming it', async () => {
    git('checkout', '-q', '-b', 'wo/parser');
    git('commit', '-q', '--allow-empty', '-m', 'elsewhere');
    const elsewhere = tip('wo/parser');
    git('checkout', '-q', '-');
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 30s }',
        'workers:',
        '  - feature: parser',
        `    task: ${JSON.stringify(task([1, 2]))}`,
        '    best_of: 2',
      ].join('\n'),
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const parser = r.report().workers[0]!;
    expect(parser.outcome).toBe('failed');
    expect(String(parser.reason)).toContain('branch wo/parser has commits that try 1');
    expect(res.stderr).toContain(
      'wo: parser: try 1 of 2 won (shell, 1 lines changed), but branch wo/parser has',
    );
    // Nothing is lost: the branch stays where it was, and each try keeps its commit.
    expect(tip('wo/parser')).toBe(elsewhere);
    for (const k of [1, 2]) expect(git('log', '-1', '--format=%s', `wo/parser.try${k}`)).toBe(`try ${k}`);
  });

  test('--failed runs every try of a worker that failed again', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 30s }',
        'workers:',
        '  - feature: parser',
        '    task: echo "$WO_TRY" >> "$PROBE/ran"; echo "$WO_TRY" >> f.txt; git add f.txt; git commit -qm "try $WO_TRY"',
        '    verify: test -f "$PROBE/ok"',
        '    best_of: 2',
        '  - { feature: other, task: "true" }',
      ].join('\n'),
    );
    const first = await r.wo(['run']);
    expect(first.code).toBe(1);
    const parser = r.report().workers[0]!;
    expect(parser.outcome).toBe('failed');
    expect(String(parser.reason)).toMatch(
      /^no try passed: try 1 \(shell\): verify .*; try 2 \(shell\): verify /,
    );
    writeFileSync(join(r.probe, 'ok'), '');
    const again = await r.wo(['run', '--failed']);
    expect([again.code, again.code === 0 ? '' : again.stderr]).toEqual([0, '']);
    expect(readFileSync(join(r.probe, 'ran'), 'utf8').trim().split('\n').sort()).toEqual([
      '1',
      '1',
      '2',
      '2',
    ]);
    expect(triesOf(['try', 'outcome'])).toEqual([
      [1, 'done'],
      [2, 'done'],
    ]);
    expect(r.report().workers.map((w) => [w.feature, w.from_run === null])).toEqual([
      ['parser', true],
      ['other', false],
    ]);
  });

  test('--dry-run lists each try: its worktree, session, agent and model', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 30s }',
        'workers:',
        '  - { feature: one, task: "true" }',
        '  - { feature: parser, task: "true", best_of: 2, models: [m1, m2], judge: ./score, until: first }',
      ].join('\n'),
    );
    const res = await r.wo(['run', '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Dry run: 2 of 2 workers (2 tries among them)');
    const block = (f: string) => res.stdout.split('\n\n').find((b) => b.startsWith(`${f}\n`)) ?? '';
    expect(block('parser.try2')).toMatch(/worktree +\.\.\/repo-worktrees\/parser\.try2 \(new\)/);
    expect(block('parser.try2')).toMatch(/branch +wo\/parser\.try2/);
    expect(block('parser.try2')).toMatch(/session +wt-parser-try2/);
    expect(block('parser.try2')).toMatch(/try +2 of 2 of parser: judged by `\.\/score`, until: first/);
    expect(block('parser.try2')).toMatch(/model +m2/);
    expect(existsSync(r.worktree('parser.try1'))).toBe(false);
  });

  test('wo status shows each try under its worker, live and after the run', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 60s }',
        'workers:',
        '  - feature: parser',
        '    task: until test -f "$PROBE/go"; do sleep 0.05; done; echo "$WO_TRY" > f.txt; git add f.txt; git commit -qm "try $WO_TRY"',
        '    best_of: 2',
      ].join('\n'),
    );
    const child = r.spawnWo(['run']);
    type Entry = { feature: string; status: string; try_of?: string };
    const status = async () => JSON.parse((await r.wo(['status', '--json'])).stdout) as Entry[];
    const live = await waitFor(async () => {
      const e = await status();
      return e.filter((x) => x.status === 'running').length === 3 ? e : undefined;
    }, 'both tries running');
    expect(live!.map((e) => [e.feature, e.try_of])).toEqual([
      ['parser', undefined],
      ['parser.try1', 'parser'],
      ['parser.try2', 'parser'],
    ]);
    writeFileSync(join(r.probe, 'go'), '');
    expect(await exitOf(child)).toBe(0);
    // The table as a person sees it (the built wo: the table's modules load as they do there).
    const shown = r.spawnWo(['status']);
    expect(await exitOf(shown)).toBe(0);
    expect(shown.output()).toMatch(
      /\nparser +│ done +│ \d+(\.\d)?s +│ best of 2\n {2}parser\.try1 │ done .*\n {2}parser\.try2 │ done /,
    );
    // A try is a worker name the commands take.
    expect((await r.wo(['status', 'parser.try2', '--json'])).code).toBe(0);
  }, 60_000);

  test('--only a worker that needs a best-of worker done in an earlier run starts from the winner', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 30s }',
        'workers:',
        '  - feature: parser',
        `    task: ${JSON.stringify(task([3, 1]))}`,
        '    best_of: 2',
        '  - { feature: after, needs: [parser], base: wo/parser, task: \'wc -l < f.txt > "$PROBE/after"\' }',
      ].join('\n'),
    );
    expect((await r.wo(['run', '--only', 'parser'])).code).toBe(0);
    const res = await r.wo(['run', '--only', 'after']);
    expect([res.code, res.code === 0 ? '' : res.stderr]).toEqual([0, '']);
    expect(readFileSync(join(r.probe, 'after'), 'utf8').trim()).toBe('1');
  });

  test('tries cycle through custom agents and models; the report names each', async () => {
    // Two custom agents: `big` writes 4 lines, `small` 1; each is told its model as {model}.
    const agent = (n: number) =>
      `    command: [sh, -c, 'seq 1 ${n} > f.txt; echo "$1" > "$PROBE/$WO_FEATURE"; git add f.txt; git commit -qm "$WO_FEATURE"', sh, "{model}"]`;
    r.writePlan(
      [
        'version: 1',
        'defaults: { timeout: 30s }',
        'agents:',
        '  big:',
        agent(4),
        '  small:',
        agent(1),
        'workers:',
        '  - { feature: parser, task: t, best_of: 3, agents: [big, small], models: [x, y, z] }',
      ].join('\n'),
    );
    const res = await r.wo(['run']);
    expect([res.code, res.code === 0 ? '' : res.stderr]).toEqual([0, '']);
    expect([1, 2, 3].map((k) => readFileSync(join(r.probe, `parser.try${k}`), 'utf8').trim())).toEqual([
      'x',
      'y',
      'z',
    ]);
    expect(triesOf(['try', 'agent', 'model', 'lines_changed', 'winner'])).toEqual([
      [1, 'big', 'x', 4, false],
      [2, 'small', 'y', 1, true],
      [3, 'big', 'z', 4, false],
    ]);
    // The worker's one row is the winner's agent and model.
    expect(r.report().workers[0]).toMatchObject({ agent: 'small', model: 'y', branch: 'wo/parser' });
    expect(tip('wo/parser')).toBe(tip('wo/parser.try2'));
  });

  test('integration merges the winner; its tries, which change the same lines, are no conflict', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 30s }',
        'integrate: { on_conflict: skip }',
        'workers:',
        '  - feature: parser',
        `    task: ${JSON.stringify(task([3, 1]))}`,
        '    best_of: 2',
        '  - { feature: other, task: "echo o > o.txt; git add o.txt; git commit -qm other" }',
      ].join('\n'),
    );
    const res = await r.wo(['run']);
    expect([res.code, res.code === 0 ? '' : res.stderr]).toEqual([0, '']);
    const report = r.report() as unknown as {
      integration: { outcome: string; merged: string[]; branch: string };
      predicted_conflicts: unknown[];
    };
    expect(report.predicted_conflicts).toEqual([]);
    expect(report.integration).toMatchObject({ outcome: 'integrated', merged: ['parser', 'other'] });
    expect(git('show', `${report.integration.branch}:f.txt`)).toBe('1');
  });

  test('a worker branch checked out somewhere is not moved under that checkout: failed, saying where', async () => {
    // wo/parser at HEAD: an ancestor of every try, but a checkout's files would go stale.
    const elsewhere = join(r.repo.base, 'elsewhere');
    git('worktree', 'add', '-q', '-b', 'wo/parser', elsewhere);
    const before = tip('wo/parser');
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 30s }',
        'workers:',
        '  - feature: parser',
        `    task: ${JSON.stringify(task([1, 2]))}`,
        '    best_of: 2',
      ].join('\n'),
    );
    expect((await r.wo(['run'])).code).toBe(1);
    const parser = r.report().workers[0]!;
    expect(parser.outcome).toBe('failed');
    expect(String(parser.reason)).toContain(`branch wo/parser is checked out in ${elsewhere}`);
    expect(tip('wo/parser')).toBe(before);
  });
});
