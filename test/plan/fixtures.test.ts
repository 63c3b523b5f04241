// The corpus of invalid plans (test/fixtures/invalid, expectations in expected.json) and the valid plans.
import { cp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlan } from '../../src/plan/index.js';
import { DEFAULTS } from '../../src/plan/types.js';
import { PRESETS } from '../../src/plan/presets.js';
import { issuesOf, removeTempDirs, short, tempDir } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

afterAll(removeTempDirs);

/** A copy of a fixture folder inside a fresh repository, so that no config file around the project applies. */
async function isolated(folder: string): Promise<string> {
  const repo = await tempDir({}, { git: true });
  await cp(join(FIXTURES, folder), repo, { recursive: true });
  return repo;
}

describe('invalid plans', () => {
  let dir: string;
  let expected: Record<string, string[]>;
  let files: string[];
  beforeAll(async () => {
    dir = await isolated('invalid');
    expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Record<string, string[]>;
    files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  });

  test('the corpus is large and every file has its expectations (and only files that exist)', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    expect(Object.keys(expected).sort()).toEqual(files);
    for (const f of files) expect(expected[f]!.length).toBeGreaterThan(0);
  });

  test('each file gives exactly its expected issues: count, line:col, path and message', async () => {
    for (const f of files) {
      const issues = await issuesOf(loadPlan(f, { cwd: dir, env: {} }));
      expect({ f, n: issues.length }).toEqual({ f, n: expected[f]!.length });
      issues.forEach((issue, i) => {
        const m = /^(\d+):(\d+)(?: (.*?))?: (.*)$/s.exec(expected[f]![i]!);
        if (!m) throw new Error(`${f}: bad expectation ${expected[f]![i]}`);
        expect({ f, file: issue.file, at: `${issue.line}:${issue.column}`, path: issue.path }).toEqual({
          f,
          file: f,
          at: `${m[1]}:${m[2]}`,
          path: m[3] ?? '',
        });
        expect(short(issue)).toContain(m[4]!);
      });
    }
  });

  test('a misspelled key gets the nearest valid key', async () => {
    const issues = await issuesOf(loadPlan('unknown-key-worker.yaml', { cwd: dir, env: {} }));
    expect(issues.map(short)).toContain('4:5 workers[0].taks: unknown key "taks" (did you mean "task"?)');
  });

  test('the SPEC example message comes out word for word', async () => {
    const issues = await issuesOf(loadPlan('bad-durations.yaml', { cwd: dir, env: {} }));
    expect(issues.map(short)).toContain(
      '3:12 defaults.timeout: "45 minutes" is not a duration (use 90s, 10m, 1h30m)',
    );
  });
});

describe('valid plans', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await isolated('valid');
  });

  test('full.yaml: every key, resolved', async () => {
    const plan = await loadPlan('full.yaml', { cwd: dir, env: {} });
    expect(plan.file).toBe(join(dir, 'full.yaml'));
    expect(plan.configFile).toBeUndefined();
    expect(plan.concurrency).toBe(3);
    expect(plan.maxRunCostUsd).toBe(20);
    expect(plan.worktrees).toEqual({ dir: '../{repo}-trees', branch: 'feat/{repo}/{feature}' });
    expect(plan.agents['my-agent']).toEqual({
      adapter: 'aider',
      command: ['my-agent', '--prompt-file', '{prompt_file}', '--cwd', '{worktree}'],
      env: { MY_AGENT_MODE: 'batch' },
      exitsWhenDone: true,
    });
    for (const name of Object.keys(PRESETS)) expect(plan.agents[name]).toEqual(PRESETS[name]);
    expect(plan.tmux).toEqual({ prefix: DEFAULTS.sessionPrefix });
    expect(plan.report).toEqual({});
    expect(plan.integrate).toEqual({
      branch: 'wo-integration/{date}-{run_id}',
      base: 'main',
      verify: 'npm test',
      onConflict: 'agent',
      agent: 'claude-print',
      timeoutMs: 45 * 60_000,
    });
    const [login, e2e, docs] = plan.workers;
    expect(login).toEqual({
      feature: 'login',
      task: 'Implement the login API',
      agent: 'claude-print',
      model: 'sonnet',
      models: ['sonnet', 'haiku'],
      base: 'main',
      needs: [],
      timeoutMs: 45 * 60_000,
      retries: 1,
      maxCostUsd: 2.5,
      setup: ['npm ci', 'npm run build'],
      copy: ['.env'],
      link: ['node_modules'],
      sparse: [],
      rateLimitWaitMs: 2 * 3_600_000,
      verify: 'npm test',
      env: { NODE_ENV: 'test', LOG: 'info' },
      index: 0,
    });
    expect(e2e).toEqual({
      feature: 'e2e',
      task: 'Write end-to-end tests for login',
      agent: 'my-agent',
      model: 'opus',
      base: 'wo/login',
      needs: ['login'],
      timeoutMs: 90 * 60_000,
      retries: 0,
      maxCostUsd: 5,
      setup: ['npm ci --ignore-scripts'],
      copy: ['.env', 'config/local.json'],
      link: ['node_modules', '.cache'],
      sparse: ['src/auth', 'test/auth'],
      rateLimitWaitMs: 10 * 60_000,
      verify: 'npm run e2e',
      env: { NODE_ENV: 'test', LOG: 'debug', PORT: '3001' },
      index: 1,
    });
    expect(docs).toMatchObject({
      feature: 'docs_v2',
      task: 'Update the docs.\nMention the login API.\n',
      needs: ['login', 'e2e'],
      model: 'haiku',
      models: ['haiku'],
      bestOf: 3,
      tryAgents: ['claude-print', 'my-agent'],
      judge: 'node bench/score.js',
      until: 'first',
      timeoutMs: 90_000,
      index: 2,
    });
  });

  test('minimal.yaml: built-in defaults everywhere', async () => {
    const plan = await loadPlan('minimal.yaml', { cwd: dir, env: {} });
    expect(plan.concurrency).toBe(DEFAULTS.concurrency);
    expect(plan.worktrees).toEqual({ dir: DEFAULTS.worktreesDir, branch: DEFAULTS.branch });
    expect(Object.keys(plan.agents).sort()).toEqual(Object.keys(PRESETS).sort());
    expect(plan.workers).toEqual([
      {
        feature: 'hello',
        task: 'echo hello > hello.txt',
        agent: DEFAULTS.agent,
        needs: [],
        retries: DEFAULTS.retries,
        setup: [],
        copy: [],
        link: [],
        sparse: [],
        rateLimitWaitMs: 3_600_000,
        env: {},
        index: 0,
      },
    ]);
  });

  test('anchors.yaml: aliases and merge keys', async () => {
    const plan = await loadPlan('anchors.yaml', { cwd: dir, env: {} });
    expect(plan.workers.map((w) => [w.feature, w.agent, w.timeoutMs, w.env])).toEqual([
      ['a', 'shell', 120_000, { A: '1' }],
      ['b', 'shell', 120_000, { A: '1' }],
      ['c', 'shell', 2 * 3_600_000, { A: '1', B: '2' }],
    ]);
  });

  test('the resolved plan is a copy: changing it changes no preset', async () => {
    const plan = await loadPlan('minimal.yaml', { cwd: dir, env: {} });
    plan.agents.claude!.command.push('--oops');
    expect(PRESETS.claude!.command).not.toContain('--oops');
  });
});
