// SPEC §9 "nothing hangs" and "every error is one clear message" for the files wo reads: plans and
// configs that are not regular files, a worker's protocol files replaced by a FIFO, malformed
// package.json, YAML alias bombs. Each runs the built wo under a deadline.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diskFiles } from '../../src/protocol/worker-files.js';
import { makeRepo, testEnv, type TempRepo } from '../helpers.js';
import { runWo } from './deadline.js';

const PLAN = 'version: 1\nworkers:\n  - feature: a\n    task: t\n    agent: shell\n';

describe('files wo reads', () => {
  let repo: TempRepo;
  let env: NodeJS.ProcessEnv;
  const wo = (...args: string[]) => runWo(args, { cwd: repo.root, env });
  beforeEach(() => {
    repo = makeRepo();
    env = testEnv(repo.home, { WO_TMUX_SOCKET: `wo-test-none-${process.pid}` });
  });
  afterEach(() => repo.cleanup());

  test('wo validate on a FIFO is refused at once (exit 2), not read', async () => {
    execFileSync('mkfifo', [join(repo.root, 'plan.yaml')]);
    const r = await wo('validate', 'plan.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toContain('plan.yaml: is a FIFO, not a regular file');
  });

  test('a configuration that is a FIFO or a folder is refused with its name (exit 2)', async () => {
    writeFileSync(join(repo.root, 'workers.yaml'), PLAN);
    execFileSync('mkfifo', [join(repo.root, '.worc')]);
    const fifo = await wo('validate');
    expect(fifo.code).toBe(2);
    expect(fifo.err).toContain('.worc: is a FIFO, not a regular file');
    execFileSync('rm', [join(repo.root, '.worc')]);
    mkdirSync(join(repo.root, '.worc.yaml'));
    const folder = await wo('validate');
    expect(folder.code).toBe(2);
    expect(folder.err).toContain('.worc.yaml: is a folder');
  });

  test('a configuration that cannot be read (a link to nothing) is refused, never silently skipped', async () => {
    writeFileSync(join(repo.root, 'workers.yaml'), PLAN);
    symlinkSync(join(repo.base, 'gone.yaml'), join(repo.root, '.worc.yaml'));
    const r = await wo('validate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('.worc.yaml: is a symbolic link to');
  });

  test('a malformed package.json is one message naming it, not a stack trace', async () => {
    writeFileSync(join(repo.root, 'workers.yaml'), PLAN);
    writeFileSync(join(repo.root, 'package.json'), '{ bad');
    for (const args of [['validate'], ['status']]) {
      const r = await wo(...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain('package.json:1:3: not valid JSON');
      expect(r.err).not.toContain('unexpected error');
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  test('a YAML alias bomb is refused with a message, in the plan and in a config', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
      'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
    ].join('\n');
    writeFileSync(join(repo.root, 'bomb.yaml'), `${bomb}\n${PLAN}`);
    const plan = await wo('validate', 'bomb.yaml');
    expect(plan.code).toBe(2);
    expect(plan.err).toContain('too many aliases');
    writeFileSync(join(repo.root, 'workers.yaml'), PLAN);
    writeFileSync(join(repo.root, '.worc.yaml'), `x-bomb:\n  ${bomb.replaceAll('\n', '\n  ')}\n`);
    const config = await wo('validate');
    expect(config.code).toBe(2);
    expect(config.err).toContain('too many aliases');
  });

  test('status files replaced by FIFOs in many worktrees: wo status ends at once (a blocked read would hold every libuv thread)', async () => {
    for (const name of ['f1', 'f2', 'f3', 'f4', 'f5', 'f6']) {
      const wt = join(repo.base, 'repo-worktrees', name);
      mkdirSync(wt, { recursive: true });
      writeFileSync(join(wt, '.worktree.json'), '{"worker":{"status":"running"}}\n');
      execFileSync('mkfifo', [join(wt, '.worker-status'), join(wt, '.worker-result.md')]);
    }
    const status = await wo('status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toHaveLength(6);
  });

  test('a log replaced by a FIFO: wo status and wo logs end at once', async () => {
    const wt = join(repo.base, 'repo-worktrees', 'w');
    mkdirSync(wt, { recursive: true });
    writeFileSync(join(wt, '.worker-status'), 'done\n');
    execFileSync('mkfifo', [join(wt, '.worker.log')]);
    const status = await wo('status');
    expect(status.code).toBe(0);
    expect(status.out).toContain('w');
    const logs = await wo('logs', 'w');
    expect(logs.code).toBe(2);
    expect(logs.err).toContain('is a FIFO, not a log file');
  });

  test("a worker's status, result and exit files replaced by FIFOs are read as missing, without waiting", async () => {
    const worktree = join(repo.base, 'wt');
    const stateDir = join(repo.base, 'state');
    mkdirSync(worktree);
    mkdirSync(stateDir);
    for (const f of [
      join(worktree, '.worker-status'),
      join(worktree, '.worker-result.md'),
      join(stateDir, 'exit'),
    ])
      execFileSync('mkfifo', [f]);
    // A blocked open would hold libuv's threads: four reads at once would stop every later one.
    const reads = Array.from({ length: 6 }, () => diskFiles.read({ worktree, stateDir }));
    const facts = await Promise.all(reads);
    expect(facts[0]).toMatchObject({ statusText: undefined, resultText: undefined, exit: undefined });
  });
});
