// SPEC §9 on real tmux: no text of a path or name is read by tmux as a format, a session records
// the worktree it serves, and killing a session ends every process its worker started.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../src/errors.js';
import { Tmux } from '../../src/tmux/tmux.js';
import { makeTmux, waitFor, type TempTmux } from '../helpers.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by init) is gone for our purposes.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('tmux hardening', () => {
  let t: TempTmux;
  let dir: string;
  const started: number[] = [];
  beforeEach(() => {
    t = makeTmux();
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'wo-hard-')));
  });
  afterEach(() => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended, as it should
      }
    }
    t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a start folder holding #(…) and #{…} is taken literally, never run', async () => {
    const marker = join(tmpdir(), `wo-pwn-${randomBytes(4).toString('hex')}`);
    const cwd = join(dir, `x #(touch ${marker}) #{pane_id}`);
    mkdirSync(cwd, { recursive: true });
    await t.tmux.newSession({
      name: 'wt-a',
      cwd,
      command: ['sh', '-c', 'pwd > "$0"; sleep 30', join(dir, 'pwd.txt')],
    });
    await waitFor(() => existsSync(join(dir, 'pwd.txt')), 'the pane to write its folder');
    expect(readFileSync(join(dir, 'pwd.txt'), 'utf8').trim()).toBe(cwd);
    expect(existsSync(marker)).toBe(false);
    rmSync(marker, { force: true });
  });

  test('a session name tmux would expand or change is refused before tmux is asked', () => {
    for (const name of ['wt-#(touch x)', 'wt-#{pane_id}', 'wt-a.b', 'wt-a:b', 'wt a'])
      expect(() => Tmux.newSessionArgv({ name, cwd: '/tmp', command: ['true', 'x'] })).toThrow(UsageError);
  });

  test('a session records the worktree it serves (SPEC §1)', async () => {
    const owner = join(dir, 'tab\there #(x)');
    await t.tmux.newSession({ name: 'wt-own', cwd: dir, owner, command: ['sleep', '30'] });
    await t.tmux.newSession({ name: 'wt-cwd', cwd: dir, command: ['sleep', '30'] });
    const byName = Object.fromEntries((await t.tmux.listSessions()).map((s) => [s.name, s.owner]));
    expect(byName).toEqual({ 'wt-own': owner, 'wt-cwd': dir });
  });

  test('killing a session ends what its worker started: children that ignore HUP/INT/TERM and setsid daemons', async () => {
    const script = [
      `trap '' HUP INT TERM`,
      // A child in the pane's tree that ignores every polite signal.
      `sh -c 'trap "" HUP INT TERM; echo $$ > child.pid; exec sleep 300' &`,
      // A daemon: its own session, its parent gone at once, so it is in neither the tree nor the pane's session.
      `sh -c 'setsid sh -c "trap \\"\\" HUP INT TERM; echo \\$\\$ > daemon.pid; exec sleep 300" &'`,
      'exec sleep 300',
    ].join('\n');
    await t.tmux.newSession({
      name: 'wt-tree',
      cwd: dir,
      command: ['env', `WO_WORKTREE=${dir}`, 'sh', '-c', script],
    });
    const pidOf = (f: string) => Number(readFileSync(join(dir, f), 'utf8').trim());
    await waitFor(
      () => existsSync(join(dir, 'child.pid')) && existsSync(join(dir, 'daemon.pid')),
      'both to start',
    );
    await waitFor(() => pidOf('child.pid') > 0 && pidOf('daemon.pid') > 0, 'both pids');
    const pids = [pidOf('child.pid'), pidOf('daemon.pid')];
    started.push(...pids);
    expect(pids.map(alive)).toEqual([true, true]);
    expect(await t.tmux.killSession('wt-tree')).toBe(true);
    await waitFor(() => !pids.some(alive), 'the worker processes to end', 5000);
  });
});
