// Best of N (SPEC §11) end to end on real git and tmux: shell tries that behave by $WO_TRY, judged by
// the repository's own checks, the worker's branch moved to the winner without losing a commit.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../helpers.js';
import { runEnv, type RunEnv } from './harness.js';

/** A shell task writing `lines[k-1]` lines to f.txt in try k and committing them. */
const task = (lines: number[]) =>
  `n=$(echo ${lines.join(' ')} | cut -d' ' -f$WO_TRY); seq 1 $n > f.txt; git add f.txt; git commit -qm "try $WO_TRY"`;

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
    expect(tries[1]!.branch).toBe('wo/parser.try2');
    // Each try ran in its own worktree and session, told which try it is.
    expect(existsSync(r.worktree('parser.try3'))).toBe(true);
    const pointer = JSON.parse(readFileSync(join(r.repo.root, '.wo', 'last-run.json'), 'utf8')) as {
      report_dir: string;
    };
    const md = readFileSync(join(pointer.report_dir, 'report.md'), 'utf8');
    expect(md).toMatch(/\| 2 ★ \| shell \(m2\) \| done \| passed \| – \| 2 \|/);
  });
});
