// SPEC §9: when a worker ends by timeout or kill, every process it started ends too, including
// those that ignore Ctrl-C, hang-up and TERM, and a daemon it started with setsid.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, type Fixture } from '../commands/setup.js';
import { waitFor } from '../helpers.js';

function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A task that leaves a stubborn child and a setsid daemon behind, their pids in $PROBE. */
const stubborn = (probe: string) =>
  [
    `trap '' HUP INT TERM`,
    `sh -c 'trap "" HUP INT TERM; echo $$ > "${probe}/child.pid"; exec sleep 300' &`,
    `sh -c 'setsid sh -c "trap \\"\\" HUP INT TERM; echo \\$\\$ > \\"${probe}/daemon.pid\\"; exec sleep 300" &'`,
    'sleep 300',
  ].join('\n');

describe('processes outliving workers', () => {
  let f: Fixture;
  const pids: number[] = [];
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended, as it should
      }
    }
    f.cleanup();
  });

  const started = async (probe: string) => {
    const read = (n: string) => Number(readFileSync(join(probe, n), 'utf8').trim() || 0);
    await waitFor(
      () => existsSync(join(probe, 'child.pid')) && existsSync(join(probe, 'daemon.pid')),
      'the child and the daemon to start',
    );
    await waitFor(() => read('child.pid') > 0 && read('daemon.pid') > 0, 'their pids');
    const both = [read('child.pid'), read('daemon.pid')];
    pids.push(...both);
    expect(both.map(alive)).toEqual([true, true]);
    return both;
  };

  test('after a timeout, the whole tree and the setsid daemon are gone', async () => {
    const probe = f.repo.base;
    const task = stubborn(probe).replaceAll('\n', '\n      ');
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\ndefaults:\n  agent: shell\nworkers:\n  - feature: t\n    timeout: 2s\n    task: |\n      ${task}\n`,
    );
    const run = f.wo('run');
    const both = await started(probe);
    const r = await run;
    expect(r.code).toBe(1);
    await waitFor(() => !both.some(alive), 'every process of the timed-out worker to end', 5000);
  });

  test('a worker that ends done on its own: what it left running (a child ignoring HUP, a setsid daemon) ends too', async () => {
    const probe = f.repo.base;
    const task = stubborn(probe)
      .replace(/sleep 300$/, 'exit 0')
      .replaceAll('\n', '\n      ');
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\ndefaults:\n  agent: shell\nworkers:\n  - feature: d\n    task: |\n      ${task}\n`,
    );
    const run = f.wo('run');
    const both = await started(probe);
    expect((await run).code).toBe(0);
    await waitFor(() => !both.some(alive), 'what the finished worker left running to end', 5000);
  });

  test('a wo spawn worker that ends on its own: what it left running ends too', async () => {
    const probe = f.repo.base;
    const task = stubborn(probe).replace(/sleep 300$/, 'exit 0');
    expect((await f.wo('spawn', 's', task, '--agent', 'shell', '--create')).code).toBe(0);
    const both = await started(probe);
    await f.waitStatus('s', 'done');
    await waitFor(() => !both.some(alive), 'what the finished worker left running to end', 5000);
  });

  test('after wo kill --force, the whole tree and the setsid daemon are gone', async () => {
    const probe = f.repo.base;
    expect((await f.wo('spawn', 'k', stubborn(probe), '--agent', 'shell', '--create')).code).toBe(0);
    const both = await started(probe);
    expect((await f.wo('kill', 'k', '--force')).code).toBe(0);
    await waitFor(() => !both.some(alive), 'every process of the killed worker to end', 5000);
  });
});
