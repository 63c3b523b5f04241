// An exit record counts only when it is the session's own (SPEC §9: a worker decides only its own
// outcome): checked against the pid of the process tmux started for the session, not the file.
import { spawnSync } from 'node:child_process';
import { exitIsOwn } from '../../src/session/finish.js';
import type { SessionInfo } from '../../src/tmux/tmux.js';

const tmuxWith = (...sessions: Array<Partial<SessionInfo> & { name: string }>) => ({
  listSessions: async (): Promise<SessionInfo[]> =>
    sessions.map((s) => ({ created: 0, paneDead: false, attached: false, ...s })),
});

/** The pid of a process that has exited (and been reaped). */
const gonePid = (): number => Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());

describe('exitIsOwn', () => {
  test('a record beside a session whose wrapper still runs is not its end, whatever pid it names', async () => {
    // This test's own process stands for a wrapper that goes on running.
    const live = tmuxWith({ name: 'wt-b', panePid: process.pid });
    expect(await exitIsOwn(live, 'wt-b', { code: 0, wrapperPid: process.pid }, 50)).toBe(false);
    expect(await exitIsOwn(live, 'wt-b', { code: 0, wrapperPid: 1 }, 50)).toBe(false);
    expect(await exitIsOwn(live, 'wt-b', { code: 0 }, 50)).toBe(false);
  });

  test('the wrapper named has exited: the record is read again; the session gone or dead: it stands', async () => {
    const pid = Number(gonePid());
    expect(
      await exitIsOwn(tmuxWith({ name: 'wt-b', panePid: pid }), 'wt-b', { code: 3, wrapperPid: pid }),
    ).toBe('waited');
    expect(await exitIsOwn(tmuxWith(), 'wt-b', { code: 3 })).toBe('ended');
    expect(
      await exitIsOwn(tmuxWith({ name: 'wt-b', panePid: pid, paneDead: true }), 'wt-b', { code: 3 }),
    ).toBe('ended');
  });

  test('tmux does not answer: not known yet', async () => {
    const failing = { listSessions: () => Promise.reject(new Error('no server answer')) };
    expect(await exitIsOwn(failing, 'wt-b', { code: 0, wrapperPid: 5 })).toBe(false);
  });
});
