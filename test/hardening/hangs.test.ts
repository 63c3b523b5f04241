// SPEC §9 "nothing hangs": whatever a worker does to its worktree or protocol files, `wo run` ends
// with an outcome for every worker; SIGTERM always ends wo. Each runs the built wo under a deadline.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type TempRepo, type TempTmux } from '../helpers.js';
import { eachRepoWithTmux } from './fixture.js';
import { runWo, startWo } from './deadline.js';

const head = 'version: 1\nconcurrency: 4\ndefaults:\n  agent: shell\n  timeout: 20s\nworkers:\n';

describe('hangs', () => {
  let repo: TempRepo;
  let t: TempTmux;
  let env: NodeJS.ProcessEnv;
  eachRepoWithTmux((f) => ({ repo, t, env } = f));

  const report = () => {
    const last = JSON.parse(readFileSync(join(repo.root, '.wo', 'last-run.json'), 'utf8'));
    return JSON.parse(readFileSync(last.report_json, 'utf8')) as {
      workers: Array<{ feature: string; outcome: string }>;
    };
  };

  test('a worker that deletes its worktree, one that makes its status file a FIFO, and one that writes garbage: the run ends with an outcome for each', async () => {
    writeFileSync(
      join(repo.root, 'workers.yaml'),
      head +
        '  - feature: gone\n    task: rm -rf "$WO_WORKTREE"\n' +
        '  - feature: fifo\n    task: rm -f .worker-status && mkfifo .worker-status\n' +
        '  - feature: garbage\n    task: head -c 3000 /dev/urandom > .worker-status; exit 0\n' +
        '  - feature: fine\n    task: "true"\n',
    );
    const r = await runWo(['run'], { cwd: repo.root, env }, 25000);
    expect(r.code).toBe(1);
    const outcomes = Object.fromEntries(report().workers.map((w) => [w.feature, w.outcome]));
    expect(Object.keys(outcomes).sort()).toEqual(['fifo', 'fine', 'garbage', 'gone']);
    expect(outcomes.fine).toBe('done');
    expect(outcomes.garbage).toBe('failed');
  });

  test('SIGTERM ends a run whose worker sits on a FIFO status file: exit 130, report written', async () => {
    writeFileSync(
      join(repo.root, 'workers.yaml'),
      head + '  - feature: stuck\n    task: rm -f .worker-status && mkfifo .worker-status && sleep 60\n',
    );
    const run = startWo(['run'], { cwd: repo.root, env });
    const wt = join(repo.base, 'repo-worktrees', 'stuck');
    await waitFor(
      () => existsSync(join(wt, '.worker-status')) && run.output().includes('stuck'),
      'the worker to start',
    );
    await waitFor(async () => (await t.tmux.listSessions()).length > 0, 'its session');
    run.kill('SIGTERM');
    const r = await run.ended(15000);
    expect(r.code).toBe(130);
    expect(report().workers.map((w) => w.outcome)).toEqual(['interrupted']);
  });
});
