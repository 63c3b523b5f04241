import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { memoryOutput } from '../../src/context.js';
import { fixture, type Fixture } from './setup.js';
import { waitFor } from '../helpers.js';

describe('wo kill and wo kill-all', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  const spawn = async (feature: string, task: string) => {
    const r = await f.wo('spawn', feature, task, '--agent', 'shell', '--create');
    expect(r).toMatchObject({ code: 0, err: '' });
  };

  test('a running worker is refused with a warning; --force ends it and records failed, keeping its result', async () => {
    await spawn('busy', 'echo partial work > .worker-result.md; sleep 30');
    await f.waitStatus('busy', 'running');
    const refused = await f.wo('kill', 'busy');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      "worker busy is still running; 'wo kill busy --force' ends it (its result files are kept)",
    );
    expect(await f.t.tmux.hasSession('wt-busy')).toBe(true);

    const forced = await f.wo('kill', 'busy', '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('recorded as failed');
    expect(await f.t.tmux.hasSession('wt-busy')).toBe(false);
    expect(f.status('busy')).toBe('failed');
    expect(f.result('busy')).toMatch(/^\*\*killed by wo kill --force\*\*\n\npartial work\n$/);
    expect(f.meta('busy').worker).toMatchObject({ status: 'failed', finished_at: expect.any(String) });
  });

  test('a finished worker is killed without --force; its files are kept', async () => {
    await spawn('fin', 'echo my result > .worker-result.md; echo done > .worker-status; sleep 30');
    await f.waitStatus('fin', 'done');
    const r = await f.wo('kill', 'fin');
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain('killed session wt-fin (worker fin was done)');
    expect(await f.t.tmux.hasSession('wt-fin')).toBe(false);
    expect(f.status('fin')).toBe('done');
    expect(f.result('fin')).toBe('my result\n');
  });

  test('no session: nothing to kill, exit 0; an unknown worker is exit 2', async () => {
    await spawn('gone', 'true');
    await f.waitStatus('gone', 'done');
    // The session ends a moment after the status is final (the wrapper exits after recording it).
    await waitFor(async () => !(await f.t.tmux.hasSession('wt-gone')), 'wt-gone to end');
    const r = await f.wo('kill', 'gone');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('has no session (status: done)');
    expect((await f.wo('kill', 'never')).code).toBe(2);
  });

  test('wo kill F ends every try of a best-of worker, naming each; wo kill F.try2 ends one', async () => {
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 60s }',
        'workers:',
        '  - feature: parser',
        '    task: echo "try $WO_TRY partial" > .worker-result.md; sleep 30',
        '    best_of: 2',
      ].join('\n'),
    );
    const runIo = memoryOutput();
    const run = main(['run'], { ...f.ctx, io: runIo });
    for (const k of [1, 2]) {
      await waitFor(() => f.t.tmux.hasSession(`wt-parser-try${k}`), `wt-parser-try${k} to start`);
      await f.waitStatus(`parser.try${k}`, 'running');
    }

    // wo status F shows its tries under it, as the whole table does.
    const status = JSON.parse((await f.wo('status', 'parser', '--json')).out) as Array<
      Record<string, unknown>
    >;
    expect(status.map((e) => [e.feature, e.try_of, e.status])).toEqual([
      ['parser', undefined, 'running'],
      ['parser.try1', 'parser', 'running'],
      ['parser.try2', 'parser', 'running'],
    ]);

    // Running tries: refused without --force, and nothing is killed.
    const refused = await f.wo('kill', 'parser');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(
      "worker parser has 2 tries still running (parser.try1, parser.try2); 'wo kill parser --force' ends them",
    );
    expect(await f.t.tmux.hasSession('wt-parser-try1')).toBe(true);
    expect(await f.t.tmux.hasSession('wt-parser-try2')).toBe(true);

    // A try by its own name: that one only.
    const one = await f.wo('kill', 'parser.try2', '--force');
    expect(one.code).toBe(0);
    expect(one.out).toContain('killed session wt-parser-try2: worker parser.try2 was running');
    expect(await f.t.tmux.hasSession('wt-parser-try2')).toBe(false);
    expect(await f.t.tmux.hasSession('wt-parser-try1')).toBe(true);

    // The worker's name: every try that still has a session, each named.
    const all = await f.wo('kill', 'parser', '--force');
    expect(all.code).toBe(0);
    expect(all.out).toContain(
      'killed session wt-parser-try1: worker parser.try1 was running and is recorded as failed (killed by wo kill --force)',
    );
    expect(all.out).toContain('try parser.try2 has no session (status: failed)');
    expect(await f.t.tmux.hasSession('wt-parser-try1')).toBe(false);
    for (const k of [1, 2]) {
      expect(f.status(`parser.try${k}`)).toBe('failed');
      expect(f.result(`parser.try${k}`)).toContain(`try ${k} partial`);
    }

    // The run ends with the worker failed, counted once: the plan has one worker.
    expect(await run).toBe(1);
    // After the run: the worker as the report judged it, its tries under it.
    const after = JSON.parse((await f.wo('status', 'parser', '--json')).out) as Array<
      Record<string, unknown>
    >;
    expect(after.map((e) => [e.feature, e.status])).toEqual([
      ['parser', 'failed'],
      ['parser.try1', 'failed'],
      ['parser.try2', 'failed'],
    ]);
    const lines = runIo.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/running 1 worker \(2 tries of parser\): parser$/);
    expect(runIo.stderr).toContain(
      'parser: failed (best of 2): no try passed: try 1 (shell): killed by wo kill --force; try 2 (shell): killed by wo kill --force',
    );
    expect(runIo.stdout).toMatch(/\] 1 worker: 1 failed in /);
  }, 60_000);

  test('wo kill F names a try the run has not started yet: the run starts it, and it is killed in turn', async () => {
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      [
        'version: 1',
        'concurrency: 1',
        'defaults: { agent: shell, timeout: 60s }',
        'workers:',
        '  - { feature: parser, task: sleep 30, best_of: 2 }',
      ].join('\n'),
    );
    const run = main(['run'], { ...f.ctx, io: memoryOutput() });
    await waitFor(() => f.t.tmux.hasSession('wt-parser-try1'), 'wt-parser-try1 to start');
    await f.waitStatus('parser.try1', 'running');
    const first = await f.wo('kill', 'parser', '--force');
    expect(first.code).toBe(0);
    expect(first.out).toContain('killed session wt-parser-try1: worker parser.try1 was running');
    expect(first.out).toContain(
      'try parser.try2 has not started yet (queued), so it has no session: the run will start it; end the run (Ctrl-C) to stop it.',
    );
    // The slot try 1 held goes to try 2; wo kill F ends it too.
    await waitFor(() => f.t.tmux.hasSession('wt-parser-try2'), 'wt-parser-try2 to start');
    await f.waitStatus('parser.try2', 'running');
    const second = await f.wo('kill', 'parser', '--force');
    expect(second.out).toContain('killed session wt-parser-try2: worker parser.try2 was running');
    expect(second.out).toContain('try parser.try1 has no session (status: failed)');
    expect(await run).toBe(1);
  }, 60_000);

  test('kill-all is refused while any worker runs, killing nothing; --force ends all and keeps results', async () => {
    await spawn('a', 'echo a-result > .worker-result.md; echo done > .worker-status; sleep 30');
    await spawn('b', 'echo b-partial > .worker-result.md; sleep 30');
    await f.waitStatus('a', 'done');
    const refused = await f.wo('kill-all');
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('1 worker is still running (b)');
    expect(refused.err).toContain('wo kill-all --force');
    expect(await f.t.tmux.hasSession('wt-a')).toBe(true);
    expect(await f.t.tmux.hasSession('wt-b')).toBe(true);

    const forced = await f.wo('kill-all', '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('2 sessions ended');
    expect(await f.t.tmux.listSessions()).toEqual([]);
    expect(f.result('a')).toBe('a-result\n');
    expect(f.status('a')).toBe('done');
    expect(f.result('b')).toContain('**killed by wo kill-all --force**');
    expect(f.result('b')).toContain('b-partial');
    expect(f.status('b')).toBe('failed');
  });

  test('kill-all without running workers needs no --force; with no sessions it says so', async () => {
    expect((await f.wo('kill-all')).out).toContain('nothing to kill');
    await spawn('fin', 'echo done > .worker-status; sleep 30');
    await f.waitStatus('fin', 'done');
    const r = await f.wo('kill-all');
    expect(r.code).toBe(0);
    expect(await f.t.tmux.listSessions()).toEqual([]);
    expect(f.status('fin')).toBe('done');
  });
});
