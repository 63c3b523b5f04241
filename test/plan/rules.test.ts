// The semantic rules on parsed values, without YAML.
import { configRules, planRules } from '../../src/plan/rules.js';
import { formatPath } from '../../src/plan/issues.js';

const ctx = { agents: ['claude', 'shell'], repo: 'shop' };
const w = (feature: string, needs: string[] = []) => ({ feature, task: 't', needs });
const messages = (plan: unknown) => planRules(plan, ctx).map((i) => `${formatPath(i.path)}: ${i.message}`);

test('a valid plan has no issues', () => {
  expect(messages({ version: 1, workers: [w('a'), w('b', ['a'])] })).toEqual([]);
});

test('every cycle is named once, from its first worker', () => {
  expect(messages({ workers: [w('a', ['b']), w('b', ['c']), w('c', ['a', 'b'])] })).toEqual([
    'workers[0].needs[0]: needs cycle: a -> b -> c -> a (remove one of these needs)',
    'workers[1].needs[0]: needs cycle: b -> c -> b (remove one of these needs)',
  ]);
});

test('a self need is not also a cycle', () => {
  expect(messages({ workers: [w('a', ['a'])] })).toEqual([
    'workers[0].needs[0]: "a" needs itself (remove it)',
  ]);
});

test('an unknown agent is checked only when the agents are known', () => {
  const plan = { workers: [{ feature: 'a', task: 't', agent: 'nope' }] };
  expect(planRules(plan, ctx)).toHaveLength(1);
  expect(planRules(plan, { repo: 'shop' })).toEqual([]);
});

test('rules tolerate values of the wrong shape (the schema reports those)', () => {
  for (const bad of [
    null,
    3,
    'x',
    [],
    { workers: 3 },
    { workers: [null, 3, { needs: 'a' }] },
    { defaults: [] },
  ])
    expect(() => planRules(bad, ctx)).not.toThrow();
  expect(configRules([], ctx)).toEqual([]);
});

test('config rules check report.dir placeholders, templates and defaults', () => {
  const issues = configRules(
    { report: { dir: '.wo/{run}' }, worktrees: { branch: 'x' }, defaults: { agent: 'nope', timeout: '0s' } },
    ctx,
  ).map((i) => formatPath(i.path));
  expect(issues.sort()).toEqual(['defaults.agent', 'defaults.timeout', 'report.dir', 'worktrees.branch']);
});

test('best of N: unknown try agents, and a worker that would share a try session, are refused', () => {
  const plan = {
    workers: [
      { feature: 'parser', task: 't', best_of: 3, agents: ['claude', 'codx'] },
      { feature: 'parser-try2', task: 't' },
      { feature: 'parser-try4', task: 't' },
    ],
  };
  expect(messages(plan)).toEqual([
    'workers[0].agents[1]: unknown agent "codx" (valid agents: claude, shell; or define it under agents:)',
    'workers[1].feature: "parser-try2" would share its tmux session with try 2 of "parser" (best_of: 3, sessions wt-parser-try1…): rename one of them',
  ]);
  // One try is an ordinary worker: no try sessions to share.
  expect(
    messages({
      workers: [
        { feature: 'a', task: 't', best_of: 1 },
        { feature: 'a-try1', task: 't' },
      ],
    }),
  ).toEqual([]);
});

test('a {model} agent among the try agents needs a model', () => {
  const plan = {
    agents: { mine: { command: ['mine', '{model}'] } },
    workers: [
      { feature: 'a', task: 't', best_of: 2, agents: ['shell', 'mine'] },
      { feature: 'b', task: 't', best_of: 2, agents: ['shell', 'mine'], models: ['x'] },
    ],
  };
  const known = { agents: ['shell', 'mine'], repo: 'shop' };
  expect(planRules(plan, known).map((i) => `${formatPath(i.path)}: ${i.message}`)).toEqual([
    'workers[0].feature: agent "mine" takes {model} in its command: give this worker a model (model: …), or set defaults.model',
  ]);
});
