import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, type Fixture } from './setup.js';

describe('wo clean', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  const spawn = async (feature: string, task: string, status = 'done') => {
    expect(await f.wo('spawn', feature, task, '--agent', 'shell', '--create')).toMatchObject({
      code: 0,
      err: '',
    });
    if (status) await f.waitStatus(feature, status);
  };
  const branches = () =>
    f.repo.git('branch', '--list', '--format=%(refname:short)').split('\n').filter(Boolean);
  const stateDir = (feature: string) => join(f.repo.root, '.wo', 'workers', feature);

  test('removes a finished worker: worktree, session, state and merged branch; its result is saved', async () => {
    await spawn('fin', 'echo "all good" > .worker-result.md; echo done > .worker-status; sleep 30');
    expect(existsSync(stateDir('fin'))).toBe(true);
    const r = await f.wo('clean');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('cleaned fin');
    expect(existsSync(f.wt('fin'))).toBe(false);
    expect(existsSync(stateDir('fin'))).toBe(false);
    expect(await f.t.tmux.hasSession('wt-fin')).toBe(false);
    expect(branches()).toEqual(['main']);
    const saved = readFileSync(join(f.repo.root, '.wo', 'results', 'fin.md'), 'utf8');
    expect(saved).toContain('all good');
    // The result is still there for collect.
    const c = await f.wo('collect', 'fin');
    expect(c.code).toBe(0);
    expect(c.out).toContain('## fin — done\n\nall good\n');
    expect(f.repo.git('status', '--porcelain')).toBe(''); // .wo/ is kept out of git
  });

  test('refuses uncommitted changes, removing nothing; --force removes them and keeps the branch', async () => {
    await spawn('dirty', 'echo change > file.txt');
    await spawn('tidy', 'true');
    const r = await f.wo('clean');
    expect(r.code).toBe(2);
    expect(r.err).toContain('nothing was removed');
    expect(r.err).toContain('dirty: 1 uncommitted change');
    expect(r.err).toContain('file.txt');
    expect(r.err).toContain('--force');
    for (const w of ['dirty', 'tidy']) expect(existsSync(f.wt(w))).toBe(true);

    const forced = await f.wo('clean', '--force');
    expect(forced.code).toBe(0);
    for (const w of ['dirty', 'tidy']) expect(existsSync(f.wt(w))).toBe(false);
    expect(forced.out).toContain('lost 1 uncommitted change (file.txt)');
  });

  test('a finished worker whose commits sit on its own branch: cleaned without --force, the branch kept (SPEC §9)', async () => {
    await spawn('ahead', 'echo x > x.txt && git add x.txt && git commit -q -m "work"');
    const tip = f.repo.git('rev-parse', 'wo/ahead').trim();
    const r = await f.wo('clean');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(existsSync(f.wt('ahead'))).toBe(false);
    expect(r.out).toContain('branch wo/ahead kept (1 commit on no other branch;');
    expect(branches()).toEqual(['main', 'wo/ahead']);
    // Nothing lost: the branch holds the commit the worktree held.
    expect(f.repo.git('rev-parse', 'wo/ahead').trim()).toBe(tip);
    expect(f.repo.git('log', '-1', '--format=%s', 'wo/ahead').trim()).toBe('work');
  });

  test('a merged branch is no longer unmerged', async () => {
    await spawn('merged', 'echo x > x.txt && git add x.txt && git commit -q -m "work"');
    f.repo.git('merge', '-q', '--ff-only', 'wo/merged');
    const r = await f.wo('clean', 'merged');
    expect(r.code).toBe(0);
    expect(r.out).toContain('branch wo/merged deleted');
  });

  test('skips running workers; naming one is refused', async () => {
    await spawn('busy', 'sleep 30', 'running');
    await spawn('fin', 'true');
    const r = await f.wo('clean');
    expect(r.code).toBe(0);
    expect(r.out).toContain("skipped busy: still running; end it first with 'wo kill busy --force'");
    expect(existsSync(f.wt('busy'))).toBe(true);
    expect(existsSync(f.wt('fin'))).toBe(false);
    const one = await f.wo('clean', 'busy');
    expect(one.code).toBe(2);
    expect(existsSync(f.wt('busy'))).toBe(true);
  });

  test('never touches a worktree wo did not create, nor a folder that is not a worktree', async () => {
    const mine = f.wt('mine');
    f.repo.git('worktree', 'add', '-q', '-b', 'mine', mine);
    writeFileSync(join(mine, '.worker-status'), 'done\n');
    writeFileSync(join(mine, '.worker-result.md'), 'theirs\n');
    mkdirSync(f.wt('plain'), { recursive: true });
    writeFileSync(join(f.wt('plain'), '.worker-status'), 'failed\n');
    const r = await f.wo('clean', '--force');
    expect(r.code).toBe(0);
    expect(r.out).toContain('skipped mine');
    expect(r.out).toContain('was not created by wo');
    expect(r.out).toContain('skipped plain');
    expect(r.out).toContain('is not a git worktree');
    expect(readFileSync(join(mine, '.worker-result.md'), 'utf8')).toBe('theirs\n');
    expect(existsSync(f.wt('plain'))).toBe(true);
    const one = await f.wo('clean', 'mine', '--force');
    expect(one.code).toBe(2);
    expect(one.err).toContain('was not created by wo');
    expect(existsSync(mine)).toBe(true);
  });

  test('a second clean of the same name keeps the earlier saved result', async () => {
    await spawn('again', 'echo first > .worker-result.md');
    expect((await f.wo('clean', 'again')).code).toBe(0);
    await spawn('again', 'echo second > .worker-result.md');
    expect((await f.wo('clean', 'again')).code).toBe(0);
    const saved = join(f.repo.root, '.wo', 'results');
    const files = readdirSync(saved);
    expect(files).toHaveLength(2);
    expect(readFileSync(join(saved, 'again.md'), 'utf8')).toContain('second');
  });
});
