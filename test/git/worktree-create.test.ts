// Worktree creation with real git (issue 13): registered one at a time, checked out a few at a time,
// sparse (cone mode), and an unfinished checkout finished by the next run.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Git } from '../../src/git/git.js';
import { processRunner } from '../../src/process/run.js';
import { defaultLayout, locate } from '../../src/worktree/layout.js';
import { readMeta, updateMeta } from '../../src/protocol/metadata.js';
import { checkoutMark, createWorktree } from '../../src/worktree/worktree.js';
import { makeRepo, type TempRepo } from '../helpers.js';

describe('createWorktree with real git', () => {
  let repo: TempRepo;
  let git: Git;
  beforeEach(() => {
    repo = makeRepo();
    for (const [file, text] of [
      ['pkg/a/src/a.ts', 'a\n'],
      ['pkg/a/test/a.test.ts', 'at\n'],
      ['pkg/b/b.ts', 'b\n'],
      ['docs/guide.md', 'g\n'],
      ['-x/inside.txt', 'x\n'],
      ['package.json', '{}\n'],
    ] as const) {
      mkdirSync(join(repo.root, file, '..'), { recursive: true });
      writeFileSync(join(repo.root, file), text);
    }
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'tree');
    git = new Git(processRunner);
  });
  afterEach(() => repo.cleanup());

  const loc = (feature: string) => locate(defaultLayout(repo.root), feature);
  const inWt = (feature: string, ...args: string[]) => repo.git('-C', loc(feature).worktree, ...args).trim();
  /** Every file of a worktree, relative to it, without .git and wo's own files. */
  const files = (feature: string) =>
    readdirSync(loc(feature).worktree, {
      recursive: true,
      withFileTypes: true,
    })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name).slice(loc(feature).worktree.length + 1))
      .filter((p) => !p.startsWith('.git') && p !== '.worktree.json')
      .sort();

  test('a sparse worktree holds only its folders and the top-level files, on the right branch and commit', async () => {
    expect(await createWorktree(git, repo.root, loc('s'), undefined, ['pkg/a'])).toBe(true);
    expect(files('s')).toEqual(['README.md', 'package.json', 'pkg/a/src/a.ts', 'pkg/a/test/a.test.ts']);
    expect(inWt('s', 'symbolic-ref', '--short', 'HEAD')).toBe('wo/s');
    expect(inWt('s', 'rev-parse', 'HEAD')).toBe(repo.git('rev-parse', 'main').trim());
    expect(inWt('s', 'status', '--porcelain')).toBe(''); // what is left out is not "deleted"
    expect((await readMeta(loc('s').worktree)).checkout_ok).toBe(true);

    // An agent's commit there holds its change only; the branch keeps the rest of the tree.
    writeFileSync(join(loc('s').worktree, 'pkg/a/src/new.ts'), 'new\n');
    inWt('s', 'add', '-A');
    inWt('s', 'commit', '-q', '-m', 'agent work');
    expect(inWt('s', 'show', '--name-only', '--format=', 'HEAD')).toBe('pkg/a/src/new.ts');
    expect(repo.git('ls-tree', '-r', '--name-only', 'wo/s').split('\n')).toEqual(
      expect.arrayContaining(['pkg/b/b.ts', 'docs/guide.md', 'pkg/a/src/new.ts']),
    );
    // The main checkout is not made sparse.
    expect(existsSync(join(repo.root, 'pkg/b/b.ts'))).toBe(true);
    expect(
      repo
        .git('ls-files', '-t')
        .split('\n')
        .filter((l) => l.startsWith('S ')),
    ).toEqual([]);
  });

  test('a sparse folder starting with "-" is a folder, never an option', async () => {
    await createWorktree(git, repo.root, loc('dash'), undefined, ['-x', '--no-cone']);
    expect(files('dash')).toEqual(['-x/inside.txt', 'README.md', 'package.json']);
    expect(inWt('dash', 'sparse-checkout', 'list').split('\n')).toEqual(['--no-cone', '-x']);
    expect(inWt('dash', 'config', '--get', 'core.sparseCheckoutCone')).toBe('true');
  });

  test('an existing worktree is adopted as it is: no sparse checkout imposed on it', async () => {
    await createWorktree(git, repo.root, loc('full'));
    expect(await createWorktree(git, repo.root, loc('full'), undefined, ['pkg/a'])).toBe(false);
    expect(files('full')).toContain('pkg/b/b.ts');
  });

  test('eight worktrees at once, from two creators side by side (as two processes), without lock failures', async () => {
    const other = new Git(processRunner);
    const features = Array.from({ length: 8 }, (_, i) => `w${i}`);
    const created = await Promise.all(
      features.map((f, i) =>
        createWorktree(i % 2 ? other : git, repo.root, loc(f), undefined, i % 4 === 3 ? ['docs'] : []),
      ),
    );
    expect(created).toEqual(features.map(() => true));
    const listed = repo.git('worktree', 'list', '--porcelain');
    for (const [i, f] of features.entries()) {
      expect(listed).toContain(`worktree ${loc(f).worktree}\n`);
      expect(inWt(f, 'symbolic-ref', '--short', 'HEAD')).toBe(`wo/${f}`);
      expect(inWt(f, 'status', '--porcelain')).toBe('');
      expect(files(f)).toContain(i % 4 === 3 ? 'docs/guide.md' : 'pkg/b/b.ts');
    }
  });

  test('a checkout cut short is finished by the next creation; nothing is adopted half empty', async () => {
    // What a killed run leaves: the worktree registered, wo's mark written, the checkout not done.
    await git.registerWorktree(repo.root, loc('cut').worktree, 'wo/cut', undefined, ['pkg/b']);
    await updateMeta(loc('cut').worktree, { feature: 'cut', created_by: 'wo', checkout_ok: false });
    mkdirSync(loc('cut').stateDir, { recursive: true });
    writeFileSync(checkoutMark(loc('cut')), '');
    expect(files('cut')).toEqual([]);
    expect(await createWorktree(git, repo.root, loc('cut'), undefined, ['pkg/b'])).toBe(true);
    expect(files('cut')).toEqual(['README.md', 'package.json', 'pkg/b/b.ts']);
    expect(inWt('cut', 'status', '--porcelain')).toBe('');

    // Killed even before wo wrote its mark: the folder holds only .git, and git has no index for it.
    repo.git('worktree', 'add', '-q', '--no-checkout', '-b', 'wo/bare', loc('bare').worktree);
    expect(await createWorktree(git, repo.root, loc('bare'))).toBe(true);
    expect(files('bare')).toContain('pkg/b/b.ts');
    expect(inWt('bare', 'status', '--porcelain')).toBe('');
  });

  test('a small tree is checked out by the one git call that registers it; a larger one in two steps', async () => {
    const calls: string[][] = [];
    const recording = new Git({
      run: (file, args, o) => {
        calls.push([...args]);
        return processRunner.run(file, args, o);
      },
    });
    const gitCalls = () =>
      calls.filter((a) => a[0] === 'worktree' || a[0] === 'reset').map((a) => a.slice(0, 3));
    await createWorktree(recording, repo.root, loc('small'));
    expect(gitCalls()).toEqual([['worktree', 'add', '-b']]);
    expect(files('small')).toContain('pkg/a/src/a.ts');
    expect(await readMeta(loc('small').worktree)).toMatchObject({ created_by: 'wo' });
    expect((await readMeta(loc('small').worktree)).checkout_ok).toBeUndefined();

    // 900 more files: an index over SMALL_INDEX_BYTES (64 KiB).
    mkdirSync(join(repo.root, 'many'));
    for (let i = 0; i < 900; i++) writeFileSync(join(repo.root, 'many', `file-${i}.txt`), `${i}\n`);
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'many');
    calls.length = 0;
    await createWorktree(recording, repo.root, loc('large'));
    expect(gitCalls()).toEqual([
      ['worktree', 'add', '--no-checkout'],
      ['reset', '--hard', '--quiet'],
    ]);
    expect(files('large')).toHaveLength(files('small').length + 900);
    expect(await readMeta(loc('large').worktree)).toMatchObject({ created_by: 'wo', checkout_ok: true });
  });

  test("someone's own worktree without a checkout, holding a file, is left as it is", async () => {
    repo.git('worktree', 'add', '-q', '--no-checkout', '-b', 'wo/mine', loc('mine').worktree);
    writeFileSync(join(loc('mine').worktree, 'notes.txt'), 'mine\n');
    expect(await createWorktree(git, repo.root, loc('mine'))).toBe(false);
    expect(files('mine')).toEqual(['notes.txt']);
  });

  test('the failures keep their messages', async () => {
    await createWorktree(git, repo.root, loc('one'));
    // The same branch, checked out in one worktree, for another worktree.
    await expect(git.registerWorktree(repo.root, join(repo.base, 'elsewhere'), 'wo/one')).rejects.toThrow(
      /branch wo\/one is already checked out in .*one\. Use that worktree/,
    );
    await expect(createWorktree(git, repo.root, loc('nobase'), 'no-such-ref')).rejects.toThrow(
      'base "no-such-ref" is not a branch, tag or commit',
    );
    await expect(createWorktree(git, repo.root, loc('opt'), '--orphan')).rejects.toThrow(
      'base "--orphan" starts with "-", which git would read as an option',
    );
    expect(existsSync(loc('nobase').worktree)).toBe(false);
    expect(existsSync(loc('opt').worktree)).toBe(false);
  });
});
