// The exact tmux command lines of spawn and kill, with a Runner that records tmux calls (git is real).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killWorker } from '../../src/commands/kill.js';
import { spawnWorker } from '../../src/commands/spawn.js';
import { memoryOutput, type Context } from '../../src/context.js';
import { processRunner, type Runner, type RunResult } from '../../src/process/run.js';
import { WRAPPER } from '../../src/session/launch.js';
import { openWorkspace } from '../../src/workspace.js';
import { makeRepo, testEnv, type TempRepo } from '../helpers.js';

function recorder(answer: (args: readonly string[]) => Partial<RunResult> = () => ({})) {
  const calls: string[][] = [];
  const runner: Runner = {
    async run(file, args, o) {
      if (file !== 'tmux') return processRunner.run(file, args, o);
      calls.push([...args]);
      return { stdout: '', stderr: '', exitCode: 0, ...answer(args) };
    },
  };
  return { calls, runner };
}

describe('tmux command lines', () => {
  let repo: TempRepo;
  let ctx: Context;
  beforeEach(() => {
    repo = makeRepo();
    ctx = {
      cwd: repo.root,
      env: testEnv(repo.home, { WO_TMUX_SOCKET: 'sock' }),
      io: memoryOutput(),
      signal: new AbortController().signal,
    };
  });
  afterEach(() => repo.cleanup());

  test('spawn: one new-session call with the wrapper as its argv, never a shell string', async () => {
    // tmux has no session wt-x.
    const { calls, runner } = recorder((args) =>
      args.includes('has-session') ? { exitCode: 1, stderr: "can't find session: wt-x" } : {},
    );
    const ws = await openWorkspace(ctx, undefined, runner);
    const task = `it's "$(rm -rf /)"; echo`;
    expect(await spawnWorker(ctx, ws, 'x', task, { agent: 'shell', create: true })).toBe(0);
    const wt = join(repo.base, 'repo-worktrees', 'x');
    const spec = join(repo.root, '.wo', 'workers', 'x', 'spec');
    // One listing for the session's owner (SPEC §1), one for whether it runs, one more look under
    // the worker's start lock (another spawn may have got there first), then the session.
    expect(calls).toHaveLength(4);
    expect(calls[0]).toEqual(['-L', 'sock', 'list-panes', '-a', '-F', expect.any(String)]);
    expect(calls[1]).toEqual(['-L', 'sock', 'list-panes', '-a', '-F', expect.any(String)]);
    expect(calls[2]).toEqual(['-L', 'sock', 'has-session', '-t', '=wt-x']);
    const newSession = calls[3] ?? [];
    // The session and its program, exactly; then, chained in the same call, its log piping.
    expect(newSession.slice(0, newSession.indexOf(';'))).toEqual([
      '-L',
      'sock',
      'new-session',
      '-d',
      '-P',
      '-F',
      '#{pane_pid}',
      '-s',
      'wt-x',
      '-x',
      '200',
      '-y',
      '50',
      '-c',
      wt,
      '--',
      '/usr/bin/env',
      '-i',
      '/bin/sh',
      WRAPPER,
      spec,
    ]);
    expect(newSession.join(' ')).toContain('; pipe-pane -t =wt-x: -o ');
    expect(newSession.join(' ')).not.toContain(task); // the task travels in the spec file only
  });

  test('kill: kill-session with the exact target =wt-x', async () => {
    const wt = join(repo.base, 'repo-worktrees', 'x');
    mkdirSync(wt, { recursive: true });
    writeFileSync(join(wt, '.worker-status'), 'done\n');
    const { calls, runner } = recorder((args) =>
      // The session's own panes (-s): no pid, so no real process is looked for; then all sessions.
      args.includes('-s')
        ? { stdout: `0\t${wt}\n` }
        : args.includes('list-panes')
          ? { stdout: `wt-x\t1700000000\t0\t0\t0\t${wt}\nwt-xy\t1700000000\t0\t0\t0\t${wt}y\n` }
          : {},
    );
    const ws = await openWorkspace(ctx, undefined, runner);
    expect(await killWorker(ctx, ws, 'x', {})).toBe(0);
    expect(calls.filter((c) => !c.includes('list-panes'))).toEqual([
      ['-L', 'sock', 'kill-session', '-t', '=wt-x'],
    ]);
  });
});
