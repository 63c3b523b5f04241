// copy: is copy-on-write where the file system can: on XFS (a loop-mounted image, made here when this
// machine allows it) a copied folder takes no new data blocks. Skipped, saying why, where it cannot be
// made: not root, no mkfs.xfs (Debian: xfsprogs), or mounting refused (a container without the right).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { share } from '../../src/worktree/share.js';

const MiB = 1024 * 1024;

/** A mounted XFS of its own, or why there is none. */
function mountXfs(): { dir: string; cleanup(): void } | { why: string } {
  if (process.platform !== 'linux') return { why: 'not Linux' };
  if (process.getuid?.() !== 0) return { why: 'not root (mount needs it)' };
  const base = mkdtempSync(join(tmpdir(), 'wo-reflink-'));
  const image = join(base, 'xfs.img');
  const dir = join(base, 'mnt');
  mkdirSync(dir);
  const cleanup = () => {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      // not mounted
    }
    rmSync(base, { recursive: true, force: true });
  };
  try {
    execFileSync('truncate', ['-s', '320M', image]); // XFS's smallest size is 300 MB; the file is sparse
    execFileSync('mkfs.xfs', ['-q', '-m', 'reflink=1', image], { stdio: 'pipe' });
  } catch (e) {
    cleanup();
    return { why: `mkfs.xfs failed or is missing (apt-get install xfsprogs): ${String(e).split('\n')[0]}` };
  }
  try {
    execFileSync('mount', ['-o', 'loop', image, dir], { stdio: 'pipe' });
  } catch (e) {
    cleanup();
    return { why: `mounting a loop device was refused: ${String(e).split('\n')[0]}` };
  }
  return { dir, cleanup };
}

const xfs = mountXfs();
afterAll(() => {
  if ('cleanup' in xfs) xfs.cleanup();
});

/** Bytes in use on the file system holding `dir`, after everything written reached it. */
const used = (dir: string) => {
  execFileSync('sync', ['-f', dir]);
  const s = statfsSync(dir);
  return (s.blocks - s.bfree) * s.bsize;
};

const title = 'on XFS, a copied folder of 24 MiB takes under 2 MiB more disk: its files are reflinks';
const run = 'dir' in xfs ? test : test.skip;
// jest names no skipped test of a file where all are skipped: the reason is said here too.
if ('why' in xfs) process.stderr.write(`test/worker/reflink.test.ts: reflink not proven here: ${xfs.why}\n`);
run(`${title}${'why' in xfs ? ` (skipped: ${xfs.why})` : ''}`, async () => {
  if (!('dir' in xfs)) return;
  const repo = join(xfs.dir, 'repo');
  const wt = join(xfs.dir, 'wt');
  mkdirSync(join(repo, 'cache', 'sub'), { recursive: true });
  mkdirSync(wt);
  for (const name of ['a', 'b', 'sub/c']) writeFileSync(join(repo, 'cache', name), randomBytes(8 * MiB));

  // The measure itself is sound: the same bytes written anew take their size. (Not copyFile without
  // FICLONE: libuv's copy_file_range may share the blocks on XFS too.)
  const before = used(xfs.dir);
  writeFileSync(join(xfs.dir, 'plain'), readFileSync(join(repo, 'cache', 'a')));
  expect(used(xfs.dir) - before).toBeGreaterThanOrEqual(8 * MiB);

  const start = used(xfs.dir);
  const r = await share(repo, wt, { copy: ['cache'] }, async () => undefined);
  expect(r.copied).toEqual(['cache']);
  expect(used(xfs.dir) - start).toBeLessThan(2 * MiB);
  expect(
    readFileSync(join(wt, 'cache', 'sub', 'c')).equals(readFileSync(join(repo, 'cache', 'sub', 'c'))),
  ).toBe(true);
  // Copy-on-write: changing the copy leaves the main checkout's file as it was.
  writeFileSync(join(wt, 'cache', 'a'), 'changed');
  expect(readFileSync(join(repo, 'cache', 'a')).length).toBe(8 * MiB);
});
