// Precedence, key by key: flags > the worker's own fields > plan defaults > config defaults > built-in.
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/index.js';
import { resolvePlan, resolveSettings, type ResolveInput } from '../../src/plan/resolve.js';
import type { ConfigFile, PlanFile, WorkerDefaults } from '../../src/plan/schema-types.js';
import { DEFAULTS, type WorkerSpec } from '../../src/plan/types.js';
import { PRESETS } from '../../src/plan/presets.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

/** For each worker field: a value per source (weakest first), and what each resolves to. */
const FIELDS: {
  key: keyof WorkerDefaults;
  values: { config: unknown; plan: unknown; worker: unknown; flag?: string };
  out: keyof WorkerSpec;
  resolved: { builtIn: unknown; config: unknown; plan: unknown; worker: unknown; flag?: unknown };
}[] = [
  {
    key: 'agent',
    values: { config: 'codex', plan: 'aider', worker: 'shell' },
    out: 'agent',
    resolved: { builtIn: 'claude', config: 'codex', plan: 'aider', worker: 'shell' },
  },
  {
    key: 'model',
    values: { config: 'haiku', plan: 'sonnet', worker: 'opus' },
    out: 'model',
    resolved: { builtIn: undefined, config: 'haiku', plan: 'sonnet', worker: 'opus' },
  },
  {
    key: 'base',
    values: { config: 'develop', plan: 'main', worker: 'wo/login' },
    out: 'base',
    resolved: { builtIn: undefined, config: 'develop', plan: 'main', worker: 'wo/login' },
  },
  {
    key: 'timeout',
    values: { config: '30m', plan: '45m', worker: 3600, flag: '90s' },
    out: 'timeoutMs',
    resolved: { builtIn: undefined, config: 1_800_000, plan: 2_700_000, worker: 3_600_000, flag: 90_000 },
  },
  {
    key: 'retries',
    values: { config: 1, plan: 2, worker: 0 },
    out: 'retries',
    resolved: { builtIn: 0, config: 1, plan: 2, worker: 0 },
  },
  {
    key: 'setup',
    values: { config: 'make', plan: ['npm ci', 'npm run build'], worker: [] },
    out: 'setup',
    resolved: { builtIn: [], config: ['make'], plan: ['npm ci', 'npm run build'], worker: [] },
  },
  {
    key: 'copy',
    values: { config: ['.env'], plan: ['.env.local'], worker: ['a/b.json'] },
    out: 'copy',
    resolved: { builtIn: [], config: ['.env'], plan: ['.env.local'], worker: ['a/b.json'] },
  },
  {
    key: 'verify',
    values: { config: 'make test', plan: 'npm test', worker: 'npm run e2e' },
    out: 'verify',
    resolved: { builtIn: undefined, config: 'make test', plan: 'npm test', worker: 'npm run e2e' },
  },
  {
    key: 'env',
    values: { config: { A: 'config', B: 'config' }, plan: { B: 'plan', C: 'plan' }, worker: { C: 'worker' } },
    out: 'env',
    resolved: {
      builtIn: {},
      config: { A: 'config', B: 'config' },
      plan: { A: 'config', B: 'plan', C: 'plan' },
      worker: { A: 'config', B: 'plan', C: 'worker' },
    },
  },
];

const LEVELS = ['builtIn', 'config', 'plan', 'worker', 'flag'] as const;

/** Sources up to `level` set `key`; the weaker ones are set too, so that each level must beat them. */
function input(
  key: keyof WorkerDefaults,
  values: (typeof FIELDS)[number]['values'],
  level: number,
): ResolveInput {
  const set = (l: (typeof LEVELS)[number]) => LEVELS.indexOf(l) <= level;
  const config: ConfigFile = set('config') ? { defaults: { [key]: values.config } } : {};
  const plan = {
    version: 1,
    ...(set('plan') && { defaults: { [key]: values.plan } }),
    workers: [{ feature: 'login', task: 't', ...(set('worker') && { [key]: values.worker }) }],
  } as PlanFile;
  const flags = set('flag') && values.flag !== undefined ? { timeout: values.flag } : {};
  return { file: '/x/workers.yaml', plan, config, flags, env: {} };
}

describe.each(FIELDS)('$key', ({ key, values, out, resolved }) => {
  test.each(LEVELS.map((l, i) => [l, i] as const).filter(([l]) => l in resolved))(
    'set up to %s: that source wins',
    (level, i) => {
      const worker = resolvePlan(input(key, values, i)).workers[0]!;
      expect(worker[out]).toEqual(resolved[level]);
    },
  );
});

test('concurrency: flag > plan > config > built-in', () => {
  const base: ResolveInput = {
    file: '/x/workers.yaml',
    plan: { version: 1, workers: [{ feature: 'a', task: 't' }] },
    config: {},
    flags: {},
    env: {},
  };
  expect(resolvePlan(base).concurrency).toBe(DEFAULTS.concurrency);
  expect(resolvePlan({ ...base, config: { concurrency: 2 } }).concurrency).toBe(2);
  expect(
    resolvePlan({ ...base, config: { concurrency: 2 }, plan: { ...base.plan, concurrency: 3 } }).concurrency,
  ).toBe(3);
  expect(
    resolvePlan({
      ...base,
      config: { concurrency: 2 },
      plan: { ...base.plan, concurrency: 3 },
      flags: { concurrency: 5 },
    }).concurrency,
  ).toBe(5);
});

test('worktrees, agents, tmux and report: plan > config > built-in; WO_TMUX_SOCKET > config', () => {
  const plan: PlanFile = {
    version: 1,
    worktrees: { branch: 'plan/{feature}' },
    agents: { both: { command: ['plan-agent'] }, claude: { command: ['my-claude', '{prompt}'] } },
    workers: [{ feature: 'a', task: 't' }],
  };
  const config: ConfigFile = {
    worktrees: { dir: '../config-trees', branch: 'config/{feature}' },
    agents: { both: { command: ['config-agent'] }, mine: { command: ['mine'], env: { M: '1' } } },
    tmux: { socket: 'config-socket', prefix: 'job-' },
    report: { dir: 'reports/{run_id}' },
  };
  const resolved = resolvePlan({ file: '/x/w.yaml', plan, config, flags: {}, env: {} });
  expect(resolved.worktrees).toEqual({ dir: '../config-trees', branch: 'plan/{feature}' });
  expect(resolved.agents.both!.command).toEqual(['plan-agent']);
  expect(resolved.agents.mine).toEqual({ command: ['mine'], env: { M: '1' }, exitsWhenDone: true });
  expect(resolved.agents.claude).toEqual({ command: ['my-claude', '{prompt}'], exitsWhenDone: true });
  expect(resolved.agents.codex).toEqual(PRESETS.codex);
  expect(resolved.tmux).toEqual({ socket: 'config-socket', prefix: 'job-' });
  expect(resolved.report).toEqual({ dir: 'reports/{run_id}' });

  const withEnv = resolvePlan({
    file: '/x/w.yaml',
    plan,
    config,
    flags: {},
    env: { WO_TMUX_SOCKET: 'env-socket' },
  });
  expect(withEnv.tmux.socket).toBe('env-socket');
  const builtIn = resolvePlan({
    file: '/x/w.yaml',
    plan: { version: 1, workers: plan.workers },
    config: {},
    flags: {},
    env: {},
  });
  expect(builtIn.worktrees).toEqual({ dir: DEFAULTS.worktreesDir, branch: DEFAULTS.branch });
  expect(builtIn.tmux).toEqual({ prefix: DEFAULTS.sessionPrefix });
  expect(builtIn.report).toEqual({});
});

test('resolveSettings: a command without a plan gets the config as wo run does, adapters included', () => {
  const config: ConfigFile = {
    concurrency: 2,
    worktrees: { dir: '../trees' },
    agents: { mine: { command: ['claude', '{prompt}'], adapter: 'claude' } },
    defaults: { agent: 'mine', base: 'develop', env: { A: 'config', B: 'config' } },
  };
  const alone = resolveSettings({ config, env: {} });
  expect(alone.agents.mine).toEqual({
    command: ['claude', '{prompt}'],
    adapter: 'claude',
    exitsWhenDone: false,
  });
  expect(alone.agents.shell).toEqual(PRESETS.shell);
  expect(alone.defaults).toEqual({ agent: 'mine', base: 'develop', env: { A: 'config', B: 'config' } });
  expect(alone.worktrees).toEqual({ dir: '../trees', branch: DEFAULTS.branch });
  expect(alone.concurrency).toBe(2);
  // The same config under a plan: the plan's settings over the config's, flags over both.
  const plan: PlanFile = {
    version: 1,
    defaults: { agent: 'shell', env: { B: 'plan' } },
    workers: [{ feature: 'a', task: 't' }],
  };
  const withPlan = resolvePlan({ file: '/x/w.yaml', plan, config, flags: { concurrency: 7 }, env: {} });
  expect(withPlan.agents.mine).toEqual(alone.agents.mine);
  expect(withPlan.defaults).toEqual({ agent: 'shell', base: 'develop', env: { A: 'config', B: 'plan' } });
  expect(withPlan.concurrency).toBe(7);
  expect(resolveSettings({ config: {}, env: {} }).defaults).toEqual({ agent: DEFAULTS.agent, env: {} });
});

test('needs are kept in order without repeats', () => {
  const plan: PlanFile = {
    version: 1,
    workers: [
      { feature: 'a', task: 't' },
      { feature: 'b', task: 't' },
      { feature: 'c', task: 't', needs: ['b', 'a', 'b'] },
    ],
  };
  expect(resolvePlan({ file: '/x', plan, config: {}, flags: {}, env: {} }).workers[2]!.needs).toEqual([
    'b',
    'a',
  ]);
});

describe('through loadPlan, with real files', () => {
  test('flag > worker > plan defaults > config file > built-in, for timeout and concurrency', async () => {
    const repo = await tempDir(
      {
        '.worc.yaml':
          'concurrency: 2\ndefaults:\n  timeout: 30m\n  retries: 3\n  agent: mine\nagents:\n  mine: { command: [mine] }\n',
        'plans/workers.yaml': [
          'version: 1',
          'defaults:',
          '  timeout: 45m',
          'workers:',
          '  - feature: own',
          '    task: t',
          '    timeout: 1h',
          '  - feature: plan',
          '    task: t',
          '',
        ].join('\n'),
      },
      { git: true },
    );
    const plan = await loadPlan('plans/workers.yaml', { cwd: repo, env: {} });
    expect(plan.configFile).toBe(join(repo, '.worc.yaml'));
    expect(plan.concurrency).toBe(2);
    expect(plan.workers.map((w) => [w.feature, w.timeoutMs, w.retries, w.agent])).toEqual([
      ['own', 3_600_000, 3, 'mine'],
      ['plan', 2_700_000, 3, 'mine'],
    ]);
    const flagged = await loadPlan('plans/workers.yaml', {
      cwd: repo,
      env: { WO_TMUX_SOCKET: 'iso' },
      flags: { concurrency: 6, timeout: '5m' },
    });
    expect(flagged.concurrency).toBe(6);
    expect(flagged.workers.map((w) => w.timeoutMs)).toEqual([300_000, 300_000]);
    expect(flagged.tmux.socket).toBe('iso');
  });

  test('bad flags are usage errors, before the plan is read', async () => {
    const opts = (flags: object) => ({ cwd: '/nonexistent', env: {}, flags });
    await expect(loadPlan('missing.yaml', opts({ concurrency: 0 }))).rejects.toThrow(
      '--concurrency must be a whole number >= 1, got 0',
    );
    await expect(loadPlan('missing.yaml', opts({ concurrency: 1.5 }))).rejects.toMatchObject({ exitCode: 2 });
    await expect(loadPlan('missing.yaml', opts({ timeout: '45 minutes' }))).rejects.toThrow(
      '--timeout: "45 minutes" is not a duration (use 90s, 10m, 1h30m)',
    );
  });
});

test("defaults' model for a worker no plan describes: the plan's over the config's, models first", () => {
  const settings = (plan: WorkerDefaults | undefined, config: WorkerDefaults | undefined) =>
    resolveSettings({
      plan: plan ? { defaults: plan } : {},
      config: config ? { defaults: config } : {},
      flags: {},
      env: {},
    }).defaults.model;
  expect(settings(undefined, undefined)).toBeUndefined();
  expect(settings(undefined, { model: 'haiku' })).toBe('haiku');
  expect(settings({ models: ['opus', 'sonnet'] }, { model: 'haiku' })).toBe('opus');
  expect(settings({ model: 'sonnet' }, { models: ['haiku'] })).toBe('sonnet');
});
