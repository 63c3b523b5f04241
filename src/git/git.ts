// git behind a small interface: repository root, worktrees, branches, excludes. Every call takes an
// explicit cwd through a Runner.
import { appendFile, lstat, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { commandFailed, type Runner } from '../process/run.js';
import { CommandError, EnvError, SafetyError, UsageError } from '../errors.js';
import { ifExists, readTextIfExists, readUntrusted } from '../fsutil.js';
import { unsafeGitFiles, unsafeGitMessage } from './dotgit.js';

export interface WorktreeEntry {
  path: string;
  head?: string;
  /** Short branch name, e.g. `wo/login`; undefined when detached. */
  branch?: string;
  bare?: boolean;
  prunable?: boolean;
}

export const MIN_GIT = { major: 2, minor: 31 };

/** git's own lock files (index.lock, config.lock, packed-refs.lock…) held by a concurrent git. */
/**
 * What git says when another git is busy beside it: one of its lock files is held, or (seen with
 * parallel `git worktree add`) another worktree's metadata is read while it is still being written.
 */
const LOCK_ERROR =
  /\.lock'?: File exists|Unable to create .*\.lock|could not lock|cannot lock ref|unable to lock|failed to read .*worktrees\/.*\/(commondir|gitdir|HEAD)/i;

/** Whether git would read `value` as an option where a name is expected (SPEC §9). */
export function optionLike(value: string): boolean {
  return value.startsWith('-');
}

/**
 * Checkouts of new worktrees at once (see checkoutWorktree): one per core. A large checkout keeps a
 * core busy, so more at once finish together no sooner; fewer at once have the first ready sooner.
 */
export const CHECKOUTS_AT_ONCE = Math.max(1, availableParallelism());
/**
 * An index this small (about 650 files) is checked out with the worktree's registration, one git call
 * instead of two: for a small tree the second process costs more than the parallel checkout saves.
 */
export const SMALL_INDEX_BYTES = 64 * 1024;
/**
 * `git worktree add` calls with their files at once: one at a time is too slow for a fan-out of
 * short workers, whose creations are on the critical path (docs/performance.md measures it).
 */
export const ADDS_AT_ONCE = 3;

/**
 * Settings that make git run a program of the repository's choosing, set to nothing for every call
 * wo makes (SPEC §9): a worker can point its worktree at a config of its own (its `.git` pointer,
 * `commondir`), and wo's `status` or `worktree remove` in it must not run that config's fsmonitor or
 * hooks. Given as `-c`, they reach the git processes git starts itself (GIT_CONFIG_PARAMETERS). The
 * system and global configs are still read (no GIT_CONFIG_NOSYSTEM): a worker cannot write them, and
 * they hold what git needs on this machine (safe.directory, proxies, a system-wide LFS filter).
 * Filters and diff drivers have names of the config's choosing, so no `-c` can name them: a worktree's
 * calls read the repository's own config instead (worktreeEnv), and diffs pass --no-ext-diff.
 */
export const NO_FOREIGN_PROGRAMS: ReadonlyArray<readonly [string, string]> = [
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  ['core.sshCommand', 'false'],
  ['core.gitProxy', ''],
  ['core.askPass', ''],
  ['core.pager', 'cat'],
  ['core.editor', 'false'],
  ['core.alternateRefsCommand', ''],
  ['sequence.editor', 'false'],
  ['credential.helper', ''],
  ['protocol.ext.allow', 'never'],
];

/**
 * NO_FOREIGN_PROGRAMS as git's own environment form of `-c` (GIT_CONFIG_COUNT, git 2.31), after any
 * the caller set: the command line stays as wo wrote it, and git passes them to the gits it starts.
 */
export function noForeignProgramsEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const given = Number(env.GIT_CONFIG_COUNT);
  const start = Number.isInteger(given) && given > 0 ? given : 0;
  const out: Record<string, string> = { GIT_CONFIG_COUNT: String(start + NO_FOREIGN_PROGRAMS.length) };
  NO_FOREIGN_PROGRAMS.forEach(([k, v], i) => {
    out[`GIT_CONFIG_KEY_${start + i}`] = k;
    out[`GIT_CONFIG_VALUE_${start + i}`] = v;
  });
  return out;
}

/** The file in the repository's common folder that lists the branches wo made, one a line. */
export const CREATED_BRANCHES = 'wo-created-branches';

/** The command that fills a new worktree: what `git worktree add` itself runs after creating one. */
const CHECKOUT = ['reset', '--hard', '--quiet', '--no-recurse-submodules'];

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

export class Git {
  /**
   * Worktree creation within this process: registering (registerWorktree), one at a time, then
   * checking out (checkoutWorktree), CHECKOUTS_AT_ONCE at a time; a small tree registered with its
   * files, ADDS_AT_ONCE at a time. Each queue serves first asked, first.
   */
  private readonly limits = new Map<'register' | 'add' | 'checkout', Promise<Limit>>();
  private readonly excluded = new Map<string, Promise<void>>();
  private readonly commonDirs = new Map<string, Promise<string>>();
  /** The last `git worktree list` of each repository, for isWorktree. */
  private readonly listed = new Map<string, Promise<WorktreeEntry[]>>();
  /** Each linked worktree's git folders as the repository knows them (see worktreeEnv). */
  private readonly pinned = new Map<string, Promise<Record<string, string> | undefined>>();

  constructor(
    private readonly runner: Runner,
    private readonly bin = 'git',
  ) {}

  /**
   * Runs git in `cwd` with no program of the repository's choosing (NO_FOREIGN_PROGRAMS); in a linked
   * worktree, with the git folders of the repository wo opened, whatever its `.git` file says.
   */
  async run(cwd: string, args: string[], reject = true) {
    const pinned = await this.worktreeEnv(cwd);
    const refused = await this.refusal(cwd, args, reject, pinned);
    if (refused) return refused;
    return this.runner.run(this.bin, args, { cwd, reject, env: { ...noForeignProgramsEnv(), ...pinned } });
  }

  /**
   * A worktree whose git files a worker replaced with a FIFO: git would wait on it forever, so it is
   * not run (thrown when `reject`, else the refusal as git's own failure). Asked before every git call.
   */
  private async refusal(cwd: string, args: string[], reject: boolean, pinned?: Record<string, string>) {
    // A pinned call opens the folders wo gave git, not those the worktree's pointer names: those are checked.
    const dirs = pinned && { admin: pinned.GIT_DIR!, common: pinned.GIT_COMMON_DIR! };
    const unsafe = await unsafeGitFiles(cwd, args, dirs);
    if (unsafe === undefined) return undefined;
    const refused = { stdout: '', stderr: unsafeGitMessage(cwd, unsafe), exitCode: 128 };
    if (reject) throw commandFailed(this.bin, args, refused);
    return refused;
  }

  /**
   * For a linked worktree of a repository this Git has opened (repoRoot, commonDir): GIT_DIR,
   * GIT_COMMON_DIR and GIT_WORK_TREE from that repository's own records, so that git never follows
   * the worktree's `.git` pointer or its `commondir`, which the worker can rewrite. Undefined for a
   * main checkout, or a folder no known repository holds (git then finds its folders itself).
   */
  private worktreeEnv(cwd: string): Promise<Record<string, string> | undefined> {
    const abs = resolve(cwd);
    let p = this.pinned.get(abs);
    if (!p) {
      p = (async () => {
        // lstat, never open: a `.git` FIFO must not block wo. A folder: a main checkout.
        const st = await ifExists(lstat(join(abs, '.git')));
        if (!st || st.isDirectory()) return undefined;
        for (const common of this.commonDirs.values()) {
          // A repository whose common folder git could not say holds no worktree wo knows.
          const dirs = await worktreeGitDirs(await common.catch(() => ''), abs);
          if (dirs) return { GIT_DIR: dirs.admin, GIT_COMMON_DIR: dirs.common, GIT_WORK_TREE: abs };
        }
        return undefined;
      })();
      this.pinned.set(abs, p);
      // Only a found worktree is remembered: one not yet registered is looked for again next time.
      p.then(
        (v) => v ?? this.pinned.delete(abs),
        () => this.pinned.delete(abs),
      );
    }
    return p;
  }

  async version(): Promise<{ major: number; minor: number; text: string }> {
    let out: string;
    try {
      out = (await this.runner.run(this.bin, ['--version'])).stdout.trim();
    } catch (e) {
      if (!(e instanceof CommandError && e.notFound))
        throw new EnvError(`git does not work: ${(e as Error).message}`, { cause: e });
      throw new EnvError('git is not installed or not on PATH. Install git 2.31 or newer.', { cause: e });
    }
    const m = /(\d+)\.(\d+)/.exec(out);
    return { major: Number(m?.[1] ?? 0), minor: Number(m?.[2] ?? 0), text: out };
  }

  /**
   * The repository's main root (the folder holding `.git`), from any folder inside it or inside one
   * of its worktrees. EnvError (exit 3) outside a repository.
   */
  async repoRoot(cwd: string): Promise<string> {
    const r = await this.run(cwd, ['rev-parse', '--path-format=absolute', '--git-common-dir'], false).catch(
      (e: unknown) => {
        throw e instanceof CommandError ? new EnvError(`git failed in ${cwd}: ${e.stderr || e.message}`) : e;
      },
    );
    if (r.exitCode !== 0) {
      if (/not a git repository/i.test(r.stderr))
        throw new EnvError(
          `${cwd} is not inside a git repository. Run wo from your repository, or 'git init' one.`,
        );
      throw new EnvError(`git rev-parse failed in ${cwd}: ${r.stderr.trim()}`);
    }
    const common = r.stdout.trim();
    if (basename(common) === '.git') {
      // Remembered: the exclude file is in this folder, and asking git again costs a process.
      this.commonDirs.set(dirname(common), Promise.resolve(common));
      return dirname(common);
    }
    // A submodule keeps its repository in .git/modules/NAME and names its checkout in core.worktree.
    const wt = await this.run(cwd, ['config', '--get', 'core.worktree'], false);
    if (wt.exitCode === 0 && wt.stdout.trim()) return resolve(common, wt.stdout.trim());
    const bare = await this.run(cwd, ['rev-parse', '--is-bare-repository'], false);
    if (bare.stdout.trim() === 'true') {
      throw new EnvError(`${common} is a bare repository: wo needs a repository with a working tree.`);
    }
    const top = await this.run(cwd, ['rev-parse', '--show-toplevel']);
    return top.stdout.trim();
  }

  async worktrees(repo: string): Promise<WorktreeEntry[]> {
    // A worktree that another git is adding meanwhile can be half written: ask again.
    const args = ['worktree', 'list', '--porcelain'];
    const r = await this.runPastLocks(repo, args);
    if (r.exitCode !== 0) throw commandFailed(this.bin, args, r);
    const list: WorktreeEntry[] = [];
    let cur: WorktreeEntry | undefined;
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('worktree ')) {
        cur = { path: line.slice('worktree '.length) };
        list.push(cur);
      } else if (!cur) continue;
      else if (line.startsWith('HEAD ')) cur.head = line.slice(5);
      else if (line.startsWith('branch ')) cur.branch = line.slice(7).replace(/^refs\/heads\//, '');
      else if (line === 'bare') cur.bare = true;
      else if (line.startsWith('prunable')) cur.prunable = true;
    }
    return list;
  }

  /**
   * Whether `path` is a registered worktree of the repository (not a prunable one). Callers asking
   * at once share one `git worktree list`; a path it lacks is asked about again, afresh.
   */
  async isWorktree(repo: string, path: string): Promise<boolean> {
    const abs = resolve(path);
    const has = (list: WorktreeEntry[]) => list.some((w) => resolve(w.path) === abs && !w.prunable);
    const known = this.listed.get(repo);
    // A listing that failed counts as empty: the path is asked about again, afresh, below.
    if (known && has(await known.catch(() => []))) return true;
    const fresh = this.worktrees(repo);
    this.listed.set(repo, fresh);
    // A failed listing is not cached; the caller gets its error from `await fresh`.
    fresh.catch(() => this.listed.delete(repo));
    return has(await fresh);
  }

  async branchExists(repo: string, branch: string): Promise<boolean> {
    const r = await this.run(
      repo,
      ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`],
      false,
    );
    return r.exitCode === 0;
  }

  async refExists(repo: string, ref: string): Promise<boolean> {
    if (optionLike(ref)) return false;
    const r = await this.run(
      repo,
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
      false,
    );
    return r.exitCode === 0;
  }

  /**
   * The first step of creating a worktree (createWorktree in src/worktree/worktree.ts): `git worktree add --no-checkout`, and the sparse folders. One at a
   * time in this process, and retried on git's lock errors: registering is a few milliseconds, and
   * concurrent ones trip over git's lock files (packed-refs, config) and over each other's half
   * written metadata. `withFiles` (a small tree, see smallTree; never with sparse folders): checked
   * out in the same git call, and there is no second step.
   */
  async registerWorktree(
    repo: string,
    path: string,
    branch: string,
    base?: string,
    sparse: readonly string[] = [],
    withFiles = false,
  ): Promise<void> {
    // A value git would take for an option (`--no-checkout`, `--lock`) is refused, never passed.
    for (const [what, value] of [
      ['branch', branch],
      ['base', base],
    ] as const) {
      if (value !== undefined && optionLike(value))
        throw new UsageError(
          `${what} "${value}" starts with "-", which git would read as an option. Name a branch, tag or commit.`,
        );
    }
    const oneStep = withFiles && sparse.length === 0;
    // With its files, a registration is a whole checkout (tens of ms even for a few files): a few at
    // once keep up with the workers, and the lock retries absorb what they trip over.
    const limit = await (oneStep ? this.limit('add', ADDS_AT_ONCE) : this.limit('register', 1));
    return limit(async () => {
      const abs = resolve(repo, path);
      await this.registerNow(repo, abs, branch, base, !oneStep);
      if (sparse.length) await this.setSparse(abs, sparse);
    });
  }

  /**
   * Whether the repository's tree is small enough to be checked out as its worktree is registered,
   * in one git call (`withFiles` of registerWorktree): its index under SMALL_INDEX_BYTES, a checkout
   * of a few hundred files, about as long as the git process a second step would start.
   */
  async smallTree(repo: string): Promise<boolean> {
    const index = join(await this.commonDir(repo), 'index');
    return stat(index).then(
      (st) => st.size < SMALL_INDEX_BYTES,
      () => false,
    );
  }

  private async registerNow(
    repo: string,
    abs: string,
    branch: string,
    base: string | undefined,
    noCheckout: boolean,
  ): Promise<void> {
    const empty = noCheckout ? ['--no-checkout'] : [];
    await mkdir(dirname(abs), { recursive: true });
    // The common case first, in one git call: a new branch. What failed is looked into afterwards.
    // --end-of-options: nothing after it is read as an option, whatever it starts with.
    const fresh = [
      'worktree',
      'add',
      ...empty,
      '-b',
      branch,
      '--end-of-options',
      abs,
      ...(base ? [base] : []),
    ];
    let r = await this.runPastLocks(repo, fresh, true);
    if (r.exitCode === 0) return this.recordCreated(repo, branch);
    if (await this.branchExists(repo, branch)) {
      const holder = (await this.worktrees(repo)).find((w) => w.branch === branch && !w.prunable);
      if (holder) {
        throw new SafetyError(
          `branch ${branch} is already checked out in ${holder.path}. Use that worktree, remove it ('git worktree remove ${holder.path}'), or choose another branch template (worktrees.branch).`,
        );
      }
      const existing = ['worktree', 'add', ...empty, '--end-of-options', abs, branch];
      r = await this.runPastLocks(repo, existing, true);
      if (r.exitCode === 0) return;
      throw commandFailed(this.bin, existing, r);
    }
    if (base && !(await this.refExists(repo, base))) {
      throw new UsageError(
        `base "${base}" is not a branch, tag or commit in ${repo}. Fix the worker's base.`,
      );
    }
    throw commandFailed(this.bin, fresh, r);
  }

  /**
   * Makes a worktree check out only these folders (and the files at the top of the repository):
   * git's sparse checkout in cone mode. Before its checkout, it costs nothing; after, git updates the
   * files. The folders come after --end-of-options, so that one starting with `-` is a folder.
   */
  async setSparse(worktree: string, folders: readonly string[]): Promise<void> {
    const args = ['sparse-checkout', 'set', '--cone', '--end-of-options', ...folders];
    const r = await this.runPastLocks(worktree, args);
    if (r.exitCode !== 0) throw commandFailed(this.bin, args, r);
  }

  /**
   * The second step of creating a worktree: writes the files of a worktree registered without them.
   * CHECKOUTS_AT_ONCE at a time in this process.
   */
  async checkoutWorktree(worktree: string): Promise<void> {
    const limit = await this.limit('checkout', CHECKOUTS_AT_ONCE);
    const r = await limit(() => this.runPastLocks(worktree, CHECKOUT));
    if (r.exitCode !== 0) throw commandFailed(this.bin, CHECKOUT, r);
  }

  /** Whether a worktree's index exists: git writes it last, when a checkout is complete. */
  async hasIndex(worktree: string): Promise<boolean> {
    const r = await this.run(worktree, ['rev-parse', '--path-format=absolute', '--git-path', 'index']);
    return stat(r.stdout.trim()).then(
      () => true,
      () => false,
    );
  }

  private limit(name: 'register' | 'add' | 'checkout', n: number): Promise<Limit> {
    let l = this.limits.get(name);
    if (!l) {
      l = import('p-limit').then(({ default: pLimit }) => {
        const limit = pLimit(n);
        return <T>(fn: () => Promise<T>) => limit(fn);
      });
      this.limits.set(name, l);
    }
    return l;
  }

  /**
   * Runs git, retrying with a back-off while another git holds one of its lock files. `own`: a call in
   * the main checkout that creates a worktree, with the repository's own hooks (its post-checkout runs
   * as `git worktree add` by hand would run it): no worker has touched anything it reads yet.
   */
  private async runPastLocks(repo: string, args: string[], own = false) {
    for (let attempt = 1; ; attempt++) {
      const r = own
        ? ((await this.refusal(repo, args, false)) ??
          (await this.runner.run(this.bin, args, { cwd: repo, reject: false })))
        : await this.run(repo, args, false);
      if (r.exitCode === 0 || attempt >= 6 || !LOCK_ERROR.test(r.stderr)) return r;
      await new Promise((res) => setTimeout(res, 20 * attempt * attempt));
    }
  }

  async removeWorktree(repo: string, path: string, force: boolean): Promise<void> {
    // `git worktree remove` checks the worktree with a git of its own, through the worktree's `.git`
    // file and its admin folder's `commondir`: both are put back as git made them first, so that git
    // reads the repository's config, not one a worker pointed them at.
    const abs = resolve(repo, path);
    // The repository's own folders, asked of git in its main checkout (not known yet to a fresh Git).
    // A git that cannot say leaves the pointers as they are; the removal then fails or goes as git says.
    await this.commonDir(repo).catch(() => undefined);
    const pinned = await this.worktreeEnv(abs);
    this.pinned.delete(abs); // a worktree made again at this path may get another admin folder
    if (pinned) await restorePointers(pinned.GIT_WORK_TREE!, pinned.GIT_DIR!, pinned.GIT_COMMON_DIR!);
    await this.run(repo, [
      'worktree',
      'remove',
      ...(force ? ['--force', '--force'] : []),
      '--end-of-options',
      resolve(repo, path),
    ]);
  }

  /** `git status --porcelain` lines of a worktree (ignored files excluded). */
  async uncommitted(worktree: string): Promise<string[]> {
    const r = await this.run(worktree, ['status', '--porcelain']);
    return r.stdout.split('\n').filter(Boolean);
  }

  /** Ignored files and folders of a worktree (`git status --ignored`), as paths relative to it. */
  async ignored(worktree: string): Promise<string[]> {
    const r = await this.run(worktree, ['status', '--porcelain', '--ignored', '--untracked-files=normal']);
    return r.stdout
      .split('\n')
      .filter((l) => l.startsWith('!! '))
      .map((l) => l.slice(3));
  }

  /** Commits on `branch` that no other branch (or remote branch) contains. */
  async unmergedCommits(repo: string, branch: string): Promise<string[]> {
    const r = await this.run(repo, [
      'rev-list',
      '--oneline',
      `refs/heads/${branch}`,
      '--not',
      // --exclude patterns for --branches are relative to refs/heads/ (git rev-list docs).
      '--exclude',
      branch,
      '--branches',
      '--remotes',
      '--tags',
    ]);
    return r.stdout.split('\n').filter(Boolean);
  }

  /** The repository's common git folder (its `.git`), asked of git once per repository. */
  commonDir(repo: string): Promise<string> {
    let p = this.commonDirs.get(repo);
    if (!p) {
      p = this.run(repo, ['rev-parse', '--path-format=absolute', '--git-common-dir']).then((r) =>
        r.stdout.trim(),
      );
      this.commonDirs.set(repo, p);
      // A failure is not cached; the caller gets it from the returned promise.
      p.catch(() => this.commonDirs.delete(repo));
    }
    return p;
  }

  /**
   * Notes that wo made `branch` (CREATED_BRANCHES), for `--push` to push only branches wo made (SPEC
   * §9). In the repository's common folder: no worker's sandbox opens it, and it goes with the repository.
   */
  async recordCreated(repo: string, branch: string): Promise<void> {
    const common = await this.commonDir(repo);
    if (isAbsolute(common)) await appendFile(join(common, CREATED_BRANCHES), `${branch}\n`);
  }

  /** The branches wo has made in this repository (recordCreated); none when it has made none. */
  async createdBranches(repo: string): Promise<Set<string>> {
    const file = join(await this.commonDir(repo), CREATED_BRANCHES);
    const st = await ifExists(lstat(file));
    // Only a regular file of a sane size is wo's record: anything else records nothing.
    if (!st?.isFile() || st.size > 16 * 1024 * 1024) return new Set();
    const text = (await readTextIfExists(file)) ?? '';
    return new Set(text.split('\n').filter(Boolean));
  }

  /** Adds patterns to the repository's info/exclude, once each (checked once per repository). */
  addExcludes(repo: string, patterns: string[], note = '# wo: worker protocol files'): Promise<void> {
    const key = `${repo}\0${patterns.join('\0')}`;
    let p = this.excluded.get(key);
    if (!p) {
      p = this.addExcludesNow(repo, patterns, note);
      this.excluded.set(key, p);
      p.catch(() => this.excluded.delete(key)); // a failure is tried again next time
    }
    return p;
  }

  /** The most of info/exclude read: a list of patterns. */
  private static readonly EXCLUDE_MAX = 1 << 20;

  private async addExcludesNow(repo: string, patterns: string[], note: string): Promise<void> {
    const file = join(await this.commonDir(repo), 'info', 'exclude');
    // Not opened to wait on, nor appended to, when something else than a file is there (a FIFO); a
    // link is the user's own choice, and followed.
    const read = (await readUntrusted(file, { max: Git.EXCLUDE_MAX, within: ['/'] }))?.text;
    if (read === undefined && (await ifExists(lstat(file))))
      throw new EnvError(`${file} is not a regular file: make it one (or remove it), then run wo again.`);
    const text = read ?? '';
    if (read === undefined) await mkdir(dirname(file), { recursive: true });
    const have = new Set(text.split('\n').map((l) => l.trim()));
    const missing = patterns.filter((p) => !have.has(p));
    if (missing.length === 0) return;
    const prefix = text && !text.endsWith('\n') ? '\n' : '';
    await appendFile(file, `${prefix}${note}\n${missing.join('\n')}\n`);
  }
}

// ── Hand-off (issue 11: `wo run --push/--pr`, commits and diffstat in the report). Functions over a Git,
// appended as one block; every ref is passed after --end-of-options, so none is read as an option.

/** Commits on `branch` that `base` does not have; undefined when either ref is unknown to git. */
export async function commitsAhead(
  git: Git,
  repo: string,
  base: string,
  branch: string,
): Promise<number | undefined> {
  const r = await git.run(
    repo,
    ['rev-list', '--count', '--end-of-options', `${base}..refs/heads/${branch}`],
    false,
  );
  const n = Number(r.stdout.trim());
  return r.exitCode === 0 && Number.isInteger(n) ? n : undefined;
}

/** What `branch` changes since it left `base` (`git diff --shortstat base...branch`); undefined when unknown. */
export async function diffstat(
  git: Git,
  repo: string,
  base: string,
  branch: string,
): Promise<{ files: number; insertions: number; deletions: number } | undefined> {
  const r = await git.run(
    repo,
    [
      'diff',
      '--shortstat',
      '--no-ext-diff',
      '--no-textconv',
      '--end-of-options',
      `${base}...refs/heads/${branch}`,
    ],
    false,
  );
  if (r.exitCode !== 0) return undefined;
  const num = (re: RegExp) => Number(re.exec(r.stdout)?.[1] ?? 0);
  return {
    files: num(/(\d+) files? changed/),
    insertions: num(/(\d+) insertions?\(\+\)/),
    deletions: num(/(\d+) deletions?\(-\)/),
  };
}

/** The branch checked out in `repo`, or undefined on a detached HEAD. */
export async function currentBranch(git: Git, repo: string): Promise<string | undefined> {
  const r = await git.run(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD'], false);
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** The URL of a configured remote, or undefined when there is no such remote. */
export async function remoteUrl(git: Git, repo: string, remote: string): Promise<string | undefined> {
  const r = await git.run(repo, ['remote', 'get-url', '--end-of-options', remote], false);
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/**
 * Pushes a local branch to the same name on `remote`, never with force (no `+` in the refspec, no
 * --force): a remote branch that moved elsewhere rejects it. Resolves with git's answer. Run with the
 * runner itself so that git never waits for a password at a terminal (GIT_TERMINAL_PROMPT=0), and
 * within `timeoutMs`: nothing hangs (SPEC §9).
 */
export async function pushBranch(
  runner: Runner,
  repo: string,
  remote: string,
  branch: string,
  timeoutMs = 10 * 60_000,
): Promise<{ ok: boolean; message: string }> {
  const ref = `refs/heads/${branch}`;
  const r = await runner.run('git', ['push', '--porcelain', '--end-of-options', remote, `${ref}:${ref}`], {
    cwd: repo,
    env: { GIT_TERMINAL_PROMPT: '0' },
    reject: false,
    timeoutMs,
  });
  const text = `${r.stdout}\n${r.stderr}`;
  const line =
    text.split('\n').find((l) => /^!\t/.test(l) || /rejected|error:|fatal:/.test(l)) ??
    text.split('\n').find((l) => l.trim()) ??
    '';
  // A porcelain line of a refused ref is `!<TAB>from:to<TAB>[rejected] (why)`: the why is what counts.
  const why = /^!\t/.test(line) ? line.split('\t').slice(2).join(' ') : line;
  // What the remote or its hook said itself (`remote: …` lines) is the reason a person can act on.
  const said = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('remote:'))
    .map((l) => l.slice('remote:'.length).trim())
    .filter(Boolean)
    .slice(0, 5)
    .join(' / ');
  const message = r.timedOut
    ? `timed out after ${Math.round(timeoutMs / 1000)}s`
    : `${why.trim()}${said ? ` (the remote said: ${said})` : ''}`;
  return { ok: r.exitCode === 0, message };
}

/** The commit each local branch points at, by short name (`wo/login` → sha), in one git call. */
export async function branchTips(git: Git, repo: string): Promise<Map<string, string>> {
  const r = await git.run(repo, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/'], false);
  const tips = new Map<string, string>();
  if (r.exitCode !== 0) return tips;
  for (const line of r.stdout.split('\n')) {
    const m = /^([0-9a-f]+) refs\/heads\/(.+)$/.exec(line);
    if (m) tips.set(m[2]!, m[1]!);
  }
  return tips;
}

/** The commit a ref names, or undefined when git does not know it. */
export async function commitOf(git: Git, repo: string, ref: string): Promise<string | undefined> {
  const r = await git.run(
    repo,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    false,
  );
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/** Whether `commit` is `of` or one of its ancestors (`git merge-base --is-ancestor`). */
export async function isAncestor(git: Git, repo: string, commit: string, of: string): Promise<boolean> {
  const r = await git.run(repo, ['merge-base', '--is-ancestor', '--end-of-options', commit, of], false);
  return r.exitCode === 0;
}

// ── Worktrees as the repository knows them (SPEC §9: a sandbox and wo's own git calls come from wo's
// knowledge, never from the worktree's `.git` file or its admin folder's `commondir`).

/** A linked worktree's git folders: the repository's common folder and the worktree's own admin folder in it. */
export interface WorktreeGitDirs {
  common: string;
  admin: string;
}

/**
 * The admin folder (`<common>/worktrees/<name>`) of the linked worktree at `worktree`, found from the
 * common folder's side: a real folder (not a link) whose `gitdir` names `<worktree>/.git`. Only the
 * folder git made for this worktree says so; a worker can write its own admin folder, never another's.
 * Undefined when none does (not a worktree of this repository).
 */
export async function worktreeGitDirs(
  common: string,
  worktree: string,
): Promise<WorktreeGitDirs | undefined> {
  if (!common || !isAbsolute(common)) return undefined;
  const want = join(resolve(worktree), '.git');
  const root = join(common, 'worktrees');
  // No such folder (no linked worktree yet), or one git cannot read: no admin folder is found.
  const names = await readdir(root).catch(() => [] as string[]);
  // git names the folder after the worktree's folder (a number added when taken): that name first,
  // then those it starts, so that a repository of many worktrees is not read through for each one.
  const base = basename(worktree);
  const rank = (n: string) => (n === base ? 0 : n.startsWith(base) ? 1 : 2);
  const ordered = [...names].sort((a, b) => rank(a) - rank(b));
  for (const name of ordered) {
    const admin = join(root, name);
    const st = await ifExists(lstat(admin));
    if (!st?.isDirectory()) continue;
    const gitdir = await ifExists(lstat(join(admin, 'gitdir')));
    if (!gitdir?.isFile() || gitdir.size > 4096) continue; // a FIFO or a huge file is not git's
    // Opened without waiting: replaced by a FIFO since the lstat, it reads as missing.
    const text = ((await readTextIfExists(join(admin, 'gitdir'))) ?? '').trim();
    if (text && resolve(admin, text) === want) return { common, admin };
  }
  return undefined;
}

/** The git folders of a linked worktree of `repo`, from the repository's side (worktreeGitDirs). */
export async function gitDirsOf(
  git: Git,
  repo: string,
  worktree: string,
): Promise<WorktreeGitDirs | undefined> {
  return worktreeGitDirs(await git.commonDir(repo), worktree);
}

/**
 * Of these branches, the ones that exist and that wo did not make (Git.createdBranches): `--push`
 * must not take them over (SPEC §9), e.g. a colleague's branch that the branch template names.
 */
export async function foreignBranches(
  git: Git,
  repo: string,
  branches: readonly string[],
): Promise<string[]> {
  const made = await git.createdBranches(repo);
  const tips = await branchTips(git, repo);
  return [...new Set(branches)].filter((b) => tips.has(b) && !made.has(b));
}

/** Writes a linked worktree's `.git` file and its admin folder's `commondir` as git made them. */
async function restorePointers(worktree: string, admin: string, common: string): Promise<void> {
  const dotGit = join(worktree, '.git');
  const st = await ifExists(lstat(dotGit));
  // A folder there is no pointer to fix; anything else (a link, a FIFO, a rewritten file) is replaced.
  if (st?.isDirectory()) return;
  if (st) await rm(dotGit, { force: true });
  await writeFile(dotGit, `gitdir: ${admin}\n`);
  await rm(join(admin, 'commondir'), { force: true });
  await writeFile(join(admin, 'commondir'), `${relative(admin, common) || '.'}\n`);
}
