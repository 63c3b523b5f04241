// The run room's frame, with fake stages: stages run in order over one stream of events, a stage can
// end the run early, cleanups run whatever happens, and listeners are waited for where the run waits.
import { RunEvents, type RunEvent } from '../../src/run/events.js';
import { runPlan, STAGES } from '../../src/run/run.js';
import type { RunContext, Stage } from '../../src/run/types.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';

const ctx = (signal = new AbortController().signal): RunContext => ({ cwd: '/nowhere', env: {}, signal });

const record = (feature: string, outcome: WorkerRecord['outcome']): WorkerRecord => ({
  feature,
  outcome,
  attempts: [],
});

/** A stage that notes its name, and does `then` to the run. */
const stage = (name: string, seen: string[], then?: Stage['run']): Stage => ({
  name,
  async run(r) {
    seen.push(name);
    await then?.(r);
  },
});

describe('runPlan', () => {
  test('the stages run in order, each announced on the stream first; the exit code says how the workers ended', async () => {
    const seen: string[] = [];
    const events: RunEvent[] = [];
    const result = await runPlan(
      ctx(),
      'workers.yaml',
      {},
      [(e) => void events.push(e)],
      [
        stage('a', seen),
        stage('b', seen, async (r) => {
          r.records = [record('x', 'done'), record('y', 'failed')];
        }),
      ],
    );
    expect(seen).toEqual(['a', 'b']);
    expect(events.map((e) => (e.type === 'stage' ? e.stage : e.type))).toEqual(['a', 'b']);
    expect(result.code).toBe(1);
  });

  test('every worker done is 0; an interrupted run is 130 whatever its workers did', async () => {
    const allDone: Stage = { name: 'done', run: async (r) => void (r.records = [record('x', 'done')]) };
    expect((await runPlan(ctx(), 'p', {}, [], [allDone])).code).toBe(0);
    const stop = new AbortController();
    stop.abort();
    expect((await runPlan(ctx(stop.signal), 'p', {}, [], [allDone])).code).toBe(130);
  });

  test('a stage that sets a result ends the run there: later stages never run', async () => {
    const seen: string[] = [];
    const result = await runPlan(
      ctx(),
      'p',
      { dryRun: true },
      [],
      [
        stage('select', seen),
        stage('dry-run', seen, async (r) => void (r.result = { code: 0, dryRun: 'text' })),
        stage('lock', seen),
      ],
    );
    expect(seen).toEqual(['select', 'dry-run']);
    expect(result).toEqual({ code: 0, dryRun: 'text' });
  });

  test('cleanups run once, last added first, when a later stage throws', async () => {
    const seen: string[] = [];
    const boom = new Error('boom');
    const run = runPlan(
      ctx(),
      'p',
      {},
      [],
      [
        stage('lock', seen, async (r) => {
          r.cleanups.push(async () => void seen.push('release lock'));
          r.cleanups.push(async () => void seen.push('release other'));
        }),
        stage('schedule', seen, async () => {
          throw boom;
        }),
        stage('report', seen),
      ],
    );
    await expect(run).rejects.toBe(boom);
    expect(seen).toEqual(['lock', 'schedule', 'release other', 'release lock']);
  });

  test('a new stage between facts and report is one entry of the list', async () => {
    const names = STAGES.map((s) => s.name);
    expect(names).toEqual([
      'select',
      'dry-run',
      'rehearsal',
      'preflight',
      'lock',
      'radar',
      'schedule',
      'write-back',
      'facts',
      'judge',
      'integrate',
      'report',
      'rehearsal-report',
      'hand-off',
      'outputs',
    ]);
    const seen: string[] = [];
    const fakes = names.map((n) =>
      stage(n, seen, n === 'outputs' ? async (r) => void (r.records = []) : undefined),
    );
    const another = stage('another', seen);
    // Right after facts, as the judging of tries is (SPEC §11), before the integration (§10).
    const at = names.indexOf('facts') + 1;
    await runPlan(ctx(), 'p', {}, [], [...fakes.slice(0, at), another, ...fakes.slice(at)]);
    expect(seen.slice(at - 1, at + 3)).toEqual(['facts', 'another', 'judge', 'integrate']);
  });
});

describe('RunEvents', () => {
  test('every listener hears every event, in the order they were added', async () => {
    const heard: string[] = [];
    const events = new RunEvents();
    events.on((e) => void heard.push(`1 ${e.type}`));
    events.on((e) => void heard.push(`2 ${e.type}`));
    await events.emit({ type: 'workers-ended', at: 0 });
    void events.tell({ type: 'queued', feature: 'a', at: 0 });
    expect(heard).toEqual(['1 workers-ended', '2 workers-ended', '1 queued', '2 queued']);
  });

  test('emit waits for a listener that returns a promise (a view ending before the report)', async () => {
    let ended = false;
    const events = new RunEvents();
    events.on(async () => {
      await new Promise((r) => setImmediate(r));
      ended = true;
    });
    await events.emit({ type: 'workers-ended', at: 0 });
    expect(ended).toBe(true);
  });

  test('a listener that fails on an event nobody waited for fails the next emit, once', async () => {
    const events = new RunEvents();
    const boom = new Error('view broke');
    events.on(async (e) => {
      if (e.type === 'queued') throw boom;
    });
    await expect(events.tell({ type: 'queued', feature: 'a', at: 0 })).resolves.toBeUndefined();
    await expect(events.emit({ type: 'workers-ended', at: 0 })).rejects.toBe(boom);
    await expect(events.emit({ type: 'workers-ended', at: 0 })).resolves.toBeUndefined();
  });
});
