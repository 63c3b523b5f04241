// editDistance and the did-you-mean choice.
import { closest, editDistance } from '../../src/plan/suggest.js';

test('editDistance counts inserts, deletes, substitutions and swaps', () => {
  expect(editDistance('task', 'task')).toBe(0);
  expect(editDistance('taks', 'task')).toBe(1);
  expect(editDistance('tsk', 'task')).toBe(1);
  expect(editDistance('tasks', 'task')).toBe(1);
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('', 'abc')).toBe(3);
});

test('closest suggests near words only', () => {
  const keys = [
    'feature',
    'task',
    'needs',
    'agent',
    'base',
    'timeout',
    'retries',
    'setup',
    'copy',
    'verify',
    'env',
  ];
  expect(closest('taks', keys)).toBe('task');
  expect(closest('Task', keys)).toBe('task');
  expect(closest('timout', keys)).toBe('timeout');
  expect(closest('retry', keys)).toBe('retries');
  expect(closest('depends_on', keys)).toBe('needs');
  expect(closest('priority', keys)).toBeUndefined();
  expect(closest('x', keys)).toBeUndefined();
});
