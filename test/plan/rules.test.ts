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
