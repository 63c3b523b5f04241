// A broken configuration fails loudly, naming its file (and line:column for YAML and JSON); never a fallback.
import { loadPlan } from '../../src/plan/index.js';
import { formatIssue } from '../../src/errors.js';
import { issuesOf, PLAN, removeTempDirs, short, tempDir } from './helpers.js';

afterAll(removeTempDirs);

/** The issues loading a plan gives with `files` in a fresh repository, as printed. */
async function problems(files: Record<string, string>, plan = PLAN): Promise<string[]> {
  const repo = await tempDir({ ...files, 'workers.yaml': plan }, { git: true });
  const issues = await issuesOf(loadPlan('workers.yaml', { cwd: repo, env: {} }));
  return issues.map(formatIssue);
}

test.each([
  [
    'bad YAML',
    '.worc.yaml',
    'defaults:\n  agent: "codex\n',
    ['.worc.yaml:2:10: unclosed " quote (add the closing quote)'],
  ],
  [
    'bad JSON: an unclosed brace',
    '.worc.json',
    '{\n  "concurrency": 2,\n  "defaults": { "agent": "codex" }\n',
    ['.worc.json:1:1: unclosed "{" (add the closing "}")'],
  ],
  [
    'bad JSON: a missing comma',
    '.worc.json',
    '{\n  "concurrency": 2\n  "defaults": {}\n}\n',
    ['.worc.json:2:18: missing "," between items, or ":" after a key'],
  ],
  [
    'bad JSON: a missing colon',
    '.worc.json',
    '{\n  "concurrency" 2\n}\n',
    ['.worc.json:2:17: missing "," between items, or ":" after a key'],
  ],
  [
    'bad YAML in .worc',
    '.worc',
    'concurrency: 2\n\tdefaults: {}\n',
    ['.worc:2:1: a tab is used for indentation (YAML indents with spaces)'],
  ],
  [
    'an unknown key',
    '.worc.yml',
    'concurrncy: 2\ntmux:\n  sockt: x\n',
    [
      '.worc.yml:1:1 concurrncy: unknown key "concurrncy" (did you mean "concurrency"?)',
      '.worc.yml:3:3 tmux.sockt: unknown key "sockt" (did you mean "socket"?)',
    ],
  ],
  [
    'plan-only keys',
    '.worc.yaml',
    'version: 1\nworkers: []\n',
    [
      '.worc.yaml:1:1 version: unknown key "version" (valid keys: concurrency, defaults, worktrees, agents, tmux, report)',
      '.worc.yaml:2:1 workers: unknown key "workers" (valid keys: concurrency, defaults, worktrees, agents, tmux, report)',
    ],
  ],
  [
    'wrong types',
    '.worc.yaml',
    'concurrency: "2"\ndefaults: { retries: many, env: [A] }\ntmux: { socket: a/b, prefix: "w t" }\nreport: { dir: "r/{runid}" }\n',
    [
      '.worc.yaml:1:14 concurrency: must be a whole number >= 1, got "2"',
      '.worc.yaml:2:22 defaults.retries: must be a whole number >= 0, got "many"',
      '.worc.yaml:2:33 defaults.env: must be a mapping of names to strings, got a list',
      '.worc.yaml:3:17 tmux.socket: must be a tmux socket name, without "/" or spaces',
      '.worc.yaml:3:30 tmux.prefix: may only contain letters, digits, "-" and "_" (tmux session names)',
      '.worc.yaml:4:16 report.dir: unknown placeholder {runid} (did you mean {run_id}? valid here: {run_id})',
    ],
  ],
  [
    'a list instead of a mapping',
    '.worc.yaml',
    '- concurrency: 2\n',
    [
      '.worc.yaml:1:1: the configuration must be a mapping of settings (concurrency, defaults, worktrees, agents, tmux, report), got a list',
    ],
  ],
  [
    'a module exporting a function',
    '.worc.cjs',
    'module.exports = () => ({ concurrency: 2 });\n',
    [
      '.worc.cjs: the configuration must be a mapping of settings (concurrency, defaults, worktrees, agents, tmux, report), got a function',
    ],
  ],
  [
    'a bad key in package.json, positioned in package.json',
    'package.json',
    '{\n  "name": "shop",\n  "wo": {\n    "concurrency": 0\n  }\n}\n',
    ['package.json:4:20 concurrency: must be a whole number >= 1, got 0'],
  ],
  [
    'broken package.json',
    'package.json',
    '{ "name": "shop", }\n}\n',
    [
      'package.json:1:19: not valid JSON: Expected double-quoted property name (fix it: wo reads its "wo" key)',
    ],
  ],
  [
    'a module that throws',
    '.worc.mjs',
    'throw new Error("no config for you");\n',
    ['.worc.mjs: cannot load this configuration: no config for you'],
  ],
  [
    'a module with a syntax error',
    'wo.config.cjs',
    'module.exports = {\n',
    ['wo.config.cjs: cannot load this configuration: Unexpected end of input'],
  ],
  [
    'a module exporting a wrong value',
    'wo.config.mjs',
    'export default { concurrency: 0, defaults: { agent: "gemini" } };\n',
    [
      'wo.config.mjs concurrency: must be a whole number >= 1, got 0',
      'wo.config.mjs defaults.agent: unknown agent "gemini" (valid agents: claude, claude-print, codex, aider, shell; or define it under agents:)',
    ],
  ],
])('%s: fails naming the file', async (_what, file, text, expected) => {
  expect(await problems({ [file]: text })).toEqual(expected);
});

test('plan and config problems are reported together, the plan first, under one count', async () => {
  const repo = await tempDir(
    {
      '.worc.yaml': 'concurrncy: 2\n',
      'workers.yaml': 'version: 1\nworkers:\n  - feature: login\n    taks: x\n',
    },
    { git: true },
  );
  const error = await loadPlan('workers.yaml', { cwd: repo, env: {} }).catch((e: Error) => e);
  expect((error as Error).message).toBe(
    [
      '3 problems in workers.yaml and .worc.yaml:',
      'workers.yaml:3:5 workers[0]: missing required key "task" (what the agent should do)',
      'workers.yaml:4:5 workers[0].taks: unknown key "taks" (did you mean "task"?)',
      '.worc.yaml:1:1 concurrncy: unknown key "concurrncy" (did you mean "concurrency"?)',
    ].join('\n'),
  );
});

test("the config's defaults.agent may name an agent the plan defines", async () => {
  const repo = await tempDir(
    {
      '.worc.yaml': 'defaults: { agent: mine }\n',
      'workers.yaml': `version: 1\nagents: { mine: { command: [mine] } }\nworkers:\n  - feature: a\n    task: t\n`,
    },
    { git: true },
  );
  expect((await loadPlan('workers.yaml', { cwd: repo, env: {} })).workers[0]!.agent).toBe('mine');
});

test('a plan may use agents the config defines; an unreadable config hides no plan problem but invents none', async () => {
  const plan = 'version: 1\nworkers:\n  - feature: a\n    task: t\n    agent: mine\n    retries: -1\n';
  const ok = await tempDir(
    { '.worc.yaml': 'agents: { mine: { command: [mine] } }\n', 'workers.yaml': plan },
    { git: true },
  );
  expect((await issuesOf(loadPlan('workers.yaml', { cwd: ok, env: {} }))).map(short)).toEqual([
    '6:14 workers[0].retries: must be a whole number >= 0, got -1',
  ]);
  expect(await problems({ '.worc.yaml': 'agents: { mine: { command: [mine] }\n' }, plan)).toEqual([
    'workers.yaml:6:14 workers[0].retries: must be a whole number >= 0, got -1',
    '.worc.yaml:1:9: unclosed "{" (add the closing "}")',
  ]);
});

test('a config outside cwd is named by its absolute path', async () => {
  const repo = await tempDir({ '.worc.yaml': 'concurrency: 0\n', 'sub/workers.yaml': PLAN }, { git: true });
  const issues = await issuesOf(loadPlan('workers.yaml', { cwd: `${repo}/sub`, env: {} }));
  expect(issues.map((i) => i.file)).toEqual([`${repo}/.worc.yaml`]);
});
