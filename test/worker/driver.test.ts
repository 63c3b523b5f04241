import { join } from 'node:path';
import { readFileSync, existsSync } from 'node:fs';
import { Git } from '../../src/git/git.js';
import { processRunner } from '../../src/process/run.js';
import { RunDriver } from '../../src/worker/driver.js';
import { defaultLayout } from '../../src/worktree/layout.js';
import { PRESETS } from '../../src/plan/presets.js';
import type { WorkerSpec } from '../../src/plan/types.js';
import { spec as baseSpec } from '../scheduler/fakes.js';
import { makeRepo, makeTmux, testEnv, type TempRepo, type TempTmux } from '../helpers.js';

/** A shell worker running `task` (the scheduler tests' spec, with the task given). */
const spec = (feature: string, task: string, over: Partial<WorkerSpec> = {}): WorkerSpec =>
  baseSpec(feature, { task, ...over });

describe('RunDriver with real git and tmux', () => {
  let repo: TempRepo;
  let t: TempTmux;
  let driver: RunDriver;
  beforeEach(() => {
    repo = makeRepo();
    t = makeTmux();
    driver = new RunDriver({
      git: new Git(processRunner),
      tmux: t.tmux,
      runner: processRunner,
      layout: defaultLayout(repo.root),
      agents: { ...PRESETS },
      runId: 'test-run',
      env: testEnv(repo.home),
      pollMs: 200,
      graceMs: 1000,
    });
  });
  afterEach(async () => {
    await driver.close();
    t.cleanup();
    repo.cleanup();
  });

  test('a shell worker that exits 0 is done, with the session output in the log', async () => {
    const w = spec('hello', 'echo "hi from $WO_FEATURE"');
    await driver.prepare(w);
    const h = await driver.start(w, 1);
    expect(h.adopted).toBe(false);
    const end = await h.done;
    expect(end).toMatchObject({ outcome: 'done', exitCode: 0 });
    // The end is written down (status, result, .worktree.json) after the outcome is known.
    await driver.close();
    const wt = join(repo.base, 'repo-worktrees', 'hello');
    expect(readFileSync(join(wt, '.worker-status'), 'utf8').trim()).toBe('done');
    expect(readFileSync(join(wt, '.worker.log'), 'utf8')).toContain('hi from hello');
    expect(readFileSync(join(wt, '.worker-result.md'), 'utf8')).toContain('exited with code 0');
    // Its state folder stays; the launch spec (the environment it was given) is gone with it (SPEC §9).
    expect(existsSync(join(repo.root, '.wo', 'workers', 'hello', 'exit'))).toBe(true);
    expect(existsSync(join(repo.root, '.wo', 'workers', 'hello', 'spec'))).toBe(false);
    // A plain command's output is not read by any adapter: no note of one in its state folder.
    expect(existsSync(join(repo.root, '.wo', 'workers', 'hello', 'adapter'))).toBe(false);
    const meta = JSON.parse(readFileSync(join(wt, '.worktree.json'), 'utf8'));
    expect(meta).toMatchObject({
      feature: 'hello',
      created_by: 'wo',
      worker: { status: 'done', exit_code: 0 },
    });
    expect(repo.git('branch', '--list', 'wo/hello').trim()).toContain('wo/hello');
  });

  test('a non-zero exit is failed with the exit code', async () => {
    const w = spec('bad', 'echo oops; exit 3');
    await driver.prepare(w);
    const end = await (await driver.start(w, 1)).done;
    expect(end).toMatchObject({ outcome: 'failed', exitCode: 3, reason: 'exit code 3' });
  });

  test('an agent that leaves no result gets one from wo: the exit code and its last 20 lines, clean', async () => {
    // 30 numbered lines, the last in colour and with a carriage return, then a blank line.
    const w = spec(
      'quiet',
      "seq 1 30 | sed 's/^/line /'; printf '\\033[31mred end\\033[0m\\r\\n\\n'; exit 4",
    );
    await driver.prepare(w);
    const end = await (await driver.start(w, 1)).done;
    expect(end).toMatchObject({ outcome: 'failed', exitCode: 4 });
    await driver.close(); // the end is written down after the outcome is known
    const result = readFileSync(join(repo.base, 'repo-worktrees', 'quiet', '.worker-result.md'), 'utf8');
    expect(result).toContain('The agent exited with code 4 without writing a result.');
    const quoted = result.split('```\n')[1]!.split('\n').slice(0, -1);
    expect(quoted).toEqual([...Array.from({ length: 19 }, (_, i) => `line ${i + 12}`), 'red end']);
  });

  test('a killed session is crashed', async () => {
    const w = spec('victim', 'sleep 30');
    await driver.prepare(w);
    const h = await driver.start(w, 1);
    await t.tmux.killSession('wt-victim');
    const end = await h.done;
    expect(end).toMatchObject({ outcome: 'crashed', reason: 'session ended without status' });
    await driver.close();
    const wt = join(repo.base, 'repo-worktrees', 'victim');
    expect(readFileSync(join(wt, '.worker-status'), 'utf8').trim()).toBe('failed');
  });

  test('stop() ends a running worker and records the reason', async () => {
    const w = spec('slow', 'echo started; sleep 30');
    await driver.prepare(w);
    const h = await driver.start(w, 1);
    await h.stop('timed out after 1s');
    const end = await h.done;
    expect(end).toMatchObject({ outcome: 'failed', reason: 'timed out after 1s' });
    await driver.close();
    const wt = join(repo.base, 'repo-worktrees', 'slow');
    expect(readFileSync(join(wt, '.worker-result.md'), 'utf8')).toContain('timed out after 1s');
    expect(await t.tmux.hasSession('wt-slow')).toBe(false);
  });

  test('a task with quotes, substitutions and newlines reaches the agent byte for byte', async () => {
    const tricky = `it's "quoted" $(rm -rf /) \`id\` \n-leading ünïcødé ${'x'.repeat(100_000)}\n`;
    const agents = {
      ...PRESETS,
      echo: { command: ['sh', '-c', 'printf %s "$1" > got.txt', 'sh', '{task}'] },
    };
    const d2 = new RunDriver({
      git: new Git(processRunner),
      tmux: t.tmux,
      runner: processRunner,
      layout: defaultLayout(repo.root),
      agents,
      runId: 'test-run',
      env: testEnv(repo.home),
      pollMs: 200,
    });
    try {
      for (const [feature, text] of [
        ['quote', tricky],
        ['dash', '-n --help -- "$HOME"'],
      ] as const) {
        const w = spec(feature, text, { agent: 'echo' });
        await d2.prepare(w);
        const end = await (await d2.start(w, 1)).done;
        expect(end.outcome).toBe('done');
        const got = readFileSync(join(repo.base, 'repo-worktrees', feature, 'got.txt'), 'utf8');
        expect(got).toBe(text);
        const prompt = readFileSync(join(repo.base, 'repo-worktrees', feature, '.worker-prompt.md'), 'utf8');
        expect(prompt.startsWith(text)).toBe(true);
      }
    } finally {
      await d2.close();
    }
  });

  test('a failing setup fails the worker before its agent starts', async () => {
    const w = spec('setupfail', 'touch ran.txt', { setup: ['echo preparing; exit 4'] });
    await expect(driver.prepare(w)).rejects.toThrow('setup "echo preparing; exit 4" failed (exit 4)');
    const wt = join(repo.base, 'repo-worktrees', 'setupfail');
    expect(readFileSync(join(wt, '.worker-status'), 'utf8').trim()).toBe('failed');
    expect(readFileSync(join(wt, '.worker-result.md'), 'utf8')).toContain('preparing');
    expect(existsSync(join(wt, 'ran.txt'))).toBe(false);
  });

  test('the log lands in the right worktree even when paths hold shell and tmux syntax', async () => {
    const odd = makeRepo(`we ird 'q' $(touch pwned) #{pane_id} ##`);
    const d = new RunDriver({
      git: new Git(processRunner),
      tmux: t.tmux,
      runner: processRunner,
      layout: defaultLayout(odd.root),
      agents: { ...PRESETS },
      runId: 'test-run',
      env: testEnv(odd.home),
      pollMs: 200,
    });
    try {
      const w = spec('odd', 'echo "odd output"');
      await d.prepare(w);
      expect((await (await d.start(w, 1)).done).outcome).toBe('done');
      await d.close(); // the end is written down, the log's last lines with it
      const wt = join(odd.root + '-worktrees', 'odd');
      expect(readFileSync(join(wt, '.worker.log'), 'utf8')).toContain('odd output');
      expect(existsSync(join(wt, 'pwned'))).toBe(false);
    } finally {
      await d.close();
      odd.cleanup();
    }
  });
});
