// SPEC §1 session ownership: two repositories with a `login` worker on one tmux server never adopt,
// kill or list each other's sessions; starting a worker whose session is another's is exit 2.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, type Fixture } from '../commands/setup.js';
import { waitFor } from '../helpers.js';
import { BIN } from '../run/harness.js';

describe('session ownership', () => {
  let a: Fixture;
  let b: Fixture;
  beforeEach(() => {
    a = fixture();
    b = fixture();
    b.ctx.env.WO_TMUX_SOCKET = a.t.socket; // one tmux server for both repositories
  });
  afterEach(() => {
    b.cleanup();
    a.cleanup();
  });

  /** `wo argv…` as a process of its own (the built CLI), in the fixture's repository and environment. */
  const woProcess = (f: Fixture, ...argv: string[]) =>
    new Promise<{ code: number; err: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...argv], {
        cwd: f.repo.root,
        env: f.ctx.env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? 1, err }));
    });
  const aliveIn = async (f: Fixture, name: string) =>
    (await f.t.tmux.allSessions()).some((s) => s.name === name && !s.paneDead);

  test("another repository's live session is refused by spawn and run, and left alone by kill, kill-all and list", async () => {
    expect((await a.wo('spawn', 'login', 'sleep 60', '--agent', 'shell', '--create')).code).toBe(0);
    await a.waitStatus('login', 'running');

    const spawned = await b.wo('spawn', 'login', 'true', '--agent', 'shell', '--create');
    expect(spawned.code).toBe(2);
    expect(spawned.err).toContain(a.wt('login'));
    expect(spawned.err).toContain('tmux.prefix');
    expect(existsSync(b.wt('login'))).toBe(false);

    writeFileSync(
      join(b.repo.root, 'workers.yaml'),
      'version: 1\nworkers:\n  - feature: login\n    task: "true"\n    agent: shell\n',
    );
    const ran = await b.wo('run');
    expect(ran.code).toBe(2);
    expect(ran.err).toContain(a.wt('login'));
    expect(existsSync(b.wt('login'))).toBe(false);

    expect((await b.wo('kill-all', '--force')).code).toBe(0);
    expect(await aliveIn(a, 'wt-login')).toBe(true);
    const killed = await b.wo('kill', 'login', '--force');
    expect(killed.code).not.toBe(0);
    expect(await aliveIn(a, 'wt-login')).toBe(true);
    expect(JSON.parse((await b.wo('list', '--json')).out)).toEqual([]);
    const attached = await b.wo('attach', 'login');
    expect(attached.code).toBe(2);
    expect(attached.err).toContain('no tmux session wt-login');
    expect(JSON.parse((await a.wo('list', '--json')).out)).toHaveLength(1);
    expect(a.status('login')).toBe('running');
  });

  test('started together, the loser never kills the winner: one login session stays, serving its own repository', async () => {
    const results = await Promise.all([
      a.wo('spawn', 'login', 'sleep 60', '--agent', 'shell', '--create'),
      b.wo('spawn', 'login', 'sleep 60', '--agent', 'shell', '--create'),
    ]);
    const codes = results.map((r) => r.code).sort();
    expect(codes[0]).toBe(0);
    expect(codes[1]).not.toBe(0);
    const winner = results[0].code === 0 ? a : b;
    const sessions = (await a.t.tmux.allSessions()).filter((s) => s.name === 'wt-login');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ paneDead: false, owner: winner.wt('login') });
  });

  test('two spawns of one worker in one repository: the loser is refused (exit 2, already running) and never kills the winner', async () => {
    // The worktree exists and its earlier session has ended, so both spawns get as far as tmux.
    expect((await a.wo('spawn', 'login', 'true', '--agent', 'shell', '--create')).code).toBe(0);
    await a.waitStatus('login', 'done');
    await waitFor(async () => !(await aliveIn(a, 'wt-login')), 'the first session to end');
    // Two wo processes, as two people or scripts would start them: the start lock proves its holder
    // by its pid, which two calls inside this one test process would share.
    const results = await Promise.all([
      woProcess(a, 'spawn', 'login', 'sleep 60', '--agent', 'shell'),
      woProcess(a, 'spawn', 'login', 'sleep 60', '--agent', 'shell'),
    ]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 2]);
    const loser = results.find((r) => r.code === 2)!;
    // Refused under the start lock while the winner starts, or by its live session once it has.
    expect(loser.err).toMatch(/being started by another wo|already running/);
    expect(await aliveIn(a, 'wt-login')).toBe(true);
    expect(a.status('login')).toBe('running');
  });

  test('a start of a worker that another wo is starting is refused before it touches any of its files', async () => {
    expect((await a.wo('spawn', 'login', 'echo first', '--agent', 'shell', '--create')).code).toBe(0);
    await a.waitStatus('login', 'done');
    await waitFor(async () => !(await aliveIn(a, 'wt-login')), 'the first session to end');
    // Another wo process holds the worker's start lock (a live process, as its lock names it).
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const stat = readFileSync(`/proc/${other.pid}/stat`, 'utf8');
      writeFileSync(
        join(a.repo.root, '.wo', 'workers', 'login.start.lock'),
        JSON.stringify({
          pid: other.pid,
          run_id: 'start login',
          started_at: new Date().toISOString(),
          proc_start: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19],
          boot_id: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
        }),
      );
      const before = readFileSync(join(a.wt('login'), '.worker-result.md'), 'utf8');
      const r = await a.wo('spawn', 'login', 'echo second', '--agent', 'shell');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`being started by another wo (pid ${other.pid})`);
      expect(a.status('login')).toBe('done');
      expect(readFileSync(join(a.wt('login'), '.worker-result.md'), 'utf8')).toBe(before);
      expect(await aliveIn(a, 'wt-login')).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
  });

  test('a session wo did not start is never killed by kill-all, even with --force', async () => {
    await a.t.tmux.newSession({ name: 'wt-stranger', cwd: a.repo.root, command: ['sleep', '30'] });
    const r = await a.wo('kill-all', '--force');
    expect(r.code).toBe(0);
    expect(await aliveIn(a, 'wt-stranger')).toBe(true);
  });
});
