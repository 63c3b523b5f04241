// The live listr2 view (smoke test against a fake terminal) and the choice of view in createProgress.
import { memoryOutput } from '../../src/context.js';
import { createProgress } from '../../src/ui/index.js';
import { createLiveView } from '../../src/ui/live.js';
import { title, ProgressModel } from '../../src/ui/model.js';
import type { SchedulerEvent } from '../../src/scheduler/types.js';
import { T0, sampleEvents } from './events.js';

const SGR = /\x1b\[[0-9;:]*m/;

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('live view', () => {
  test('renders one task per worker, their final states and a summary, to the given target', async () => {
    let out = '';
    const view = createLiveView({ target: { write: (t) => (out += t), columns: 100 }, color: false });
    view.start(['login', 'api', 'e2e']);
    for (const e of sampleEvents()) view.onEvent(e);
    await view.stop();
    await view.stop(); // idempotent

    expect(out).toContain('login done in 8.1s (2 attempts)');
    expect(out).toContain('api timeout in 10m: timed out after 10m');
    expect(out).toContain('e2e skipped: needs "login" which was failed');
    expect(out).toMatch(
      /3 workers: 1 done, 1 timeout, 1 skipped in \S+\nNext: wo logs api .* wo run --failed \(the 2 not done, again\)\n$/,
    );
    // The first row counts the workers by state.
    expect(out).toContain('3 workers: 1 done, 1 timeout, 1 skipped · ');
    expect(out).not.toMatch(SGR); // colour off: no SGR codes even from listr2 itself
  });

  test('a rehearsal says so on its first row', async () => {
    let out = '';
    const view = createLiveView({
      target: { write: (t) => (out += t), columns: 100 },
      color: false,
      rehearsal: true,
    });
    view.start(['login']);
    for (const e of sampleEvents().filter((x) => x.feature === 'login')) view.onEvent(e);
    await view.stop();
    expect(out).toContain('rehearsal (scripted model, $0) · 1 worker: 1 done · ');
  });

  test('asks for the last output line of running workers only, and shows it', async () => {
    let out = '';
    const asked: string[] = [];
    const called = deferred<void>();
    const view = createLiveView({
      target: { write: (t) => (out += t), columns: 120 },
      color: false,
      refreshMs: 1,
      lastLine: async (f) => {
        asked.push(f);
        called.resolve();
        return '\x1b[32mcompiling\x1b[0m src/app.ts';
      },
    });
    view.start(['login', 'api']);
    const events: SchedulerEvent[] = [
      { type: 'queued', feature: 'login', at: Date.now() },
      { type: 'queued', feature: 'api', at: Date.now() },
      { type: 'preparing', feature: 'login', at: Date.now() },
      { type: 'started', feature: 'login', attempt: 1, adopted: false, at: Date.now() },
      { type: 'preparing', feature: 'api', at: Date.now() },
    ];
    for (const e of events) view.onEvent(e);
    await called.promise;
    // Let the answer land and the title be redrawn.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(new Set(asked)).toEqual(new Set(['login']));
    expect(out).toContain('› compiling src/app.ts');
    await view.stop();
  });

  test('a worker that turns waiting: its row says what the agent asks, and the terminal rings once', async () => {
    let out = '';
    const view = createLiveView({ target: { write: (t) => (out += t), columns: 80 }, color: false });
    view.start(['login']);
    view.onEvent({ type: 'started', feature: 'login', attempt: 1, adopted: false, at: Date.now() });
    const waiting = {
      type: 'live',
      feature: 'login',
      state: 'waiting',
      message: 'Claude needs your permission to use Bash',
    } as const;
    view.onEvent({ ...waiting, at: Date.now() });
    view.onEvent({ ...waiting, at: Date.now() });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await view.stop();
    expect(out).toContain('login · waiting');
    expect(out).toMatch(/login · waiting \S+ · Claude needs your .*\(wo attach login\)/);
    expect(out).toContain('1 worker: 1 waiting');
    expect(out.split('\x07')).toHaveLength(2);
  });

  test('the bell reaches the terminal at once, while the view draws', async () => {
    let out = '';
    const view = createLiveView({ target: { write: (t) => (out += t), columns: 80 }, color: false });
    view.start(['login']);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    view.onEvent({ type: 'started', feature: 'login', attempt: 1, adopted: false, at: Date.now() });
    view.onEvent({ type: 'live', feature: 'login', state: 'waiting', message: 'q', at: Date.now() });
    expect(out.split('\x07')).toHaveLength(2);
    await view.stop();
  });

  test("a notice is drawn with the view, so the next redraw keeps it; the run's end keeps it too", async () => {
    let out = '';
    const view = createLiveView({ target: { write: (t) => (out += t), columns: 100 }, color: false });
    view.start(['login', 'api']);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    view.onEvent({ type: 'started', feature: 'login', attempt: 1, adopted: false, at: Date.now() });
    const note = 'wo: stopping: letting login finish; press Ctrl-C again to end it now';
    expect(view.notice!(`${note}\n`)).toBe(true);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    const before = out.length;
    view.onEvent({ type: 'live', feature: 'login', state: 'working', at: Date.now() });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(out.slice(before)).toContain(note); // the redraw draws it again
    await view.stop();
    expect(view.notice!('late')).toBe(false); // once stopped, the caller prints it
  });

  test('a run with a worker not done ends under a cross, not a green tick; queued is not waiting', async () => {
    let out = '';
    const view = createLiveView({ target: { write: (t) => (out += t), columns: 100 }, color: false });
    view.start(['login', 'api', 'e2e']);
    for (const e of sampleEvents()) view.onEvent(e);
    await view.stop();
    expect(out).toMatch(/✖ 3 workers: 1 done, 1 timeout, 1 skipped/);
    expect(out).not.toMatch(/✔ 3 workers/);
    const model = new ProgressModel();
    model.add('later');
    expect(title(model.workers.get('later')!, T0)).toBe('later · queued');
  });

  test('colour on: secondary text is dimmed', () => {
    const model = new ProgressModel();
    model.apply({ type: 'preparing', feature: 'a', at: T0 });
    const dim = { dim: (t: string) => `<${t}>` };
    expect(title(model.workers.get('a')!, T0 + 2500, dim)).toBe('a · preparing worktree <2.5s>');
  });
});

describe('createProgress', () => {
  const feed = async (view: ReturnType<typeof createProgress>) => {
    view.start(['login', 'api', 'e2e']);
    for (const e of sampleEvents()) view.onEvent(e);
    await view.stop();
  };

  test('plain lines when the output is not a terminal', async () => {
    const io = memoryOutput(false);
    await feed(createProgress({ io, env: {} }));
    expect(io.stdout).toMatch(/^\[\d\d:\d\d:\d\d\] running 3 workers/);
    expect(io.stdout).not.toContain('\x1b');
  });

  test('plain lines on a terminal when CI is set', async () => {
    const io = memoryOutput(true);
    await feed(createProgress({ io, env: { CI: 'true' } }));
    expect(io.stdout).toMatch(/^\[\d\d:\d\d:\d\d\] running 3 workers/);
    expect(io.stdout).not.toContain('\x1b');
  });

  test('plain lines on a terminal that reports no width (a pty without a window size)', async () => {
    const io = memoryOutput(true);
    io.columns = 0;
    await feed(createProgress({ io, env: {} }));
    expect(io.stdout).toMatch(/^\[\d\d:\d\d:\d\d\] running 3 workers/);
  });

  test('the live view on a terminal; NO_COLOR removes colour', async () => {
    const io = memoryOutput(true);
    await feed(createProgress({ io, env: { NO_COLOR: '1' } }));
    expect(io.stdout).not.toMatch(/^\[/);
    expect(io.stdout).toContain('login done in 8.1s');
    expect(io.stdout).not.toMatch(SGR);
  });

  test('toStderr sends progress to stderr and leaves stdout for --json', async () => {
    const io = memoryOutput(false);
    await feed(createProgress({ io, env: {}, toStderr: true }));
    expect(io.stdout).toBe('');
    expect(io.stderr).toContain('login done in 8.1s');
  });
});
