// An exit record counts only when it is the session's own (SPEC §9: a worker decides only its own
// outcome): checked against the pid of the process tmux started for the session, not the file.
import { spawn, spawnSync } from 'node:child_process';
import { exitIsOwn } from '../../src/session/finish.js';
import type { SessionInfo } from '../../src/tmux/tmux.js';

const tmuxWith = (...sessions: Array<Partial<SessionInfo> & { name: string }>) => ({
  listSessions: async (): Promise<SessionInfo[]> =>
    sessions.map((s) => ({ created: 0, paneDead: false, attached: false, ...s })),
});
const noTmux = {
  listSessions: (): Promise<SessionInfo[]> => {
    throw new Error('tmux is not asked when the pid is known');
  },
};

/** The pid of a process that has exited (and been reaped). */
const gonePid = (): number => Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());

describe('exitIsOwn', () => {
  test('a record beside a session whose wrapper still runs is not its end, whatever pid it names', async () => {
    // This test's own process stands for a wrapper that goes on running.
    const live = tmuxWith({ name: 'wt-b', panePid: process.pid });
    for (const wrapperPid of [process.pid, 1, undefined])
      expect(await exitIsOwn(live, 'wt-b', { code: 0, wrapperPid }, { waitMs: 50 })).toBe(false);
    const known = { panePid: process.pid, waitMs: 50 };
    expect(await exitIsOwn(noTmux, 'wt-b', { code: 0, wrapperPid: process.pid }, known)).toBe(false);
  });

  test("a record naming another pid than the session's program is never its end, even once that ended", async () => {
    const pid = gonePid();
    expect(await exitIsOwn(noTmux, 'wt-b', { code: 0, wrapperPid: pid + 1 }, { panePid: pid })).toBe(false);
    expect(await exitIsOwn(noTmux, 'wt-b', { code: 0 }, { panePid: pid })).toBe(false);
  });

  test('the wrapper named has exited, or the session is gone or dead: the record is its own', async () => {
    const pid = gonePid();
    expect(await exitIsOwn(noTmux, 'wt-b', { code: 3, wrapperPid: pid }, { panePid: pid })).toBe(true);
    expect(
      await exitIsOwn(tmuxWith({ name: 'wt-b', panePid: pid }), 'wt-b', { code: 3, wrapperPid: pid }),
    ).toBe(true);
    expect(await exitIsOwn(tmuxWith(), 'wt-b', { code: 3 })).toBe(true);
    expect(
      await exitIsOwn(tmuxWith({ name: 'wt-b', panePid: pid, paneDead: true }), 'wt-b', { code: 3 }),
    ).toBe(true);
  });

  test('a wrapper that exited but is not reaped yet (a zombie: tmux reaps when it gets to it) has ended', async () => {
    if (process.platform !== 'linux') return; // only /proc tells a zombie apart
    // `sleep 0`'s parent becomes `sleep 2`, which never reaps it: a zombie for two seconds.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 2'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    try {
      expect(
        await exitIsOwn(noTmux, 'wt-b', { code: 0, wrapperPid: pid }, { panePid: pid, waitMs: 1000 }),
      ).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  test('tmux does not answer: not known yet', async () => {
    const failing = { listSessions: () => Promise.reject(new Error('no server answer')) };
    expect(await exitIsOwn(failing, 'wt-b', { code: 0, wrapperPid: 5 })).toBe(false);
  });
});
