import { appendFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusEntry } from '../../src/commands/status.js';
import { waitFor } from '../helpers.js';
import { fixture, type Fixture } from './setup.js';

describe('wo status', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  const json = async (...args: string[]): Promise<StatusEntry[]> => {
    const r = await f.wo('status', '--json', ...args);
    expect(r.code).toBe(0);
    return JSON.parse(r.out) as StatusEntry[];
  };

  test('no workers, with a tmux server that is not running yet', async () => {
    const r = await f.wo('status');
    expect(r.code).toBe(0);
    expect(r.out).toContain('no workers');
    expect(await json()).toEqual([]);
  });

  test('a table of running and finished workers with their last output', async () => {
    const task = 'printf "first\\n\\033[32mlast line\\033[0m\\n\\n"';
    expect(await f.wo('spawn', 'ok', task, '--agent', 'shell', '--create')).toMatchObject({ code: 0 });
    const r0 = await f.wo('spawn', 'slow', 'echo working; sleep 30', '--agent', 'shell', '--create');
    expect(r0.err).toBe('');
    await f.waitStatus('ok', 'done');
    await waitFor(
      () => readFileSync(join(f.wt('slow'), '.worker.log'), 'utf8').includes('working'),
      'output',
    );
    const r = await f.wo('status');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^WORKER │ STATUS {2}│ DURATION │ LAST OUTPUT$/);
    expect(lines[1]).toMatch(/^─+┼─+┼─+┼─+$/);
    expect(lines[2]).toMatch(/^ok {5}│ done {4}│ \S+ +│ last line$/);
    // A running worker shows its live state (SPEC §1): a shell task is `working`.
    expect(lines[3]).toMatch(/^slow {3}│ working │ \S+ +│ working$/);

    const [ok, slow] = await json();
    expect(ok).toMatchObject({
      feature: 'ok',
      status: 'done',
      reason: null,
      session: 'wt-ok',
      session_alive: false,
      worktree: f.wt('ok'),
      branch: 'wo/ok',
      last_output: 'last line',
      exit_code: 0,
    });
    expect(ok?.duration_ms).toEqual(expect.any(Number));
    expect(ok?.finished_at).toEqual(expect.any(String));
    // A spawned worker has nobody waiting on it: status records its finish in .worktree.json.
    expect(f.meta('ok').worker).toMatchObject({ status: 'done', exit_code: 0, finished_at: ok?.finished_at });
    expect(slow).toMatchObject({
      status: 'running',
      session_alive: true,
      finished_at: null,
      exit_code: null,
    });
  });

  test('a session killed from outside is failed, and wo records it', async () => {
    await f.wo('spawn', 'victim', 'sleep 30', '--agent', 'shell', '--create');
    await f.t.tmux.killSession('wt-victim');
    f.age('victim');
    const r = await f.wo('status', 'victim');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/victim │ failed/);
    expect(r.err).toContain('recorded as failed');
    expect(f.status('victim')).toBe('failed');
    expect(f.result('victim')).toContain('session ended without status');
    expect(f.meta('victim').worker).toMatchObject({ status: 'failed', finished_at: expect.any(String) });
    const [v] = await json('victim');
    expect(v).toMatchObject({ status: 'failed', reason: 'session ended without status' });
    expect(f.result('victim')?.match(/session ended/g)).toHaveLength(1); // recorded once
  });

  test('a running worker whose tmux server is gone is failed', async () => {
    await f.wo('spawn', 'orphan', 'sleep 30', '--agent', 'shell', '--create');
    f.t.cleanup(); // the whole server goes
    f.age('orphan');
    const [v] = await json();
    expect(v).toMatchObject({ feature: 'orphan', status: 'failed', session_alive: false });
    expect(f.status('orphan')).toBe('failed');
  });

  test('a worker that has just started is not taken for a crashed one', async () => {
    await f.wo('spawn', 'fresh', 'sleep 30', '--agent', 'shell', '--create');
    await f.t.tmux.killSession('wt-fresh'); // as if its session were not created yet
    const [v] = await json();
    expect(v).toMatchObject({ status: 'running', reason: 'starting' });
    expect(f.status('fresh')).toBe('running');
  });

  test('an unknown status word is failed; an unknown worker is exit 2', async () => {
    await f.wo('spawn', 'odd', 'echo weird > .worker-status', '--agent', 'shell', '--create');
    await f.waitStatus('odd', 'weird');
    const [v] = await json();
    expect(v).toMatchObject({ status: 'failed', reason: 'unknown status "weird"' });
    const r = await f.wo('status', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toContain('no worker "nope"');
    expect(r.err).toContain('Workers: odd');
  });

  test('LAST OUTPUT is cut to the terminal width, and to 120 columns when not a terminal', async () => {
    await f.wo('spawn', 'long', 'true', '--agent', 'shell', '--create');
    await f.waitStatus('long', 'done');
    appendFileSync(join(f.wt('long'), '.worker.log'), `${'x'.repeat(300)}\r\n`);
    const plain = await f.wo('status');
    const row = plain.out.split('\n')[2] ?? '';
    expect(row.endsWith(`${'x'.repeat(119)}…`)).toBe(true);
    f.io.isTTY = true;
    f.io.columns = 60;
    f.ctx.env.NO_COLOR = '1';
    const tty = await f.wo('status');
    for (const line of tty.out.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
    expect(tty.out).toContain('…');
  });

  test('reads only the tail of a large log', async () => {
    await f.wo('spawn', 'big', 'true', '--agent', 'shell', '--create');
    await f.waitStatus('big', 'done');
    // A sparse file of 64 GiB (it uses no disk): node refuses to read it whole (readFile stops at
    // 2 GiB), and streaming it all would outlast the test; only a status reading the tail finds the end.
    const log = join(f.wt('big'), '.worker.log');
    writeFileSync(log, '');
    truncateSync(log, 64 * 2 ** 30);
    appendFileSync(log, 'noise\nthe end\n');
    const [v] = await json();
    expect(v?.last_output).toBe('the end');
  });

  test('--json usage: what the agent reported (its result), null when it reported none, never 0', async () => {
    expect(await f.wo('spawn', 'paid', 'true', '--agent', 'shell', '--create')).toMatchObject({ code: 0 });
    expect(await f.wo('spawn', 'free', 'true', '--agent', 'shell', '--create')).toMatchObject({ code: 0 });
    await f.waitStatus('paid', 'done');
    await f.waitStatus('free', 'done');
    // A headless Claude's final result line, as its adapter captures it in the worker's state folder.
    const state = join(f.repo.root, '.wo', 'workers', 'paid');
    mkdirSync(state, { recursive: true });
    const result = {
      type: 'result',
      subtype: 'success',
      is_error: false,
      result: 'ok',
      total_cost_usd: 0.0123,
      usage: { input_tokens: 321, output_tokens: 45, cache_read_input_tokens: 6 },
    };
    writeFileSync(join(state, 'events.jsonl'), `${JSON.stringify(result)}\n`);
    writeFileSync(join(state, 'adapter'), 'claude-print\n'); // the agent launch records, asked to read it
    const [free, paid] = await json();
    expect(paid?.usage).toEqual({
      input_tokens: 327, // cache reads counted in (SPEC §5: like with like across agents)
      output_tokens: 45,
      cache_read_tokens: 6,
      cost_usd: 0.0123,
    });
    expect(free?.usage).toBeNull();
  });
});
