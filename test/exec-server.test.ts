// The fork server that starts git and tmux for `wo run`: same answers as spawning them directly.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForkServer } from '../src/exec-server.js';
import { CommandError } from '../src/errors.js';
import { spawnRunner, type Runner } from '../src/exec.js';

/** Counts the calls that reach the fallback runner. */
function counting(): Runner & { calls: number } {
  const r = {
    calls: 0,
    run: (...a: Parameters<Runner['run']>) => {
      r.calls++;
      return spawnRunner.run(...a);
    },
  };
  return r;
}

describe('ForkServer', () => {
  let dir: string;
  let fallback: ReturnType<typeof counting>;
  let server: ForkServer;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wo-exec-test-'));
    fallback = counting();
    server = new ForkServer(fallback);
  });
  afterEach(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('runs the program in the folder asked for, with stdout, stderr and the exit code apart', async () => {
    const r = await server.run('sh', ['-c', 'pwd; echo warn >&2; exit 3'], { cwd: dir, reject: false });
    expect(r).toEqual({ stdout: `${dir}\n`, stderr: 'warn\n', exitCode: 3 });
    expect(fallback.calls).toBe(0);
  });

  test('arguments arrive byte for byte, never read by a shell', async () => {
    const args = ["it's", '"$(touch pwned)"', '`id`', '-n', 'ünïcode ✓', '', '  spaces  ', '; rm -rf x'];
    const r = await server.run('printf', ['%s\\0', ...args], { cwd: dir });
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(args);
    expect(execFileSync('ls', ['-A', dir], { encoding: 'utf8' })).toBe(''); // nothing was run
    expect(fallback.calls).toBe(0);
  });

  test('a folder named with shell syntax is entered as it is', async () => {
    const odd = join(dir, "-n it's $(x) `y` ; z");
    mkdirSync(odd);
    expect((await server.run('pwd', [], { cwd: odd })).stdout).toBe(`${odd}\n`);
    const gone = await server.run('pwd', [], { cwd: join(dir, 'missing'), reject: false });
    expect(gone.exitCode).not.toBe(0);
    expect(fallback.calls).toBe(0);
  });

  test('a failure rejects with the command and its stderr, unless reject is false', async () => {
    const e = await server.run('sh', ['-c', 'echo nope >&2; exit 2']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommandError);
    expect((e as CommandError).message).toContain('nope');
    expect((e as CommandError).commandExitCode).toBe(2);
    const missing = await server.run('wo-no-such-program', []).catch((x: unknown) => x);
    expect((missing as Error).message).toContain('wo-no-such-program: command not found');
  });

  test('many calls at once each get their own answer', async () => {
    const rs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => server.run('sh', ['-c', `sleep 0.0$((${i} % 5)); echo ${i}`])),
    );
    expect(rs.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
  });

  test('what the shell cannot take goes to the fallback: a line break, input, another environment', async () => {
    expect((await server.run('printf', ['%s', 'two\nlines'])).stdout).toBe('two\nlines');
    expect((await server.run('cat', [], { input: 'in' })).stdout).toBe('in');
    expect((await server.run('sh', ['-c', 'echo $X'], { env: { X: 'x' } })).stdout).toBe('x\n');
    expect(fallback.calls).toBe(3);
  });

  test('after close, calls still work (through the fallback)', async () => {
    await server.run('true', []);
    server.close();
    expect((await server.run('echo', ['late'])).stdout).toBe('late\n');
    expect(fallback.calls).toBe(1);
  });

  test('an idle server does not keep the process alive, and a call in flight does', () => {
    const script = join(dir, 'probe.mjs');
    const src = new URL('../dist/exec-server.js', import.meta.url).href;
    const exec = new URL('../dist/exec.js', import.meta.url).href;
    writeFileSync(
      script,
      `import { ForkServer } from ${JSON.stringify(src)};\n` +
        `import { spawnRunner } from ${JSON.stringify(exec)};\n` +
        `const s = new ForkServer(spawnRunner);\n` +
        `s.run('sh', ['-c', 'sleep 0.3; echo answered']).then((r) => process.stdout.write(r.stdout));\n`,
    );
    // Exits by itself (no close): after the answer, not before it.
    const out = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 10000 });
    expect(out).toBe('answered\n');
  });
});
