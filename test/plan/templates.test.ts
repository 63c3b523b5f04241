// Placeholders, git branch name rules and the worktrees templates.
import {
  branchTemplateProblem,
  fillTemplate,
  placeholders,
  refNameProblem,
  unknownPlaceholder,
  worktreesDirProblem,
} from '../../src/plan/templates.js';

test('placeholders finds {name} but not ${NAME} or {} or {a,b}', () => {
  expect(placeholders('x {prompt} ${HOME} {} {a,b} {prompt_file}')).toEqual(['prompt', 'prompt_file']);
  expect(fillTemplate('{feature}/{repo}/{x} ${feature}', { feature: 'f', repo: 'r' })).toBe(
    'f/r/{x} ${feature}',
  );
});

test('unknownPlaceholder suggests the nearest and lists the valid ones', () => {
  expect(unknownPlaceholder('{promt}', ['prompt', 'task'])).toBe(
    'unknown placeholder {promt} (did you mean {prompt}? valid here: {prompt}, {task})',
  );
  expect(unknownPlaceholder('{zzz}', ['task'])).toBe('unknown placeholder {zzz} (valid here: {task})');
  expect(unknownPlaceholder('{task}', ['task'])).toBeUndefined();
});

test.each([
  ['wo/login', undefined],
  ['feature/a-b_c.d', undefined],
  ['', 'it is empty'],
  ['@', 'it is "@"'],
  ['-x', 'it starts with "-"'],
  ['a b', 'it contains a space'],
  ['a\tb', 'it contains a space'],
  ['a\u0001b', 'it contains a control character'],
  ['a~1', 'it contains "~"'],
  ['a^', 'it contains "^"'],
  ['a:b', 'it contains ":"'],
  ['a?', 'it contains "?"'],
  ['a*', 'it contains "*"'],
  ['a[b', 'it contains "["'],
  ['a\\b', 'it contains "\\"'],
  ['a..b', 'it contains ".."'],
  ['a@{b', 'it contains "@{"'],
  ['a//b', 'it contains "//"'],
  ['/a', 'it starts or ends with "/"'],
  ['a/', 'it starts or ends with "/"'],
  ['a.', 'it ends with "."'],
  ['a/.b', 'a part starts with "." (".b")'],
  ['a.lock/b', 'a part ends with ".lock" ("a.lock")'],
])('refNameProblem(%p) = %p', (name, problem) => {
  expect(refNameProblem(name)).toBe(problem);
});

test('worktrees.dir may only use {repo}', () => {
  expect(worktreesDirProblem('../{repo}-worktrees')).toBeUndefined();
  expect(worktreesDirProblem('../{feature}')).toMatch(
    /^unknown placeholder \{feature\} \(valid here: \{repo\}\)/,
  );
});

test('worktrees.branch needs {feature}, known placeholders, and a valid result', () => {
  const sample = { feature: 'login', repo: 'shop' };
  expect(branchTemplateProblem('wo/{feature}', sample)).toBeUndefined();
  expect(branchTemplateProblem('{repo}/{feature}', sample)).toBeUndefined();
  expect(branchTemplateProblem('wo/{repo}', sample)).toMatch(/^must contain \{feature\}/);
  expect(branchTemplateProblem('{user}/{feature}', sample)).toMatch(/^unknown placeholder \{user\}/);
  expect(branchTemplateProblem('{repo}/{feature}', { feature: 'login', repo: 'my shop' })).toBe(
    'gives "my shop/login", which is not a valid git branch name: it contains a space',
  );
});
