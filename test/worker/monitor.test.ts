import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Monitor } from '../../src/worker/monitor.js';
import type { Tmux, SessionInfo } from '../../src/tmux/tmux.js';

/** A tmux that lists the given sessions. */
const fakeTmux = (sessions: SessionInfo[] = []) =>
  ({ listSessions: async () => sessions }) as unknown as Tmux;
const poll = (m: Monitor) => (m as unknown as { poll(): Promise<void> }).poll();

describe('Monitor', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wo-monitor-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a finished status file settles the wait through a file event', async () => {
    const m = new Monitor(fakeTmux([{ name: 'wt-a', created: 0, paneDead: false, attached: false }]), 0);
    writeFileSync(join(dir, '.worker-status'), 'running\n');
    const c = m.wait('a', dir, 'wt-a');
    const written = Date.now();
    writeFileSync(join(dir, '.worker-status'), 'done\n');
    const got = await c;
    expect(got).toMatchObject({ status: 'done' });
    expect(got.crashed).toBeUndefined();
    // The notice time is taken when the change is seen, before the status file is read.
    expect(got.noticedAt).toBeGreaterThanOrEqual(written);
    m.close();
  });

  test('a session gone without a final status is crashed', async () => {
    const m = new Monitor(fakeTmux([]), 0);
    writeFileSync(join(dir, '.worker-status'), 'running\n');
    const c = m.wait('a', dir, 'wt-a');
    await new Promise((r) => setTimeout(r, 5)); // the poll's listing must come after the wait began
    await poll(m);
    expect(await c).toMatchObject({
      status: 'failed',
      crashed: true,
      reason: 'session ended without status',
    });
  });

  test('the safety poll waits for a status read in flight instead of calling the worker crashed', async () => {
    // A FIFO keeps the wait's first read pending until "done" is written into it.
    const status = join(dir, '.worker-status');
    execFileSync('mkfifo', [status]);
    const m = new Monitor(fakeTmux([]), 0);
    const c = m.wait('a', dir, 'wt-a');
    await new Promise((r) => setTimeout(r, 5));
    const polled = poll(m); // the session is gone and the read is still pending
    setTimeout(() => writeFileSync(status, 'done\n'), 50);
    await polled;
    const got = await c;
    expect(got).toMatchObject({ status: 'done' });
    expect(got.crashed).toBeUndefined();
    m.close();
  });

  test('a worker that began waiting during a tmux listing is not judged by that listing', async () => {
    let release!: (s: SessionInfo[]) => void;
    const slow = { listSessions: () => new Promise<SessionInfo[]>((r) => (release = r)) } as unknown as Tmux;
    const m = new Monitor(slow, 0);
    const other = mkdtempSync(join(tmpdir(), 'wo-monitor-b-'));
    try {
      writeFileSync(join(other, '.worker-status'), 'running\n');
      writeFileSync(join(dir, '.worker-status'), 'running\n');
      void m.wait('b', other, 'wt-b');
      await new Promise((r) => setTimeout(r, 5));
      const polled = poll(m); // asks tmux now…
      await new Promise((r) => setTimeout(r, 5));
      const c = m.wait('a', dir, 'wt-a'); // …a session is created and its wait begins…
      let settled = false;
      void c.then(() => (settled = true));
      release([{ name: 'wt-b', created: 0, paneDead: false, attached: false }]); // …the answer predates it
      await polled;
      await new Promise((r) => setTimeout(r, 20));
      expect(settled).toBe(false);
    } finally {
      m.close();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
