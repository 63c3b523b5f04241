// link: (issue 13): the main checkout's node_modules shared into each worktree as a symbolic link, kept
// out of git there, and never followed or deleted by `wo clean`; copy: of a folder. Real git and wo run.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fixture, type Fixture } from '../commands/setup.js';

/** Disk used by a folder in KiB, symbolic links counted as links (du never follows them by default). */
const du = (path: string) => Number(execFileSync('du', ['-sk', path], { encoding: 'utf8' }).split('\t')[0]);

describe('link: and copy: of folders', () => {
  let f: Fixture;
  let deps: string;
  beforeEach(() => {
    f = fixture();
    // As in most repositories: node_modules ignored as a folder (`node_modules/`), which a link is not to git.
    writeFileSync(join(f.repo.root, '.gitignore'), 'node_modules/\n');
    f.repo.git('add', '.gitignore');
    f.repo.git('commit', '-q', '-m', 'ignore');
    deps = join(f.repo.root, 'node_modules');
    for (let i = 0; i < 40; i++) {
      mkdirSync(join(deps, `dep${i}`), { recursive: true });
      writeFileSync(
        join(deps, `dep${i}`, 'index.js'),
        `module.exports = ${i};\n${'/* padding */\n'.repeat(4000)}`,
      );
    }
  });
  afterEach(() => f.cleanup());

  const depsIntact = () => {
    expect(readdirSync(deps)).toHaveLength(40);
    expect(readFileSync(join(deps, 'dep7', 'index.js'), 'utf8')).toMatch(/^module\.exports = 7;/);
  };

  test('each worktree gets a link, git status stays clean, the agent reads through it, and it costs no disk', async () => {
    mkdirSync(join(f.repo.root, 'cache', 'sub'), { recursive: true }); // untracked, not ignored
    writeFileSync(join(f.repo.root, 'cache', 'sub', 'built.txt'), 'built\n');
    const out = (w: string) => join(f.repo.base, `${w}.txt`);
    const task = (w: string) =>
      `head -1 node_modules/dep7/index.js > "${out(w)}" && git status --porcelain --untracked-files=all >> "${out(w)}" && git add -A && git diff --cached --name-only >> "${out(w)}" && git reset -q`;
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\ndefaults: { agent: shell, link: [node_modules], copy: [cache] }\nworkers:\n  - feature: a\n    task: ${JSON.stringify(task('a'))}\n  - feature: b\n    task: ${JSON.stringify(task('b'))}\n`,
    );
    const dry = await f.wo('run', '--dry-run');
    expect(dry.out).toContain('  link      node_modules\n');
    expect(dry.out).toContain('  copy      cache\n');

    expect((await f.wo('run')).code).toBe(0);
    for (const w of ['a', 'b']) {
      expect(lstatSync(join(f.wt(w), 'node_modules')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(f.wt(w), 'node_modules'))).toBe(deps);
      // What the agent saw: the file through the link, an empty git status, nothing staged by git add -A.
      expect(readFileSync(out(w), 'utf8')).toBe('module.exports = 7;\n');
      expect(readFileSync(join(f.wt(w), 'cache', 'sub', 'built.txt'), 'utf8')).toBe('built\n');
      expect(lstatSync(join(f.wt(w), 'cache')).isDirectory()).toBe(true);
    }
    // node_modules is over 1 MiB; a worktree holds a link to it, not a copy.
    expect(du(deps)).toBeGreaterThan(1000);
    expect(du(f.wt('a'))).toBeLessThan(du(deps) / 10);
    // Once, though both workers linked it at the same time (the run's one Git adds each pattern once).
    const exclude = readFileSync(join(f.repo.root, '.git', 'info', 'exclude'), 'utf8');
    expect(exclude.match(/^\/node_modules$/gm)).toEqual(['/node_modules']);

    // Neither the link nor the copied folder is counted as the agent's work: clean is not refused.
    const clean = await f.wo('clean', 'a');
    expect(clean.err).toBe('');
    expect(clean.code).toBe(0);
    expect(existsSync(f.wt('a'))).toBe(false);
    depsIntact();
    const forced = await f.wo('clean', 'b', '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).not.toContain('lost');
    expect(existsSync(f.wt('b'))).toBe(false);
    depsIntact();
  });

  test("git's own removal never follows a link either (a link wo does not know of, clean --force)", async () => {
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\nworkers:\n  - feature: own\n    agent: shell\n    task: ${JSON.stringify(`ln -s "${deps}" deps-too`)}\n`,
    );
    expect((await f.wo('run')).code).toBe(0);
    expect(lstatSync(join(f.wt('own'), 'deps-too')).isSymbolicLink()).toBe(true);
    expect((await f.wo('clean', 'own')).code).toBe(2); // the agent's untracked link is its work
    expect((await f.wo('clean', 'own', '--force')).code).toBe(0);
    expect(existsSync(f.wt('own'))).toBe(false);
    depsIntact();
  });

  test('an agent that put a folder of its own where the link was made work: clean refuses it', async () => {
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\nworkers:\n  - feature: swap\n    agent: shell\n    link: [node_modules]\n    task: rm node_modules && mkdir node_modules && echo mine > node_modules/own.js\n`,
    );
    expect((await f.wo('run')).code).toBe(0);
    const refused = await f.wo('clean', 'swap');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('node_modules/');
    depsIntact();
  });

  test('a path the branch tracks is never replaced by a link: the worker fails saying why, and nothing is lost', async () => {
    mkdirSync(join(f.repo.root, 'vendor'));
    writeFileSync(join(f.repo.root, 'vendor', 'lib.js'), 'tracked\n');
    f.repo.git('add', 'vendor');
    f.repo.git('commit', '-q', '-m', 'vendor');
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\nworkers:\n  - feature: v\n    agent: shell\n    link: [vendor]\n    task: "true"\n`,
    );
    const r = await f.wo('run');
    expect(r.code).toBe(1);
    expect(f.status('v')).toBe('failed');
    expect(f.result('v')).toContain('link: vendor is already in the new worktree');
    expect(lstatSync(join(f.wt('v'), 'vendor')).isDirectory()).toBe(true);
    expect(readFileSync(join(f.wt('v'), 'vendor', 'lib.js'), 'utf8')).toBe('tracked\n');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: f.wt('v'), encoding: 'utf8' })).toBe('');

    // Fixed in the plan, the next run adopts the worktree and links what it now says before the agent starts.
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\nworkers:\n  - feature: v\n    agent: shell\n    link: [node_modules]\n    task: test -L node_modules\n`,
    );
    expect((await f.wo('run', '--failed')).code).toBe(0);
    expect(f.status('v')).toBe('done');
    expect((await f.wo('clean', 'v')).code).toBe(0);
    depsIntact();
  });
});
