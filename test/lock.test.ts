// The run lock with real files: one runner at a time, a dead runner's lock taken over.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, uptime } from 'node:os';
import { join } from 'node:path';
import { acquireRunLock } from '../src/lock.js';
import { SafetyError } from '../src/errors.js';

/** Above Linux's largest pid_max (2^22): no process has it. */
const DEAD_PID = 2 ** 22 + 1;

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wo-lock-'));
  path = join(dir, '.wo', 'run.lock');
  mkdirSync(join(dir, '.wo'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const holder = () => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const lockDirFiles = () => readdirSync(join(dir, '.wo'));
const writeLock = (pid: number, runId: string) =>
  writeFileSync(path, JSON.stringify({ pid, run_id: runId, started_at: '2026-11-28T07:00:00.000Z' }));

describe('acquireRunLock', () => {
  test('takes a free lock: the file names this runner, and nothing else is left in the folder', async () => {
    const lock = await acquireRunLock(path, 'run-1');
    expect(holder()).toMatchObject({ pid: process.pid, run_id: 'run-1' });
    expect(lock.orphanRunId).toBeUndefined();
    expect(lockDirFiles()).toEqual(['run.lock']);
    await lock.release();
    expect(lockDirFiles()).toEqual([]);
    // Free again after release.
    await (await acquireRunLock(path, 'run-2')).release();
  });

  test('refuses while a live runner holds it, naming that runner, and changes nothing', async () => {
    writeLock(process.ppid, 'run-live'); // our parent process: alive, and not us
    const before = readFileSync(path, 'utf8');
    const e = await acquireRunLock(path, 'run-2').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SafetyError);
    expect((e as Error).message).toContain(`pid ${process.ppid}, run run-live`);
    expect((e as Error).message).toContain(`kill ${process.ppid}`);
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(lockDirFiles()).toEqual(['run.lock']);
  });

  test("takes over a dead runner's lock and names the orphaned run", async () => {
    writeLock(DEAD_PID, 'run-dead');
    const lock = await acquireRunLock(path, 'run-2');
    expect(lock.orphanRunId).toBe('run-dead');
    expect(holder()).toMatchObject({ pid: process.pid, run_id: 'run-2' });
    expect(lockDirFiles()).toEqual(['run.lock']);
    await lock.release();
  });

  test('a takeover lock left by a runner killed in the middle of a takeover does not block', async () => {
    writeLock(DEAD_PID, 'run-dead');
    writeFileSync(`${path}.takeover`, JSON.stringify({ pid: DEAD_PID, run_id: 'killed-taker' }));
    const lock = await acquireRunLock(path, 'run-2');
    expect(lock.orphanRunId).toBe('run-dead');
    expect(lockDirFiles()).toEqual(['run.lock']);
    await lock.release();
  });

  test('a lock file wo did not write (empty, or not JSON) is taken over, with no orphaned run', async () => {
    for (const text of ['', 'garbage', '{"run_id":"no pid"}']) {
      writeFileSync(path, text);
      const lock = await acquireRunLock(path, 'run-2');
      expect(lock.orphanRunId).toBeUndefined();
      expect(holder()).toMatchObject({ run_id: 'run-2' });
      await lock.release();
    }
  });

  test('release leaves alone a lock that another runner holds by then', async () => {
    const lock = await acquireRunLock(path, 'run-1');
    writeLock(process.ppid, 'run-other'); // as if another runner had taken it over
    await lock.release();
    expect(holder()).toMatchObject({ run_id: 'run-other' });
  });
});

describe('acquireRunLock: a holder that is gone whatever its pid says (SPEC §9)', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });
  const stat = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8');
  const startOf = (pid: number) => {
    const s = stat(pid);
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  };
  const waitUntil = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  test('a zombie holder (exited, never reaped) does not hold the lock', async () => {
    // sh starts a child that stops itself, then becomes `sleep`, which never reaps a child. Once the
    // parent is `sleep`, the child is let go on and exits: a zombie. (A child that exits at once may
    // be reaped by sh before its exec.)
    const parent = spawn('sh', ['-c', "sh -c 'kill -STOP $$; exit 0' & echo $!; exec sleep 30"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(parent);
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitUntil(() => /\d+\n/.test(out), 'the child pid');
    const zombie = Number(out.trim());
    const comm = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    await waitUntil(() => comm(parent.pid!) === 'sleep', 'the parent to become sleep');
    await waitUntil(() => / T /.test(stat(zombie)), 'the child to stop');
    process.kill(zombie, 'SIGCONT');
    await waitUntil(() => / Z /.test(stat(zombie)), 'the child to be a zombie');
    writeLock(zombie, 'run-zombie');
    const lock = await acquireRunLock(path, 'run-2');
    expect(lock.orphanRunId).toBe('run-zombie');
    await lock.release();
  });

  test('a pid that a later process got does not hold the lock; the process that wrote it does', async () => {
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(other);
    await waitUntil(() => startOf(other.pid!) !== undefined, 'the process to start');
    const write = (procStart: string) =>
      writeFileSync(
        path,
        JSON.stringify({ pid: other.pid, run_id: 'run-then', started_at: '', proc_start: procStart }),
      );
    write(startOf(other.pid!)!);
    expect(await acquireRunLock(path, 'run-2').catch((e: unknown) => e)).toBeInstanceOf(SafetyError);
    write('1'); // the runner that wrote it started at another time: this is someone else
    const lock = await acquireRunLock(path, 'run-2');
    expect(lock.orphanRunId).toBe('run-then');
    await lock.release();
  });

  test('a lock written before this boot does not hold, even naming a live pid (init: "kill 1")', async () => {
    writeLock(1, 'run-before-reboot');
    const beforeBoot = new Date(Date.now() - uptime() * 1000 - 3_600_000);
    utimesSync(path, beforeBoot, beforeBoot);
    const lock = await acquireRunLock(path, 'run-2');
    expect(lock.orphanRunId).toBe('run-before-reboot');
    await lock.release();
  });

  test('the lock records the runner start time and boot', async () => {
    const lock = await acquireRunLock(path, 'run-1');
    expect(holder()).toMatchObject({ proc_start: startOf(process.pid), boot_id: expect.any(String) });
    await lock.release();
  });
});

describe('liveRunId: which run is live, for wo status', () => {
  test('the run holding the lock while its runner lives; none once released, or when its runner is gone', async () => {
    const { liveRunId } = await import('../src/lock.js');
    expect(await liveRunId(path)).toBeUndefined();
    const lock = await acquireRunLock(path, 'r-live');
    expect(await liveRunId(path)).toBe('r-live');
    await lock.release();
    expect(await liveRunId(path)).toBeUndefined();
    writeFileSync(path, JSON.stringify({ pid: DEAD_PID, run_id: 'r-dead', started_at: 'x' }));
    expect(await liveRunId(path)).toBeUndefined();
  });
});
