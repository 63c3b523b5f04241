// SPEC §5: looking at a run afterwards agrees with the run: wo status and wo collect use the
// report's outcome words.
import { exitOf, runEnv, type RunEnv } from '../run/harness.js';

describe('looking at a run afterwards', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('a worker that timed out is `timeout` in the report, wo status and wo collect', async () => {
    r.writePlan(
      'version: 1\ndefaults:\n  agent: shell\nworkers:\n' +
        '  - feature: slow\n    timeout: 1s\n    task: sleep 30\n' +
        '  - feature: quick\n    task: "true"\n',
    );
    expect((await r.wo(['run'])).code).toBe(1);
    const words = (list: Array<Record<string, unknown>>, key: string) =>
      Object.fromEntries(list.map((w) => [w.feature, w[key]]));
    expect(words(r.report().workers, 'outcome')).toEqual({ slow: 'timeout', quick: 'done' });
    const status = JSON.parse((await r.wo(['status', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(words(status, 'status')).toEqual({ slow: 'timeout', quick: 'done' });
    const collect = JSON.parse((await r.wo(['collect', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(words(collect, 'status')).toEqual({ slow: 'timeout', quick: 'done' });
    // The same durations too.
    expect(words(status, 'duration_ms')).toEqual(words(r.report().workers, 'duration_ms'));
  });
});

describe('a skipped worker of the plan', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('wo collect and wo logs name it as skipped, with the reason, instead of "no worker"', async () => {
    r.writePlan(
      'version: 1\ndefaults:\n  agent: shell\nworkers:\n' +
        '  - feature: base\n    task: exit 1\n' +
        '  - feature: after\n    needs: [base]\n    task: "true"\n',
    );
    expect((await r.wo(['run'])).code).toBe(1);
    const collect = await r.wo(['collect', 'after']);
    expect(collect.code).toBe(0);
    expect(collect.stdout).toContain('## after — skipped');
    expect(collect.stdout).toContain('needs "base"');
    const logs = await r.wo(['logs', 'after']);
    expect(logs.code).toBe(2);
    expect(logs.stderr).toContain('was skipped');
    expect(logs.stderr).not.toContain('there is no worker');
  });

  test('wo status (and --json) and wo collect list it as skipped with the reason, as the report does', async () => {
    r.writePlan(
      'version: 1\ndefaults:\n  agent: shell\nworkers:\n' +
        '  - feature: base\n    task: exit 1\n' +
        '  - feature: after\n    needs: [base]\n    task: "true"\n',
    );
    expect((await r.wo(['run'])).code).toBe(1);
    const reported = r.report().workers.find((w) => w.feature === 'after')!;
    expect(reported).toMatchObject({ outcome: 'skipped' });
    const status = JSON.parse((await r.wo(['status', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(status.map((e) => e.feature)).toEqual(['after', 'base']);
    expect(status[0]).toMatchObject({
      feature: 'after',
      status: 'skipped',
      reason: reported.reason,
      session_alive: false,
      duration_ms: null,
      last_output: null,
    });
    // The table, from the built wo (jest's module cache trips on the table's lazy import after a run).
    const table = r.spawnWo(['status']);
    expect(await exitOf(table)).toBe(0);
    expect(table.output()).toMatch(/after +│ skipped +│ - +│ needs "base"/);
    const one = JSON.parse((await r.wo(['status', 'after', '--json'])).stdout) as Array<
      Record<string, unknown>
    >;
    expect(one).toEqual([status[0]]);
    const collect = JSON.parse((await r.wo(['collect', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(Object.fromEntries(collect.map((e) => [e.feature, e.status]))).toEqual({
      base: 'failed',
      after: 'skipped',
    });
  });
});
