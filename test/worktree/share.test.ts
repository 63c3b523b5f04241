// copy and link into a new worktree (src/worktree/share.ts): plain folders stand in for the main checkout
// and the worktree; no git is needed for these rules.
import {
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetyError, SetupError } from '../../src/errors.js';
import { COPY_MODE, share, type ShareIO } from '../../src/worktree/share.js';

let base: string;
let repo: string;
let wt: string;
let logged: string[];
const log = async (line: string) => {
  logged.push(line);
};
const write = (path: string, text: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'wo-share-')));
  repo = join(base, 'repo');
  wt = join(base, 'wt');
  mkdirSync(repo);
  mkdirSync(wt);
  logged = [];
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('link', () => {
  test('makes a symbolic link at the same path, to the main checkout absolute path', async () => {
    write(join(repo, 'node_modules', 'dep', 'index.js'), 'x');
    write(join(repo, 'tools', 'cache', 'a'), 'y');
    const r = await share(repo, wt, { link: ['node_modules', 'tools/cache/'] }, log);
    expect(r).toEqual({ copied: [], linked: ['node_modules', join('tools', 'cache')] });
    expect(readlinkSync(join(wt, 'node_modules'))).toBe(join(repo, 'node_modules'));
    expect(readlinkSync(join(wt, 'tools', 'cache'))).toBe(join(repo, 'tools', 'cache'));
    expect(readFileSync(join(wt, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('x');
    expect(logged).toEqual([]);
  });

  test('a path the main checkout lacks is skipped with a line in the log', async () => {
    const r = await share(repo, wt, { link: ['node_modules'] }, log);
    expect(r.linked).toEqual([]);
    expect(logged).toEqual([`[wo] link: node_modules does not exist in ${repo}; skipped\n`]);
    expect(lstatSync(join(wt, 'node_modules'), { throwIfNoEntry: false })).toBeUndefined();
  });

  test('a path the main checkout has but wo cannot look at fails the setup, not skipped as missing', async () => {
    // A link loop on the way (as root, the one such error a test can make; EACCES is the same case).
    symlinkSync('loop', join(repo, 'loop'));
    await expect(share(repo, wt, { link: ['loop/cache'] }, log)).rejects.toMatchObject({ code: 'ELOOP' });
    expect(logged).toEqual([]);
  });

  test('a path git checked out is never replaced: refused with the fix, and left as it was', async () => {
    write(join(repo, 'vendor', 'lib.js'), 'main');
    write(join(wt, 'vendor', 'lib.js'), 'tracked');
    const err = await share(repo, wt, { link: ['vendor'] }, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toContain('link: vendor is already in the new worktree');
    expect((err as Error).message).toContain('git rm -r --cached vendor');
    expect(lstatSync(join(wt, 'vendor')).isDirectory()).toBe(true);
    expect(readFileSync(join(wt, 'vendor', 'lib.js'), 'utf8')).toBe('tracked');
  });

  test('run again on the same worktree, a link already made is kept', async () => {
    write(join(repo, 'node_modules', 'a'), 'x');
    await share(repo, wt, { link: ['node_modules'] }, log);
    expect((await share(repo, wt, { link: ['node_modules'] }, log)).linked).toEqual(['node_modules']);
  });

  test('never made through a symbolic link the checkout has on the way', async () => {
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(wt, 'pkg'));
    write(join(repo, 'pkg', 'node_modules', 'a'), 'x');
    const err = await share(repo, wt, { link: ['pkg/node_modules'] }, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toContain('pkg there is a symbolic link');
    expect(lstatSync(join(elsewhere, 'node_modules'), { throwIfNoEntry: false })).toBeUndefined();
  });
});

describe('paths', () => {
  test.each([
    ['copy', '../other', 'is outside the repository'],
    ['link', '.', 'is the whole repository'],
    ['copy', './', 'is the whole repository'],
    ['link', '.git', "is git's own folder"],
    ['copy', '.git/config', "is git's own folder"],
  ])('%s: %s is refused', async (key, path, says) => {
    const err = await share(repo, wt, { [key]: [path] }, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafetyError);
    expect((err as Error).message).toContain(says);
  });

  test('a name that only starts with two dots is inside: the plan allows it, and so does the copy', async () => {
    write(join(repo, '..env'), 'KEY=1');
    await share(repo, wt, { copy: ['..env'] }, log);
    expect(readFileSync(join(wt, '..env'), 'utf8')).toBe('KEY=1');
  });

  test('an absolute path is refused like one with "..": the rule the plan validates by', async () => {
    write(join(repo, 'a'), 'x');
    const err = await share(repo, wt, { copy: [join(repo, 'a')] }, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafetyError);
    expect((err as Error).message).toContain('is outside the repository');
  });

  test('a path both copied and linked, or inside another, is refused before anything is made', async () => {
    write(join(repo, 'node_modules', '.cache', 'a'), 'x');
    for (const o of [
      { link: ['node_modules'], copy: ['node_modules/.cache'] },
      { link: ['node_modules/.cache'], copy: ['node_modules'] },
      { link: ['node_modules', 'node_modules/.cache'] },
    ]) {
      const err = await share(repo, wt, o, log).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SafetyError);
      expect((err as Error).message).toContain('name the same files');
    }
    expect(lstatSync(join(wt, 'node_modules'), { throwIfNoEntry: false })).toBeUndefined();
  });

  test(".github and .gitignore are not git's own folder", async () => {
    write(join(repo, '.github', 'x'), 'y');
    await share(repo, wt, { copy: ['.github'] }, log);
    expect(readFileSync(join(wt, '.github', 'x'), 'utf8')).toBe('y');
  });
});

describe('copy', () => {
  test('every file is copied with FICLONE (a reflink where the file system can) and EXCL, never FICLONE_FORCE', async () => {
    write(join(repo, '.env'), 'SECRET=1');
    write(join(repo, 'cache', 'a'), 'a');
    write(join(repo, 'cache', 'sub', 'b'), 'b');
    const modes: number[] = [];
    const spy: ShareIO = {
      async copyFile(src, dest, mode) {
        modes.push(mode);
        await copyFile(src, dest, mode);
      },
    };
    const r = await share(repo, wt, { copy: ['.env', 'cache'] }, log, spy);
    expect(r.copied).toEqual(['.env', 'cache']);
    expect(modes).toEqual([COPY_MODE, COPY_MODE, COPY_MODE]);
    expect(COPY_MODE & constants.COPYFILE_FICLONE).toBeTruthy();
    expect(COPY_MODE & constants.COPYFILE_EXCL).toBeTruthy();
    expect(COPY_MODE & constants.COPYFILE_FICLONE_FORCE & ~constants.COPYFILE_FICLONE).toBe(0);
  });

  test('where the file system has no reflink (as here, unless it is btrfs or XFS) the copy is a plain one', async () => {
    write(join(repo, 'cache', 'sub', 'b'), 'b');
    await share(repo, wt, { copy: ['cache'] }, log);
    expect(readFileSync(join(wt, 'cache', 'sub', 'b'), 'utf8')).toBe('b');
  });

  test('a folder: files, subfolders and symbolic links, which stay links with the same target and are never followed', async () => {
    const outside = join(base, 'outside');
    write(join(outside, 'secret'), 'not to be copied');
    write(join(repo, 'conf', 'a.json'), '{}');
    write(join(repo, 'conf', 'deep', 'b.json'), '[]');
    symlinkSync('deep/b.json', join(repo, 'conf', 'rel-link'));
    symlinkSync(outside, join(repo, 'conf', 'out-link'));
    await share(repo, wt, { copy: ['conf'] }, log);
    expect(readFileSync(join(wt, 'conf', 'deep', 'b.json'), 'utf8')).toBe('[]');
    expect(readlinkSync(join(wt, 'conf', 'rel-link'))).toBe('deep/b.json');
    expect(readFileSync(join(wt, 'conf', 'rel-link'), 'utf8')).toBe('[]'); // resolves in the worktree
    expect(readlinkSync(join(wt, 'conf', 'out-link'))).toBe(outside);
    expect(lstatSync(join(wt, 'conf', 'out-link')).isSymbolicLink()).toBe(true);
  });

  test('what git checked out is kept, never overwritten; the rest of the folder is merged in, and the log says so', async () => {
    write(join(repo, 'conf', 'tracked.json'), 'main checkout edit');
    write(join(repo, 'conf', 'local.json'), 'local');
    write(join(repo, '.env'), 'main');
    write(join(wt, 'conf', 'tracked.json'), 'from git');
    write(join(wt, '.env'), 'from git');
    const r = await share(repo, wt, { copy: ['conf', '.env'] }, log);
    expect(r.copied).toEqual(['conf', '.env']);
    expect(readFileSync(join(wt, 'conf', 'tracked.json'), 'utf8')).toBe('from git');
    expect(readFileSync(join(wt, 'conf', 'local.json'), 'utf8')).toBe('local');
    expect(readFileSync(join(wt, '.env'), 'utf8')).toBe('from git');
    expect(logged.join('')).toContain(`copy: ${join('conf', 'tracked.json')} already in the worktree`);
    expect(logged.join('')).toContain('copy: .env already in the worktree');
  });

  test('never writes through a symbolic link that git checked out in the worktree', async () => {
    const outside = join(base, 'outside');
    mkdirSync(outside);
    write(join(repo, 'conf', 'x'), 'main');
    write(join(repo, 'top'), 'main');
    symlinkSync(outside, join(wt, 'conf')); // the branch tracks conf as a link
    symlinkSync(join(outside, 'top'), join(wt, 'top'));
    await share(repo, wt, { copy: ['conf', 'top'] }, log);
    expect(lstatSync(join(outside, 'x'), { throwIfNoEntry: false })).toBeUndefined();
    expect(lstatSync(join(outside, 'top'), { throwIfNoEntry: false })).toBeUndefined();
    await expect(share(repo, wt, { copy: ['conf/x'] }, log)).rejects.toThrow('conf there is a symbolic link');
  });

  test('a missing path is skipped with a line in the log, as before', async () => {
    const r = await share(repo, wt, { copy: ['.env'] }, log);
    expect(r.copied).toEqual([]);
    expect(logged).toEqual([`[wo] copy: .env does not exist in ${repo}; skipped\n`]);
  });
});
