import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachPlan, serverSocketPath } from '../../src/commands/attach.js';
import { doctor } from '../../src/commands/doctor.js';
import { memoryOutput, type Context } from '../../src/context.js';
import { Tmux } from '../../src/tmux/tmux.js';
import { processRunner, type Runner } from '../../src/process/run.js';
import { CommandError } from '../../src/errors.js';
import { fixture, type Fixture } from './setup.js';
import { BIN } from '../run/harness.js';
import { waitFor } from '../helpers.js';

describe('wo doctor', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  test('reports git, tmux, the repository, info/exclude and the agent commands', async () => {
    const bin = join(f.repo.base, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\n');
    chmodSync(join(bin, 'claude'), 0o755);
    f.ctx.env.PATH = `${bin}:/usr/bin:/bin`;
    const r = await f.wo('doctor');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^ok {4}git version \d+\.\d+/));
    expect(lines).toContainEqual(expect.stringMatching(/^ok {4}tmux \d+\.\d+.* \(socket wo-test-/));
    expect(lines).toContainEqual(`ok    repository ${f.repo.root}`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^warn {2}.*info\/exclude does not list .* yet; wo adds them/),
    );
    expect(lines).toContainEqual(`ok    agent claude (default): ${join(bin, 'claude')}`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^warn {2}agent codex: 'codex' is not on PATH; install the Codex CLI/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ok {4}agent shell: \/(usr\/)?bin\/sh$/));
    expect(r.out).toContain('ready, with');

    // After a spawn the excludes are in place.
    await f.wo('spawn', 'x', 'true', '--agent', 'shell', '--create');
    expect((await f.wo('doctor')).out).toMatch(/^ok {4}.*info\/exclude keeps the worker files out of git$/m);
  });

  test('outside a repository: a warning, still exit 0', async () => {
    f.ctx.cwd = f.repo.home;
    const r = await f.wo('doctor');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^warn {2}.* is not inside a git repository/m);
  });

  test('git or tmux too old or missing is a failure, exit 3', async () => {
    const fake: Runner = {
      async run(file, args, o) {
        if (file === 'git' && args[0] === '--version')
          return { stdout: 'git version 2.20.1\n', stderr: '', exitCode: 0 };
        if (file === 'tmux')
          throw new CommandError({ command: 'tmux -V', notFound: true, problem: 'tmux: command not found' });
        return processRunner.run(file, args, o);
      },
    };
    const io = memoryOutput();
    const ctx: Context = { ...f.ctx, io };
    expect(await doctor(ctx, fake)).toBe(3);
    expect(io.stdout).toMatch(/^fail {2}git version 2\.20\.1 is too old: wo needs git 2\.31 or newer/m);
    expect(io.stdout).toMatch(/^fail {2}tmux is not installed or not on PATH/m);
    expect(io.stdout).toContain('wo cannot run here');
  });
});

describe('wo attach', () => {
  test('a missing session is exit 2 with a hint', async () => {
    const f = fixture();
    try {
      const r = await f.wo('attach', 'nope');
      expect(r.code).toBe(2);
      expect(r.err).toContain('no tmux session wt-nope');
      expect(r.err).toContain('wo spawn nope');
    } finally {
      f.cleanup();
    }
  });

  test('attaches outside tmux, switches client inside tmux on the same server, else attaches without TMUX', () => {
    const tmux = new Tmux(processRunner, 'sock');
    const env = { TMUX_TMPDIR: '/tmp/x', PATH: '/bin' };
    expect(attachPlan(tmux, 'wt-a', env)).toEqual({
      argv: ['tmux', '-L', 'sock', 'attach-session', '-t', '=wt-a'],
      env,
    });
    const same = { ...env, TMUX: `${serverSocketPath(env, 'sock')},123,0`, TMUX_PANE: '%1' };
    expect(attachPlan(tmux, 'wt-a', same).argv).toEqual([
      'tmux',
      '-L',
      'sock',
      'switch-client',
      '-t',
      '=wt-a',
    ]);
    const other = { ...env, TMUX: '/tmp/x/tmux-0/default,123,0', TMUX_PANE: '%1' };
    const plan = attachPlan(tmux, 'wt-a', other);
    expect(plan.argv).toEqual(['tmux', '-L', 'sock', 'attach-session', '-t', '=wt-a']);
    expect(plan.env.TMUX).toBeUndefined();
    expect(plan.env.TMUX_PANE).toBeUndefined();
    expect(serverSocketPath({ TMUX_TMPDIR: '/tmp/x' }, undefined)).toMatch(/^\/tmp\/x\/tmux-\d+\/default$/);
  });

  test('on a real terminal, attaches to the session until the client is detached', async () => {
    const f = fixture();
    let child: ReturnType<typeof spawn> | undefined;
    try {
      expect((await f.wo('spawn', 'x', 'sleep 30', '--create', '--agent', 'shell')).code).toBe(0);
      // script(1) gives wo a pseudo-terminal; the shell it starts only expands variables in quotes.
      child = spawn('script', ['-qfec', 'exec "$WO_TEST_NODE" "$WO_TEST_BIN" attach x', '/dev/null'], {
        cwd: f.repo.root,
        env: { ...f.ctx.env, TERM: 'xterm', WO_TEST_NODE: process.execPath, WO_TEST_BIN: BIN },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));
      const clients = () =>
        execFileSync('tmux', ['-L', f.t.socket, 'list-clients', '-F', '#{client_session}'], {
          encoding: 'utf8',
        });
      await waitFor(() => clients().split('\n').includes('wt-x'), 'a client on wt-x');
      execFileSync('tmux', ['-L', f.t.socket, 'detach-client', '-s', 'wt-x']);
      expect(await exited).toBe(0);
      expect(clients().trim()).toBe('');
      expect(f.status('x')).toBe('running'); // detaching leaves the worker alone
    } finally {
      if (child?.exitCode === null) child.kill(); // our script(1), by its pid
      f.cleanup();
    }
  });
});
