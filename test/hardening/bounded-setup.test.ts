// SPEC v3 §4: `setup` and `verify` run under the worker's timeout (its clock runs from the worker's
// start) and end, with every process they started, on Ctrl-C, SIGTERM or the timeout.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../helpers.js';
import { exitOf, runEnv, type RunEnv } from '../run/harness.js';

/** Whether a process is there and not a zombie (nothing may reap a killed orphan here). */
function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * A command that runs 25 s: its sh and a grandchild (a sh of its own with a sleep), whose pids it
 * writes to $PROBE/<name>.pids.
 */
const slow = (name: string) =>
  `sh -c 'sleep 25 & echo $! > "$PROBE/${name}.child"; wait' & echo $$ > "$PROBE/${name}.pids"; wait`;

describe('setup and verify under the timeout and the cancel', () => {
  let r: RunEnv;
  const pids: number[] = [];
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended, as it should
      }
    }
    r.cleanup();
  });

  /** The pids of `name`'s command: its sh, the grandchild's sh, and the grandchild's sleep. */
  const started = async (name: string): Promise<number[]> => {
    const read = (f: string) => {
      const file = join(r.probe, f);
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    };
    await waitFor(
      () => read(`${name}.pids`).endsWith('\n') && read(`${name}.child`).endsWith('\n'),
      `${name} to start`,
    );
    const sh = Number(read(`${name}.pids`));
    const sleep = Number(read(`${name}.child`));
    const found = [sh, sleep];
    pids.push(...found);
    expect(found.every(alive)).toBe(true);
    return found;
  };

  const outcomes = () =>
    Object.fromEntries(r.report().workers.map((w) => [w.feature, [w.outcome, w.reason]]));

  test('a setup of 25 s under timeout: 2s ends the worker `timeout`, and its processes with it', async () => {
    r.writePlan(
      `version: 1\ndefaults:\n  agent: shell\nworkers:\n  - feature: s\n    timeout: 2s\n` +
        `    setup:\n      - ${JSON.stringify(slow('setup'))}\n    task: echo ran > "$PROBE/agent"\n`,
    );
    const run = r.wo(['run']);
    const procs = await started('setup');
    const end = await run;
    expect(end.code).toBe(1);
    expect(outcomes()).toEqual({ s: ['timeout', 'timed out after 2s'] });
    expect(existsSync(join(r.probe, 'agent'))).toBe(false);
    await waitFor(() => !procs.some(alive), 'every process of the setup to end', 5000);
  });

  test('a verify that hangs is ended by the timeout, with what it started', async () => {
    r.writePlan(
      `version: 1\ndefaults:\n  agent: shell\nworkers:\n  - feature: v\n    timeout: 3s\n` +
        `    verify: ${JSON.stringify(slow('verify'))}\n    task: echo ran > "$PROBE/agent"\n`,
    );
    const run = r.wo(['run']);
    const procs = await started('verify');
    const end = await run;
    expect(end.code).toBe(1);
    expect(outcomes()).toEqual({ v: ['timeout', 'timed out after 3s'] });
    await waitFor(() => !procs.some(alive), 'every process of the verify to end', 5000);
  });

  test('SIGTERM during a slow setup ends wo (130), writes the report, and ends the setup', async () => {
    r.writePlan(
      `version: 1\ndefaults:\n  agent: shell\n  timeout: 60s\nworkers:\n  - feature: s\n` +
        `    setup:\n      - ${JSON.stringify(slow('setup'))}\n    task: echo ran > "$PROBE/agent"\n` +
        `  - feature: later\n    task: echo ran > "$PROBE/later"\n`,
    );
    const wo = r.spawnWo(['run', '-j', '1']);
    const procs = await started('setup');
    wo.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exitOf(wo),
      new Promise<string>((res) => (timer = setTimeout(() => res('wo is still running'), 20_000))),
    ]).finally(() => clearTimeout(timer));
    expect(code).toBe(130);
    expect(outcomes()).toEqual({
      s: ['interrupted', 'interrupted'],
      later: ['skipped', 'run interrupted before it started'],
    });
    await waitFor(() => !procs.some(alive), 'every process of the setup to end', 5000);
    expect(existsSync(join(r.probe, 'agent'))).toBe(false);
  });
});
