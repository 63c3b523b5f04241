// Finding the configuration: every search place, nearest first, up to the repository root, then the user's.
import { join } from 'node:path';
import { loadConfigOrThrow } from '../../src/plan/config.js';
import { findRepoRoot, foldersUpward } from '../../src/plan/repo-root.js';
import { loadPlan } from '../../src/plan/index.js';
import { PLAN, removeTempDirs, tempDir, writeFiles } from './helpers.js';

afterAll(removeTempDirs);

/** Each search place, holding `concurrency: 7` in its own format. */
const PLACES: [string, string][] = [
  ['package.json', JSON.stringify({ name: 'shop', wo: { concurrency: 7 } })],
  ['.worc', 'concurrency: 7\n'],
  ['.worc.json', '{ "concurrency": 7 }\n'],
  ['.worc.yaml', 'concurrency: 7\n'],
  ['.worc.yml', 'concurrency: 7\n'],
  ['.worc.js', 'module.exports = { concurrency: 7 };\n'],
  ['.worc.mjs', 'export default { concurrency: 7 };\n'],
  ['.worc.cjs', 'module.exports = { concurrency: 7 };\n'],
  ['wo.config.js', 'module.exports = { concurrency: 7 };\n'],
  ['wo.config.mjs', 'export default { concurrency: 7 };\n'],
  ['wo.config.cjs', 'module.exports = { concurrency: 7 };\n'],
  ['wo.config.ts', 'const config: { concurrency: number } = { concurrency: 7 };\nexport default config;\n'],
];

test.each(PLACES)('%s at the repository root is found from a nested plan folder', async (place, text) => {
  const repo = await tempDir({ [place]: text, 'a/b/workers.yaml': PLAN }, { git: true });
  const plan = await loadPlan('a/b/workers.yaml', { cwd: repo, env: {} });
  expect(plan.configFile).toBe(join(repo, place));
  expect(plan.concurrency).toBe(7);
});

test('package.json without a wo key, and empty files, are skipped', async () => {
  const repo = await tempDir(
    {
      '.worc.yaml': 'concurrency: 5\n',
      'a/package.json': '{ "name": "inner" }',
      'a/.worc': '',
      'a/.worc.yml': '# nothing yet\n',
      'a/workers.yaml': PLAN,
    },
    { git: true },
  );
  const plan = await loadPlan('a/workers.yaml', { cwd: repo, env: {} });
  expect(plan.configFile).toBe(join(repo, '.worc.yaml'));
});

test('the nearest folder wins, and within a folder the first place in the order', async () => {
  const repo = await tempDir(
    {
      '.worc.yaml': 'concurrency: 5\n',
      'a/.worc.json': '{ "concurrency": 6 }',
      'a/.worc.yaml': 'concurrency: 9\n',
      'a/b/workers.yaml': PLAN,
    },
    { git: true },
  );
  const plan = await loadPlan('a/b/workers.yaml', { cwd: repo, env: {} });
  expect(plan.configFile).toBe(join(repo, 'a/.worc.json'));
  expect(plan.concurrency).toBe(6);
});

test('the search stops at the repository root: a config above it does not apply', async () => {
  const outer = await tempDir({ '.worc.yaml': 'concurrency: 9\n', 'repo/workers.yaml': PLAN });
  await writeFiles(outer, { 'repo/.git': 'gitdir: /elsewhere\n' }); // a worktree's .git is a file
  expect(findRepoRoot(join(outer, 'repo'))).toBe(join(outer, 'repo'));
  const plan = await loadPlan('repo/workers.yaml', { cwd: outer, env: {} });
  expect(plan.configFile).toBeUndefined();
  expect(plan.concurrency).toBe(4);
});

test('without a repository the search goes on up', async () => {
  const outer = await tempDir({ '.worc.yaml': 'concurrency: 9\n', 'x/y/workers.yaml': PLAN });
  expect(foldersUpward(join(outer, 'x/y'), outer)).toEqual([join(outer, 'x/y'), join(outer, 'x'), outer]);
  const plan = await loadPlan('x/y/workers.yaml', { cwd: outer, env: {} });
  expect(plan.configFile).toBe(join(outer, '.worc.yaml'));
});

test("the user's folder ($XDG_CONFIG_HOME/wo, else ~/.config/wo) applies when the repository has none", async () => {
  const home = await tempDir({
    'xdg/wo/config.yaml': 'concurrency: 3\n',
    'home/.config/wo/config.json': '{ "concurrency": 2 }',
  });
  const repo = await tempDir({ 'workers.yaml': PLAN }, { git: true });
  const xdg = await loadPlan('workers.yaml', { cwd: repo, env: { XDG_CONFIG_HOME: join(home, 'xdg') } });
  expect([xdg.configFile, xdg.concurrency]).toEqual([join(home, 'xdg/wo/config.yaml'), 3]);
  const homeOnly = await loadPlan('workers.yaml', { cwd: repo, env: { HOME: join(home, 'home') } });
  expect([homeOnly.configFile, homeOnly.concurrency]).toEqual([join(home, 'home/.config/wo/config.json'), 2]);

  await writeFiles(repo, { '.worc.yaml': 'concurrency: 8\n' });
  const both = await loadPlan('workers.yaml', { cwd: repo, env: { XDG_CONFIG_HOME: join(home, 'xdg') } });
  expect([both.configFile, both.concurrency]).toEqual([join(repo, '.worc.yaml'), 8]);
});

test('every config key reaches the resolved plan', async () => {
  const repo = await tempDir(
    {
      '.worc.yaml': [
        '$schema: ./node_modules/wo/schemas/config.schema.json',
        'concurrency: 2',
        'defaults: { agent: mine, base: develop, timeout: 10m, retries: 2, setup: make, copy: [.env], verify: make test, env: { A: "1" } }',
        'worktrees: { dir: ../trees, branch: "job/{feature}" }',
        'agents: { mine: { command: [mine, "{prompt}"], env: { M: x } } }',
        'tmux: { socket: wo-test, prefix: job- }',
        'report: { dir: "reports/{run_id}" }',
        '',
      ].join('\n'),
      'workers.yaml': PLAN,
    },
    { git: true },
  );
  const plan = await loadPlan('workers.yaml', { cwd: repo, env: {} });
  expect(plan.concurrency).toBe(2);
  expect(plan.worktrees).toEqual({ dir: '../trees', branch: 'job/{feature}' });
  expect(plan.agents.mine).toEqual({ command: ['mine', '{prompt}'], env: { M: 'x' }, exitsWhenDone: true });
  expect(plan.tmux).toEqual({ socket: 'wo-test', prefix: 'job-' });
  expect(plan.report).toEqual({ dir: 'reports/{run_id}' });
  expect(plan.workers[0]).toMatchObject({
    agent: 'mine',
    base: 'develop',
    timeoutMs: 600_000,
    retries: 2,
    setup: ['make'],
    copy: ['.env'],
    verify: 'make test',
    env: { A: '1' },
  });
});

test('loadConfigOrThrow: the configuration for commands without a plan', async () => {
  const repo = await tempDir({ '.worc.yaml': 'tmux: { socket: s }\n', 'sub/.keep': '' }, { git: true });
  expect(await loadConfigOrThrow(join(repo, 'sub'), { cwd: repo, env: {} })).toEqual({
    file: join(repo, '.worc.yaml'),
    config: { tmux: { socket: 's' } },
  });
  const empty = await tempDir({}, { git: true });
  expect(await loadConfigOrThrow(empty, { cwd: empty, env: {} })).toEqual({ config: {} });
  await writeFiles(repo, { '.worc.yaml': 'tmux: { sockt: s }\n' });
  await expect(loadConfigOrThrow(repo, { cwd: repo, env: {} })).rejects.toThrow(
    '.worc.yaml:1:9 tmux.sockt: unknown key "sockt" (did you mean "socket"?)',
  );
});
