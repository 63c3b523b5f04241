import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandFailed, formatCommand, processRunner } from '../../src/process/run.js';
import { CommandError } from '../../src/errors.js';

/** The runner's failure, which must be a CommandError. */
async function failure(p: Promise<unknown>): Promise<CommandError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CommandError);
  return e as CommandError;
}

const ARGS = ['plain', 'two words', "it's", '$HOME', '"q"', 'a\nb', '*', '', '-n', 'é ✓'];

describe('processRunner', () => {
  test('passes each argument as it is, never through a shell', async () => {
    const r = await processRunner.run('sh', ['-c', 'printf "%s\\0" "$@"', 'sh', ...ARGS]);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(ARGS);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.signal).toBeUndefined();
    expect(r.timedOut).toBeUndefined();
  });

  test('runs in cwd, and feeds input on stdin', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'wo-run-')));
    try {
      expect((await processRunner.run('pwd', [], { cwd: dir })).stdout).toBe(`${dir}\n`);
      expect((await processRunner.run('cat', [], { input: 'line 1\nline 2' })).stdout).toBe('line 1\nline 2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without input, stdin is closed: a reader sees end of file at once', async () => {
    expect((await processRunner.run('cat', [])).stdout).toBe('');
  });

  test('a program that ignores its input is no error', async () => {
    const r = await processRunner.run('true', [], { input: 'x'.repeat(1 << 20) });
    expect(r.exitCode).toBe(0);
  });

  test('env extends the environment by default, and replaces it with extendEnv: false', async () => {
    const print = ['-c', 'printf "%s|%s" "$WO_T_ONE" "${HOME:+home}"'];
    const env = { WO_T_ONE: 'one' };
    expect((await processRunner.run('sh', print, { env })).stdout).toBe('one|home');
    expect((await processRunner.run('/bin/sh', print, { env, extendEnv: false })).stdout).toBe('one|');
  });

  test('a non-zero exit throws a CommandError with the quoted command, exit code and stderr', async () => {
    const e = await failure(processRunner.run('sh', ['-c', 'echo oops >&2; exit 3', 'my arg']));
    expect(e.command).toBe(`sh -c 'echo oops >&2; exit 3' 'my arg'`);
    expect(e.commandExitCode).toBe(3);
    expect(e.signal).toBeUndefined();
    expect(e.stderr).toBe('oops\n');
    expect(e.message).toBe(`sh -c 'echo oops >&2; exit 3' 'my arg' failed (exit 3): oops`);
  });

  test('reject: false resolves with the exit code and the output instead', async () => {
    const r = await processRunner.run('sh', ['-c', 'echo out; echo err >&2; exit 4'], { reject: false });
    expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 4 });
  });

  test('a program ended by a signal reports the signal (and 128 + its number, as sh would)', async () => {
    const r = await processRunner.run('sh', ['-c', 'kill -KILL $$'], { reject: false });
    expect(r).toMatchObject({ signal: 'SIGKILL', exitCode: 137 });
    expect(r.timedOut).toBeUndefined();
    const e = await failure(processRunner.run('sh', ['-c', 'kill -TERM $$']));
    expect(e.signal).toBe('SIGTERM');
    expect(e.commandExitCode).toBeUndefined();
    expect(e.message).toBe(`sh -c 'kill -TERM $$' was ended by SIGTERM`);
  });

  test('timeoutMs ends the program with SIGTERM and says it timed out', async () => {
    const r = await processRunner.run('sleep', ['30'], { timeoutMs: 50, reject: false });
    expect(r).toMatchObject({ timedOut: true, signal: 'SIGTERM', exitCode: 143 });
    const e = await failure(processRunner.run('sleep', ['30'], { timeoutMs: 50 }));
    expect(e.timedOut).toBe(true);
    expect(e.message).toBe('sleep 30 timed out (ended with SIGTERM)');
  });

  describe('a deadline or a cancel ends the whole process group', () => {
    let dir: string;
    const started: number[] = [];
    beforeEach(() => {
      dir = realpathSync(mkdtempSync(join(tmpdir(), 'wo-run-')));
    });
    afterEach(() => {
      for (const pid of started.splice(0)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // ended, as it should
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });

    /** Whether a process is there and not a zombie (nothing may reap a killed orphan here). */
    const alive = (pid: number): boolean => {
      try {
        return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    const poll = async (ok: () => boolean, what: string) => {
      const deadline = Date.now() + 5000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    /** The pids a script wrote to `name` in the temporary folder, once it has. */
    const pidsIn = async (name: string): Promise<number[]> => {
      const file = join(dir, name);
      const read = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
      await poll(() => read().endsWith('\n'), name);
      const pids = read().trim().split(/\s+/).map(Number);
      started.push(...pids);
      expect(pids.every((p) => p > 1)).toBe(true);
      return pids;
    };
    /** The program and its child (holding stdout open) both ignore TERM; their pids go to `pids`. */
    const script = () =>
      `sh -c 'trap "" TERM; exec sleep 60' & echo $$ $! > "${dir}/pids"; trap '' TERM; sleep 60`;

    test('on the timeout: the program and the grandchild holding its output, though both ignore TERM', async () => {
      const r = await processRunner.run('sh', ['-c', script()], { timeoutMs: 300, reject: false });
      expect(r).toMatchObject({ timedOut: true, signal: 'SIGKILL', exitCode: 137 });
      expect(r.aborted).toBeUndefined();
      const pids = await pidsIn('pids');
      await poll(() => !pids.some(alive), 'the group to end');
    });

    test('on the abort: the same, and the result says aborted', async () => {
      const ac = new AbortController();
      const run = processRunner.run('sh', ['-c', script()], { signal: ac.signal, reject: false });
      const pids = await pidsIn('pids');
      expect(pids.every(alive)).toBe(true);
      ac.abort('stop');
      const r = await run;
      expect(r).toMatchObject({ aborted: true, signal: 'SIGKILL' });
      expect(r.timedOut).toBeUndefined();
      await poll(() => !pids.some(alive), 'the group to end');
    });

    test('a cancel that came before the start starts nothing', async () => {
      const e = await failure(
        processRunner.run('sh', ['-c', `echo ran > "${dir}/ran"`], { signal: AbortSignal.abort() }),
      );
      expect(e.commandExitCode).toBe(130);
      expect(existsSync(join(dir, 'ran'))).toBe(false);
    });

    test('a process that left the group (setsid) and holds the output open does not hold up the result', async () => {
      const ac = new AbortController();
      const run = processRunner.run(
        'sh',
        ['-c', `setsid sh -c 'echo $$ > "${dir}/daemon"; exec sleep 60' & sleep 60`],
        { signal: ac.signal, reject: false },
      );
      const [daemon] = await pidsIn('daemon');
      ac.abort('stop');
      // Were the result to wait for the daemon's end of the pipe, this would outlast the test's time.
      expect(await run).toMatchObject({ aborted: true, signal: 'SIGTERM' });
      expect(alive(daemon!)).toBe(true); // out of the group: the caller sweeps it (process-tree.ts)
    });
  });

  test('a program that is not there: "command not found" from ENOENT, the spawn error kept as the cause', async () => {
    const e = await failure(processRunner.run('wo-no-such-program', ['x y']));
    expect(e.notFound).toBe(true);
    expect(e.command).toBe(`wo-no-such-program 'x y'`);
    expect(e.message).toBe(`wo-no-such-program 'x y' could not run: wo-no-such-program: command not found`);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    // Not found is about the program, whatever reject says: there is no exit code to return.
    await failure(processRunner.run('wo-no-such-program', [], { reject: false }));
  });

  test('a folder that is not there is a CommandError too, not "command not found"', async () => {
    const e = await failure(processRunner.run('true', [], { cwd: '/nonexistent/wo-test' }));
    expect(e.notFound).toBe(false);
    expect(e.message).toBe('true could not run: the folder /nonexistent/wo-test does not exist');
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  test('a program that exits 127 on its own is an ordinary failure, not a missing program', async () => {
    const e = await failure(processRunner.run('sh', ['-c', 'echo "x: not found" >&2; exit 127']));
    expect(e.notFound).toBe(false);
    expect(e.commandExitCode).toBe(127);
  });
});

describe('formatCommand', () => {
  test('sh reads the quoted command line back into the same arguments, byte for byte', async () => {
    const line = formatCommand('printf', ['%s\\0', ...ARGS]);
    const r = await processRunner.run('sh', ['-c', line]);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(ARGS);
  });

  test('commandFailed names the command as sh would read it', () => {
    const e = commandFailed('git', ['commit', '-m', 'a message'], {
      stdout: '',
      stderr: 'nothing to commit\n',
      exitCode: 1,
    });
    expect(e.message).toBe(`git commit -m 'a message' failed (exit 1): nothing to commit`);
  });
});
