// A worktree's git files as a worker left them (src/git/dotgit.ts, SPEC §9): git opens them without
// O_NONBLOCK, so one a worker replaced with a FIFO would make wo's git call in that worktree wait
// forever. On the main this was written against, Git.run ran git whatever the files were (git 2.39
// refuses a FIFO `.git`, but waits on a FIFO HEAD behind the pointer, and `git worktree list` in the
// main checkout waits on any worktree's FIFO HEAD). Plain files here, and a fake runner: no git runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Git } from '../../src/git/git.js';
import { unsafeGitFiles } from '../../src/git/dotgit.js';
import type { Runner } from '../../src/process/run.js';

let dir: string;
let repo: string;
let wt: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wo-dotgit-'));
  repo = join(dir, 'repo');
  wt = join(dir, 'wt');
  // A main checkout with one linked worktree, as git lays them out.
  mkdirSync(join(repo, '.git', 'worktrees', 'wt'), { recursive: true });
  mkdirSync(wt);
  writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(repo, '.git', 'config'), '');
  const own = join(repo, '.git', 'worktrees', 'wt');
  writeFileSync(join(own, 'HEAD'), 'ref: refs/heads/wo/wt\n');
  writeFileSync(join(own, 'commondir'), '../..\n');
  writeFileSync(join(own, 'gitdir'), `${join(wt, '.git')}\n`);
  writeFileSync(join(wt, '.git'), `gitdir: ${own}\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fifo = (path: string) => {
  rmSync(path, { force: true });
  execFileSync('mkfifo', [path]);
};

test('regular git files: git may run, in the worktree and in the main checkout', async () => {
  await expect(unsafeGitFiles(wt, ['status'])).resolves.toBeUndefined();
  await expect(unsafeGitFiles(repo, ['worktree', 'list'])).resolves.toBeUndefined();
  await expect(unsafeGitFiles(join(dir, 'elsewhere'), ['status'])).resolves.toBeUndefined();
});

test("a FIFO .git, or a FIFO HEAD behind the pointer, is named; so is a worktree's FIFO HEAD for `worktree` in the main checkout", async () => {
  fifo(join(wt, '.git'));
  await expect(unsafeGitFiles(wt, ['status'])).resolves.toBe(
    `${join(wt, '.git')} is a FIFO, not git's pointer file`,
  );
  rmSync(join(wt, '.git')); // writing into the FIFO would wait for a reader
  writeFileSync(join(wt, '.git'), `gitdir: ${join(repo, '.git', 'worktrees', 'wt')}\n`);
  const head = join(repo, '.git', 'worktrees', 'wt', 'HEAD');
  fifo(head);
  await expect(unsafeGitFiles(wt, ['status'])).resolves.toBe(`${head} is a FIFO, not a regular file`);
  await expect(unsafeGitFiles(repo, ['worktree', 'add', 'x'])).resolves.toBe(
    `${head} is a FIFO, not a regular file`,
  );
  await expect(unsafeGitFiles(repo, ['-c', 'core.fsmonitor=', 'branch', '-D', 'x'])).resolves.toBeDefined();
  // A command that reads no other worktree's files still runs in the main checkout.
  await expect(unsafeGitFiles(repo, ['rev-parse', 'HEAD'])).resolves.toBeUndefined();
});

test("a pointer rewritten to a folder of the worker's making, with a FIFO HEAD: named", async () => {
  const made = join(dir, 'made');
  mkdirSync(made);
  fifo(join(made, 'HEAD'));
  writeFileSync(join(wt, '.git'), `gitdir: ${made}\n`);
  await expect(unsafeGitFiles(wt, ['status'])).resolves.toBe(
    `${join(made, 'HEAD')} is a FIFO, not a regular file`,
  );
});

test("pinned folders (wo's GIT_DIR): their files are checked, not a decoy the pointer names", async () => {
  const own = join(repo, '.git', 'worktrees', 'wt');
  const decoy = join(dir, 'decoy');
  mkdirSync(decoy);
  writeFileSync(join(decoy, 'HEAD'), 'ref: refs/heads/x\n');
  writeFileSync(join(wt, '.git'), `gitdir: ${decoy}\n`);
  fifo(join(own, 'HEAD'));
  // Followed, the pointer leads to regular files; git, pinned to the real folder, would wait.
  await expect(unsafeGitFiles(wt, ['status'])).resolves.toBeUndefined();
  await expect(unsafeGitFiles(wt, ['status'], { admin: own, common: join(repo, '.git') })).resolves.toBe(
    `${join(own, 'HEAD')} is a FIFO, not a regular file`,
  );
  // Git.run pins the folders it found from the repository's side, and checks those.
  let ran = 0;
  const git = new Git({
    run: () => {
      ran++;
      return Promise.resolve({ stdout: `${join(repo, '.git')}\n`, stderr: '', exitCode: 0 });
    },
  });
  await git.commonDir(repo);
  const r = await git.run(wt, ['status', '--porcelain'], false);
  expect(r).toMatchObject({ exitCode: 128 });
  expect(r.stderr).toContain(`${join(own, 'HEAD')} is a FIFO`);
  expect(ran).toBe(1); // the rev-parse alone: git never ran in the worktree
});

test('Git.run refuses such a worktree without running git: a failed result, or a CommandError naming the fix', async () => {
  let ran = 0;
  const runner: Runner = {
    run: () => {
      ran++;
      return Promise.resolve({ stdout: '', stderr: '', exitCode: 0 });
    },
  };
  const git = new Git(runner);
  fifo(join(repo, '.git', 'worktrees', 'wt', 'HEAD'));
  const r = await git.run(wt, ['status', '--porcelain'], false);
  expect(r.exitCode).toBe(128);
  expect(r.stderr).toContain('git would wait on it forever');
  await expect(git.uncommitted(wt)).rejects.toThrow(`rm -rf ${wt}, then git worktree prune`);
  await expect(git.run(repo, ['rev-parse', 'HEAD'])).resolves.toMatchObject({ exitCode: 0 });
  expect(ran).toBe(1);
});

test('a FIFO in place of info/exclude: addExcludes names it, neither reading nor appending to it', async () => {
  const runner: Runner = {
    run: () => Promise.resolve({ stdout: `${join(repo, '.git')}\n`, stderr: '', exitCode: 0 }),
  };
  mkdirSync(join(repo, '.git', 'info'));
  fifo(join(repo, '.git', 'info', 'exclude'));
  await expect(new Git(runner).addExcludes(repo, ['/.worker-status*'])).rejects.toThrow(
    `${join(repo, '.git', 'info', 'exclude')} is not a regular file`,
  );
});
