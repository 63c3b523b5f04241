// wo validate: the ok line, every problem on its own line, exit 2, paths relative to ctx.cwd.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { validateCommand } from '../../src/commands/validate.js';
import { memoryOutput, type Context } from '../../src/context.js';
import { PlanError } from '../../src/errors.js';
import { PLAN, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

function context(cwd: string) {
  const io = memoryOutput();
  const ctx: Context = { cwd, env: {}, io, signal: new AbortController().signal };
  return { ctx, io };
}

test('a valid plan: ok, the worker count and the plan as given; exit 0', async () => {
  const repo = await tempDir(
    { 'plans/workers.yaml': `${PLAN}  - feature: signup\n    task: Implement signup\n` },
    { git: true },
  );
  const { ctx, io } = context(repo);
  expect(await validateCommand(ctx, 'plans/workers.yaml')).toBe(0);
  expect(io.stdout).toBe('ok: 2 workers in plans/workers.yaml\n');
  expect(io.stderr).toBe('');
});

test('the default plan is workers.yaml in ctx.cwd, not process.cwd()', async () => {
  const repo = await tempDir({ 'workers.yaml': PLAN }, { git: true });
  const { ctx, io } = context(repo);
  expect(await main(['validate'], ctx)).toBe(0);
  expect(io.stdout).toBe('ok: 1 worker in workers.yaml\n');
});

test('a plan outside cwd is shown as given, relative or absolute', async () => {
  const repo = await tempDir({ 'workers.yaml': PLAN, 'sub/.keep': '' }, { git: true });
  const rel = context(join(repo, 'sub'));
  expect(await validateCommand(rel.ctx, '../workers.yaml')).toBe(0);
  expect(rel.io.stdout).toBe('ok: 1 worker in ../workers.yaml\n');
  const abs = context(join(repo, 'sub'));
  expect(await validateCommand(abs.ctx, join(repo, 'workers.yaml'))).toBe(0);
  expect(abs.io.stdout).toBe(`ok: 1 worker in ${join(repo, 'workers.yaml')}\n`);
});

test('problems: exit 2, a count, then each problem on its own line as FILE:LINE:COL PATH: MESSAGE', async () => {
  const repo = await tempDir(
    {
      'workers.yaml': [
        'version: 1',
        'concurrency: 0',
        'workers:',
        '  - feature: login',
        '    taks: Implement the login API',
        '  - feature: e2e',
        '    task: Write tests',
        '    timeout: 45 minutes',
        '',
      ].join('\n'),
    },
    { git: true },
  );
  const { ctx, io } = context(repo);
  expect(await main(['validate'], ctx)).toBe(2);
  expect(io.stdout).toBe('');
  expect(io.stderr).toBe(
    [
      'wo: 4 problems in workers.yaml:',
      'workers.yaml:2:14 concurrency: must be a whole number >= 1, got 0',
      'workers.yaml:4:5 workers[0]: missing required key "task" (what the agent should do)',
      'workers.yaml:5:5 workers[0].taks: unknown key "taks" (did you mean "task"?)',
      'workers.yaml:8:14 workers[1].timeout: "45 minutes" is not a duration (use 90s, 10m, 1h30m)',
      '',
    ].join('\n'),
  );
});

test('one problem: one line', async () => {
  const repo = await tempDir({ 'workers.yaml': 'version: 1\nworkers: []\n' }, { git: true });
  const { ctx, io } = context(repo);
  expect(await main(['validate'], ctx)).toBe(2);
  expect(io.stderr).toBe('wo: workers.yaml:2:10 workers: must list at least one worker\n');
});

test('validateCommand throws the PlanError itself; cli prints it', async () => {
  const repo = await tempDir({ 'workers.yaml': 'version: 1\n' }, { git: true });
  const { ctx } = context(repo);
  const error = await validateCommand(ctx, 'workers.yaml').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PlanError);
  expect((error as PlanError).exitCode).toBe(2);
  expect((error as PlanError).issues).toEqual([
    {
      file: 'workers.yaml',
      line: 1,
      column: 1,
      path: '',
      message: 'missing required key "workers" (a list of workers, each with a feature and a task)',
    },
  ]);
});

test('a missing file: exit 2 and one line naming it, without a stack trace', async () => {
  const repo = await tempDir({}, { git: true });
  const { ctx, io } = context(repo);
  expect(await main(['validate', 'nope.yaml'], ctx)).toBe(2);
  expect(io.stderr).toBe('wo: nope.yaml: no such file (create it, or give the path of your plan)\n');
});

test('a folder: exit 2 and one line naming it', async () => {
  const repo = await tempDir({}, { git: true });
  await mkdir(join(repo, 'plans'));
  const { ctx, io } = context(repo);
  expect(await main(['validate', 'plans'], ctx)).toBe(2);
  expect(io.stderr).toBe('wo: plans: is a folder, not a plan file (give the path of the YAML file)\n');
});

test('an empty file and a YAML syntax error: exit 2, with line and column', async () => {
  const repo = await tempDir(
    { 'empty.yaml': '', 'broken.yaml': 'version: 1\nworkers:\n  - feature: "login\n' },
    { git: true },
  );
  const empty = context(repo);
  expect(await main(['validate', 'empty.yaml'], empty.ctx)).toBe(2);
  expect(empty.io.stderr).toBe(
    'wo: empty.yaml:1:1: the plan is empty (start with "version: 1" and a "workers:" list)\n',
  );
  const broken = context(repo);
  expect(await main(['validate', 'broken.yaml'], broken.ctx)).toBe(2);
  expect(broken.io.stderr).toBe('wo: broken.yaml:3:14: unclosed " quote (add the closing quote)\n');
});
