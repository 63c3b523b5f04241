// A worker's model reaches its agent the agent's own way (SPEC §11): the argv each agent gets, the
// plan's rules on models, and what the dry run shows.
import { join } from 'node:path';
import { adapterOf, modelArgs, presetOf, registry } from '../../src/agents/index.js';
import { loadPlan } from '../../src/plan/index.js';
import { agentArgv, placeholderValues } from '../../src/session/launch.js';
import { dryRunText } from '../../src/run/dry-run.js';
import { defaultLayout, locate } from '../../src/worktree/layout.js';
import type { Workspace } from '../../src/workspace.js';
import { issuesOf, removeTempDirs, tempDir } from '../plan/helpers.js';

afterAll(removeTempDirs);

const w = { task: 't', feature: 'f', worktree: '/wt/f', branch: 'wo/f' };

/** The argv a preset worker gets before what its adapter adds per worker: command, then model. */
function argvOf(agent: string, model: string | undefined): string[] {
  const a = registry.named(agent)!;
  const def = presetOf(a);
  const values = placeholderValues({ ...w, ...(model !== undefined && { model }) }, 'P');
  return [...agentArgv(def.command, values), ...modelArgs(adapterOf(agent, def), def, model)];
}

test.each([
  ['claude', ['--model', 'opus']],
  ['claude-print', ['--model', 'opus']],
  ['codex', ['-m', 'opus']],
  ['aider', ['--model', 'opus']],
])('%s is told its model its own way', (agent, args) => {
  const argv = argvOf(agent, 'opus');
  expect(argv.slice(-2)).toEqual(args);
  expect(argvOf(agent, undefined)).toEqual(argv.slice(0, -2));
});

test('the shell agent takes no model', () => {
  expect(argvOf('shell', 'opus')).toEqual(['sh', '-c', 't']);
});

test('a custom agent gets the model as {model}, and its adapter adds no second one', () => {
  const def = { command: ['my-agent', '--llm={model}', '{prompt}'], adapter: 'claude' as const };
  const values = placeholderValues({ ...w, model: 'sonnet' }, 'P');
  expect([...agentArgv(def.command, values), ...modelArgs(adapterOf('mine', def), def, 'sonnet')]).toEqual([
    'my-agent',
    '--llm=sonnet',
    'P',
  ]);
  // Without {model} in its command, it follows its adapter's way.
  const plain = { command: ['my-claude', '{prompt}'], adapter: 'claude' as const };
  expect(modelArgs(adapterOf('mine', plain), plain, 'sonnet')).toEqual(['--model', 'sonnet']);
  // A plain command (no adapter) is run as it is.
  expect(modelArgs(adapterOf('mine', { command: ['x'] }), { command: ['x'] }, 'sonnet')).toEqual([]);
});

async function planIn(yaml: string) {
  const dir = await tempDir({ 'workers.yaml': yaml }, { git: true });
  return { dir, load: () => loadPlan(join(dir, 'workers.yaml'), { cwd: dir, env: {} }) };
}

test('model and models resolve per worker: models first, defaults under the worker', async () => {
  const { load } = await planIn(
    [
      'version: 1',
      'defaults: { model: sonnet }',
      'workers:',
      '  - { feature: a, task: t }',
      '  - { feature: b, task: t, model: opus }',
      '  - { feature: c, task: t, models: [haiku, opus] }',
    ].join('\n'),
  );
  const plan = await load();
  expect(plan.workers.map((x) => [x.model, x.models])).toEqual([
    ['sonnet', undefined],
    ['opus', undefined],
    ['haiku', ['haiku', 'opus']],
  ]);
});

test('a model an agent would read as an option, and a {model} agent without one, are refused', async () => {
  const { load } = await planIn(
    [
      'version: 1',
      'agents:',
      '  mine: { command: [my-agent, "--llm={model}", "{prompt}"] }',
      'workers:',
      '  - { feature: a, task: t, model: --help }',
      '  - { feature: b, task: t, models: [opus, "-x"] }',
      '  - { feature: c, task: t, agent: mine }',
      '  - { feature: d, task: t, agent: mine, model: opus }',
    ].join('\n'),
  );
  const issues = (await issuesOf(load())).map((i) => `${i.path}: ${i.message}`);
  expect(issues).toEqual([
    expect.stringMatching(/^workers\[0\]\.model: .*not starting with "-"/),
    expect.stringMatching(/^workers\[1\]\.models\[1\]: .*not starting with "-"/),
    expect.stringMatching(/^workers\[2\]\.feature: agent "mine" takes \{model\}.*give this worker a model/),
  ]);
});

test('the dry run shows the model and the argument that passes it', async () => {
  const { dir, load } = await planIn(
    ['version: 1', 'workers:', '  - { feature: a, task: t, agent: codex, model: gpt-5-codex }'].join('\n'),
  );
  const plan = await load();
  const layout = defaultLayout(dir);
  const ws = { locate: (f: string) => locate(layout, f) } as unknown as Workspace;
  const text = dryRunText(plan, ws, plan.workers, dir, new Set());
  expect(text).toMatch(/^ {2}model {5}gpt-5-codex$/m);
  expect(text).toMatch(/^ {2}command {3}codex exec .* -m gpt-5-codex$/m);
});
