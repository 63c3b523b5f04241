// Finding the repository root from anywhere inside it, against real git.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Git } from '../../src/git/git.js';
import { EnvError } from '../../src/errors.js';
import { processRunner } from '../../src/process/run.js';
import { makeRepo, type TempRepo } from '../helpers.js';

describe('Git.repoRoot', () => {
  let repo: TempRepo;
  const git = new Git(processRunner);
  beforeEach(() => (repo = makeRepo()));
  afterEach(() => repo.cleanup());

  test('from the root, a subfolder, and a linked worktree, the root is the main checkout', async () => {
    mkdirSync(join(repo.root, 'a', 'b'), { recursive: true });
    const linked = join(repo.base, 'linked');
    repo.git('worktree', 'add', '-q', '-b', 'side', linked);
    expect(await git.repoRoot(repo.root)).toBe(repo.root);
    expect(await git.repoRoot(join(repo.root, 'a', 'b'))).toBe(repo.root);
    expect(await git.repoRoot(linked)).toBe(repo.root);
  });

  test('inside a submodule, the root is the submodule’s checkout', async () => {
    const lib = makeRepo('lib');
    try {
      repo.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib.root, 'vendor/lib');
      const sub = join(repo.root, 'vendor', 'lib');
      expect(await git.repoRoot(sub)).toBe(sub);
      expect(await git.repoRoot(repo.root)).toBe(repo.root);
    } finally {
      lib.cleanup();
    }
  });

  test('a bare repository is refused with what wo needs', async () => {
    const bare = join(repo.base, 'shop.git');
    repo.git('clone', '-q', '--bare', repo.root, bare);
    const e = await git.repoRoot(bare).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EnvError);
    expect((e as Error).message).toContain('bare repository');
  });

  test('outside any repository, the error says to run wo from one', async () => {
    const e = await git.repoRoot(repo.home).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EnvError);
    expect((e as Error).message).toContain('not inside a git repository');
  });
});
