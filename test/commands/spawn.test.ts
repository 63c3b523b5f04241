import { existsSync, mkdirSync, writeFileSync, readFileSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture, type Fixture } from './setup.js';
import { waitFor } from '../helpers.js';

describe('wo spawn', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  test('refuses when the worktree is missing, and changes nothing', async () => {
    const r = await f.wo('spawn', 'login', 'echo hi', '--agent', 'shell');
    expect(r.code).toBe(2);
    expect(r.err).toContain('has no worktree');
    expect(r.err).toContain('--create');
    expect(existsSync(f.wt('login'))).toBe(false);
    expect(await f.t.tmux.listSessions()).toEqual([]);
  });

  test('--create makes the worktree and runs the worker to done', async () => {
    const r = await f.wo('spawn', 'login', 'echo "hi from $WO_FEATURE"', '--agent', 'shell', '--create');
    expect(r.code).toBe(0);
    expect(r.out).toContain('tmux session wt-login');
    expect(r.out).toContain('wo attach login');
    expect(r.out).toContain('wo status login');
    await f.waitStatus('login', 'done');
    expect(readFileSync(join(f.wt('login'), '.worker.log'), 'utf8')).toContain('hi from login');
    expect(f.meta('login')).toMatchObject({
      feature: 'login',
      created_by: 'wo',
      worker: { session: 'wt-login', agent: 'shell', run_id: null, task: 'echo "hi from $WO_FEATURE"' },
    });
    expect(f.repo.git('branch', '--list', 'wo/login')).toContain('wo/login');
  });

  test("a worker no plan describes gets the configured defaults' model (SPEC §11)", async () => {
    writeFileSync(
      join(f.repo.root, '.worc.yaml'),
      [
        'defaults:',
        '  model: sonnet',
        'agents:',
        '  llm:',
        '    command: [sh, -c, \'printf "%s" "$1" > model.txt\', sh, "{model}"]',
      ].join('\n'),
    );
    const r = await f.wo('spawn', 'picks', 'unused', '--agent', 'llm', '--create');
    expect(r.code).toBe(0);
    await f.waitStatus('picks', 'done');
    expect(readFileSync(join(f.wt('picks'), 'model.txt'), 'utf8')).toBe('sonnet');
  });

  test("the session sees the caller's environment, the configured env on top, WO_* set, TMUX and CLAUDECODE gone (SPEC §7)", async () => {
    writeFileSync(join(f.repo.root, '.worc.yaml'), 'defaults:\n  env:\n    LAYER: config\n');
    Object.assign(f.ctx.env, {
      LAYER: 'caller',
      CALLER_ONLY: 'kept',
      TMUX: '/tmp/tmux-0/default,1,0',
      TMUX_PANE: '%1',
      CLAUDECODE: '1',
    });
    const r = await f.wo('spawn', 'envs', 'env > session-env.txt', '--agent', 'shell', '--create');
    expect(r.code).toBe(0);
    await f.waitStatus('envs', 'done');
    const lines = readFileSync(join(f.wt('envs'), 'session-env.txt'), 'utf8').split('\n');
    const env = Object.fromEntries(
      lines.filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env).toMatchObject({
      CALLER_ONLY: 'kept',
      LAYER: 'config',
      WO_FEATURE: 'envs',
      WO_INDEX: '0',
      WO_RUN_ID: '',
      WO_WORKTREE: f.wt('envs'),
      WO_STATUS_FILE: join(f.wt('envs'), '.worker-status'),
    });
    for (const name of ['TMUX', 'TMUX_PANE', 'CLAUDECODE']) expect(env).not.toHaveProperty(name);
  });

  test('refuses while the worker is running, and changes nothing', async () => {
    expect((await f.wo('spawn', 'busy', 'sleep 30', '--agent', 'shell', '--create')).code).toBe(0);
    const r = await f.wo('spawn', 'busy', 'echo again', '--agent', 'shell');
    expect(r.code).toBe(2);
    expect(r.err).toContain('already running');
    expect(r.err).toContain('wo kill busy --force');
    expect(f.status('busy')).toBe('running');
    expect(await f.t.tmux.hasSession('wt-busy')).toBe(true);
  });

  test('replaces a finished session that was left open', async () => {
    const w = f.wt('left');
    expect((await f.wo('spawn', 'left', 'true', '--agent', 'shell', '--create')).code).toBe(0);
    await f.waitStatus('left', 'done');
    await waitFor(async () => !(await f.t.tmux.hasSession('wt-left')), 'the first session to end');
    // An interactive agent keeps its session after writing `done`: simulate one.
    await f.t.tmux.newSession({ name: 'wt-left', cwd: w, command: ['sleep', '30'] });
    const r = await f.wo('spawn', 'left', 'echo second > second.txt', '--agent', 'shell');
    expect(r.code).toBe(0);
    await f.waitStatus('left', 'done');
    expect(existsSync(join(w, 'second.txt'))).toBe(true);
  });

  test('uses an existing branch', async () => {
    f.repo.git('branch', 'wo/feat');
    f.repo.git('commit', '--allow-empty', '-q', '-m', 'on main only');
    const r = await f.wo(
      'spawn',
      'feat',
      'git log --format=%s -1 > head.txt',
      '--agent',
      'shell',
      '--create',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('existing branch wo/feat');
    await f.waitStatus('feat', 'done');
    expect(readFileSync(join(f.wt('feat'), 'head.txt'), 'utf8').trim()).toBe('initial');
  });

  test('refuses a worktree path taken by a folder that is not a worktree', async () => {
    mkdirSync(f.wt('taken'), { recursive: true });
    writeFileSync(join(f.wt('taken'), 'mine.txt'), 'keep me');
    const r = await f.wo('spawn', 'taken', 'echo hi', '--agent', 'shell', '--create');
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not a worktree');
    expect(readFileSync(join(f.wt('taken'), 'mine.txt'), 'utf8')).toBe('keep me');
    expect(existsSync(join(f.wt('taken'), '.worker-status'))).toBe(false);
  });

  test('an unknown agent lists the choices; a bad name or an empty task is a usage error', async () => {
    const a = await f.wo('spawn', 'x', 'task', '--agent', 'nope', '--create');
    expect(a.code).toBe(2);
    expect(a.err).toContain('unknown agent "nope"');
    expect(a.err).toContain('claude, claude-print, codex, aider, shell');
    const b = await f.wo('spawn', '-bad/name', 'task');
    expect(b.code).toBe(2);
    const c = await f.wo('spawn', 'bad.name', 'task');
    expect(c.code).toBe(2);
    expect(c.err).toContain('not a valid worker name');
    const d = await f.wo('spawn', 'x', '  ');
    expect(d.code).toBe(2);
    expect(d.err).toContain('task is empty');
    expect(existsSync(f.wt('x'))).toBe(false);
  });

  test('outside a repository is exit 3', async () => {
    f.ctx.cwd = f.repo.home;
    const r = await f.wo('spawn', 'x', 'task', '--create');
    expect(r.code).toBe(3);
    expect(r.err).toContain('not inside a git repository');
  });

  test('without tmux on PATH: exit 3, saying what to install', async () => {
    const bin = join(f.repo.base, 'bin');
    mkdirSync(bin);
    symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
    const path = process.env.PATH;
    process.env.PATH = bin; // the runner finds programs on wo's own PATH
    try {
      const r = await f.wo('spawn', 'x', 'task', '--create');
      expect(r.code).toBe(3);
      expect(r.err).toContain('tmux is not installed or not on PATH');
    } finally {
      process.env.PATH = path;
    }
    expect(existsSync(f.wt('x'))).toBe(false);
  });
});
