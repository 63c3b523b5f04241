// The run driver's wiring with fakes: no tmux, git or files. It gathers facts, asks decide() and
// carries out what it says (record, end the session, run verify, stop). The real programs are in
// driver.test.ts.
import type { Runner, RunOptions } from '../../src/process/run.js';
import type { Git } from '../../src/git/git.js';
import type { SessionInfo, Tmux } from '../../src/tmux/tmux.js';
import { RunDriver, silentSince } from '../../src/worker/driver.js';
import type { LiveEvent } from '../../src/scheduler/types.js';
import type { FileFacts, WorkerFiles } from '../../src/protocol/worker-files.js';
import { defaultLayout } from '../../src/worktree/layout.js';
import { NOTHING_DONE, UNKNOWN_SCREEN, type Recording } from '../../src/life/outcome.js';
import type { AgentEvent } from '../../src/agents/types.js';
import { PRESETS } from '../../src/plan/presets.js';
import { FakeClock, settle, spec } from '../scheduler/fakes.js';

/** Worker files in memory, keyed by worktree. */
class MemoryFiles implements WorkerFiles {
  readonly facts = new Map<string, FileFacts>();
  readonly recorded: Array<{ worktree: string; r: Recording }> = [];
  readonly finishedAt: string[] = [];
  runStep?: WorkerFiles['runStep'];
  set(worktree: string, f: FileFacts): void {
    this.facts.set(worktree, { ...this.facts.get(worktree), ...f });
  }
  async read(loc: { worktree: string }): Promise<FileFacts> {
    return { ...this.facts.get(loc.worktree) };
  }
  async record(loc: { worktree: string }, r: Recording): Promise<void> {
    this.recorded.push({ worktree: loc.worktree, r });
    this.set(loc.worktree, { statusText: r.status });
  }
  async finished(worktree: string): Promise<void> {
    this.finishedAt.push(worktree);
  }
}

class FakeTmux {
  sessions: SessionInfo[] = [];
  readonly killed: string[] = [];
  readonly keys: string[] = [];
  /** What Ctrl-C does to the agent (default: nothing, it ignores it). */
  onCtrlC: () => void = () => undefined;
  /** Whether a session's program has exited: a real wrapper exits once it wrote the exit record. */
  exited: (name: string) => boolean = () => false;
  async listSessions() {
    return this.sessions.filter((s) => !this.exited(s.name));
  }
  async killSession(name: string) {
    this.killed.push(name);
    const had = this.sessions.some((s) => s.name === name);
    this.sessions = this.sessions.filter((s) => s.name !== name);
    return had;
  }
  async sendKeys(name: string, ...keys: string[]) {
    this.keys.push(`${name} ${keys.join(' ')}`);
    this.onCtrlC();
    return this.sessions.some((s) => s.name === name);
  }
}

function setup(over: { verifyExit?: number; silentMs?: number } = {}) {
  const layout = defaultLayout('/repo');
  const files = new MemoryFiles();
  const tmux = new FakeTmux();
  const clock = new FakeClock();
  const launched: string[] = [];
  const live: LiveEvent[] = [];
  const created: string[] = [];
  const heads = { at: 'c0' };
  const ran: Array<{ file: string; args: readonly string[]; options?: RunOptions }> = [];
  const runner: Runner = {
    async run(file, args, options) {
      ran.push({ file, args, options });
      return { stdout: 'verify says no\n', stderr: '', exitCode: over.verifyExit ?? 0 };
    },
  };
  const driver = new RunDriver({
    // Each branch's commit (rev-parse): a test moves it to say the agent committed.
    git: {
      run: async () => ({ stdout: `${heads.at}\n`, stderr: '', exitCode: 0 }),
      commonDir: async () => '/repo/.git', // no worktrees folder there: no git folders for the sandbox
    } as unknown as Git,
    tmux: tmux as unknown as Tmux,
    runner,
    layout,
    agents: { ...PRESETS },
    runId: 'r1',
    env: {},
    files,
    clock,
    pollMs: 0,
    graceMs: 100,
    watch: () => ({ close: () => undefined }),
    ...(over.silentMs !== undefined && { silentMs: over.silentMs }),
    onEvent: (e) => live.push(e),
    createWorktree: async (_git, _root, loc) => {
      created.push(loc.feature);
      return true;
    },
    launch: async (_tmux, input) => {
      launched.push(input.feature);
      files.set(input.worktree, { statusText: 'running\n', resultText: undefined, exit: undefined });
      tmux.sessions.push({ name: input.session, created: 0, paneDead: false, attached: false });
      return { startedAt: new Date(clock.now()) };
    },
  });
  const wt = (f: string) => `/repo-worktrees/${f}`;
  tmux.exited = (name) => files.facts.get(wt(name.replace(/^wt-/, '')))?.exit !== undefined;
  return { driver, files, tmux, clock, launched, created, ran, wt, heads, live };
}

describe('RunDriver (fakes)', () => {
  test('prefetch creates `ahead` worktrees before their turn, one more per start, none twice', async () => {
    const { driver, created } = setup();
    const [a, b, c, d] = [spec('a'), spec('b'), spec('c'), spec('d')];
    const needy = spec('n', { needs: ['a'] });
    driver.prefetch([a, b, needy, c, d], 2);
    expect(created).toEqual(['a', 'b']);
    await driver.prepare(a);
    await driver.start(a, 1);
    expect(created).toEqual(['a', 'b', 'c']); // a's start: one more ahead
    await driver.prepare(d); // d's turn came before prefetch reached it: created in its turn
    expect(created).toEqual(['a', 'b', 'c', 'd']);
    await driver.prepare(b);
    await driver.start(b, 1);
    await driver.prepare(needy); // a worker with needs is never prefetched, only made in its turn
    expect(created).toEqual(['a', 'b', 'c', 'd', 'n']);
    await driver.close();
  });

  describe('a hooks-based agent that sends no hook (SPEC §1 Live states): waiting, a screen wo does not know', () => {
    const SILENT = 30_000;
    const last = (live: LiveEvent[]) => live.filter((e) => e.feature === 'i').at(-1);
    /** Time passes, then the agent's files are looked at (as a change of its hooks file makes wo do). */
    const look = async (driver: RunDriver, clock: FakeClock, ms: number) => {
      clock.advance(ms);
      await settle();
      driver.monitor.recheck('i');
      await settle();
    };

    test('silentSince: the start, or just after the working event that answered the last waiting', () => {
      const at = (t: number, state: AgentEvent['state']): AgentEvent => ({ at: t, state });
      expect(silentSince(undefined, 100)).toBe(100);
      expect(silentSince([at(150, 'working'), at(300, 'working')], 100)).toBe(100);
      expect(silentSince([at(150, 'waiting'), at(200, 'working'), at(250, 'waiting')], 100)).toBe(201);
      expect(
        silentSince([at(150, 'waiting'), at(200, 'working'), at(250, 'waiting'), at(400, 'working')], 100),
      ).toBe(401);
      // A limit after a question is the limit's state to show, not an answer; an earlier attempt's events do not count.
      expect(silentSince([at(150, 'waiting'), at(200, 'rate-limited')], 100)).toBe(100);
      expect(silentSince([at(50, 'waiting'), at(60, 'working')], 100)).toBe(100);
    });

    test('silent from its start: working until 30 s have passed, then waiting', async () => {
      const { driver, clock, live } = setup({ silentMs: SILENT });
      await driver.start(spec('i', { agent: 'claude' }), 1);
      await look(driver, clock, SILENT - 1);
      expect(last(live)).toMatchObject({ state: 'working' });
      // The clock alone ends the silence: no file changes, the driver's own timer looks again.
      clock.advance(1);
      await settle();
      expect(last(live)).toMatchObject({ state: 'waiting', message: UNKNOWN_SCREEN });
      await driver.close();
    });

    test('a hook within 30 s of its start keeps it working, however late wo looks', async () => {
      const { driver, files, clock, live, wt } = setup({ silentMs: SILENT });
      const started = clock.now();
      await driver.start(spec('i', { agent: 'claude' }), 1);
      files.set(wt('i'), { agentEvents: [{ at: started + 1000, state: 'working' }] });
      await look(driver, clock, SILENT * 3);
      expect(live.filter((e) => e.feature === 'i').map((e) => e.state)).toEqual(['working']);
      await driver.close();
    });

    test('after its last waiting was answered, a 30 s silence is waiting again', async () => {
      const { driver, files, clock, live, wt } = setup({ silentMs: SILENT });
      const started = clock.now();
      await driver.start(spec('i', { agent: 'claude' }), 1);
      const asked: AgentEvent = {
        at: started + 1000,
        state: 'waiting',
        message: 'Claude needs your permission to use Bash',
      };
      files.set(wt('i'), { agentEvents: [{ at: started + 10, state: 'working' }, asked] });
      await look(driver, clock, 2000);
      expect(last(live)).toMatchObject({ state: 'waiting', message: asked.message });
      // A person answered at +5 s (its hook says it went on); then nothing more for 30 s.
      const answeredAt = started + 5000;
      files.set(wt('i'), {
        agentEvents: [{ at: started + 10, state: 'working' }, asked, { at: answeredAt, state: 'working' }],
      });
      await look(driver, clock, answeredAt - clock.now());
      expect(last(live)).toMatchObject({ state: 'working' });
      await look(driver, clock, SILENT - 1);
      expect(last(live)).toMatchObject({ state: 'working' });
      // Counted from just after the answer's hook (whole milliseconds): the clock alone looks again.
      clock.advance(2);
      await settle();
      expect(last(live)).toMatchObject({ state: 'waiting', message: UNKNOWN_SCREEN });
      // Its next hook: working again.
      files.set(wt('i'), {
        agentEvents: [
          { at: started + 10, state: 'working' },
          asked,
          { at: answeredAt, state: 'working' },
          { at: clock.now(), state: 'working' },
        ],
      });
      await look(driver, clock, 1);
      expect(last(live)).toMatchObject({ state: 'working' });
      await driver.close();
    });
  });

  test('an agent that exited 0 without a result: done, wo records done and quotes its output', async () => {
    const { driver, files, launched, wt, clock } = setup();
    const h = await driver.start(spec('a'), 1);
    expect(h.adopted).toBe(false);
    expect(launched).toEqual(['a']);
    files.set(wt('a'), { exit: { code: 0 } });
    clock.advance(1);
    await driver.monitor.poll();
    // Found by the poll, not a file event: noticed when the look's reads came back.
    expect(await h.done).toMatchObject({ outcome: 'done', exitCode: 0, noticedAt: clock.now() });
    expect(files.recorded).toEqual([{ worktree: wt('a'), r: { status: 'done', quoteOutput: 0 } }]);
    await driver.close();
    expect(files.finishedAt).toEqual([wt('a')]);
  });

  test('an agent that exited 0 having reported and committed nothing is failed; one that committed is done', async () => {
    const { driver, files, wt, clock, heads } = setup();
    // A headless agent's end waits for its printed result: a few polls find both.
    const polls = async () => {
      for (let i = 0; i < 5; i++) {
        clock.advance(1);
        await driver.monitor.poll();
      }
    };
    const idle = await driver.start(spec('idle', { agent: 'claude-print' }), 1);
    files.set(wt('idle'), {
      exit: { code: 0 },
      agentResult: { isError: false, lastMessage: 'Nothing to do.' },
    });
    await polls();
    expect(await idle.done).toMatchObject({ outcome: 'failed', reason: NOTHING_DONE, exitCode: 0 });
    expect(files.recorded).toEqual([
      { worktree: wt('idle'), r: { status: 'failed', headline: NOTHING_DONE, detail: 'Nothing to do.' } },
    ]);

    const busy = await driver.start(spec('busy', { agent: 'claude-print' }), 1);
    heads.at = 'c1'; // it committed
    files.set(wt('busy'), { exit: { code: 0 }, agentResult: { isError: false } });
    await polls();
    expect(await busy.done).toMatchObject({ outcome: 'done', exitCode: 0 });
    await driver.close();
  });

  test('an interactive agent that wrote done is done, and its session is ended for it', async () => {
    const { driver, files, tmux, wt, clock } = setup();
    const h = await driver.start(spec('i'), 1);
    files.set(wt('i'), { statusText: 'done\n', resultText: 'did it' });
    clock.advance(1);
    await driver.monitor.poll();
    expect(await h.done).toMatchObject({ outcome: 'done' });
    expect(files.recorded).toEqual([]); // the agent's own word stands
    await driver.close();
    expect(tmux.killed).toEqual(['wt-i']);
  });

  test('verify runs in the worktree once the agent is done, and its failure is recorded with its output', async () => {
    const { driver, files, ran, wt, clock } = setup({ verifyExit: 1 });
    const h = await driver.start(spec('v', { verify: 'npm test' }), 1);
    files.set(wt('v'), { statusText: 'done\n' });
    clock.advance(1);
    await driver.monitor.poll();
    expect(await h.done).toMatchObject({ outcome: 'failed', reason: 'verify "npm test" failed (exit 1)' });
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ file: 'sh', args: ['-c', 'npm test'], options: { cwd: wt('v') } });
    expect(files.recorded[0]!.r).toMatchObject({
      status: 'failed',
      headline: 'verify "npm test" failed (exit 1)',
      detail: '```\nverify says no\n```',
    });
    await driver.close();
  });

  test('a session gone without a status or an exit record is crashed', async () => {
    const { driver, files, tmux, clock } = setup();
    const h = await driver.start(spec('c'), 1);
    tmux.sessions = [];
    clock.advance(1);
    await driver.monitor.poll();
    expect(await h.done).toMatchObject({ outcome: 'crashed', reason: 'session ended without status' });
    expect(files.recorded[0]!.r).toEqual({ status: 'failed', headline: 'session ended without status' });
  });

  test('stop(): Ctrl-C, then the session is killed, and the stop reason wins over the exit it caused', async () => {
    const { driver, files, tmux, wt } = setup();
    const h = await driver.start(spec('s'), 1);
    tmux.onCtrlC = () => {
      files.set(wt('s'), { exit: { code: 130 } }); // the agent exits on Ctrl-C…
      tmux.sessions = []; // …and its session ends
    };
    await h.stop('timed out after 1s');
    expect(await h.done).toMatchObject({ outcome: 'failed', reason: 'timed out after 1s', exitCode: 130 });
    expect(tmux.keys).toEqual(['wt-s C-c']);
    expect(files.recorded.map((x) => x.r)).toEqual([{ status: 'failed', headline: 'timed out after 1s' }]);
  });

  test('stop() of an agent that ignores Ctrl-C kills its session after the grace period', async () => {
    const { driver, tmux, clock } = setup();
    const h = await driver.start(spec('deaf'), 1);
    const stopped = h.stop('interrupted');
    await settle();
    expect(tmux.killed).toEqual([]); // still within the grace period
    clock.advance(100);
    await settle();
    clock.advance(100);
    await stopped;
    expect(tmux.killed).toContain('wt-deaf');
    expect(await h.done).toMatchObject({ outcome: 'failed', reason: 'interrupted' });
  });

  test('a live session of a worker that has not ended is adopted, never started twice', async () => {
    const { driver, files, tmux, launched, wt } = setup();
    tmux.sessions = [{ name: 'wt-live', created: 0, paneDead: false, attached: false }];
    files.set(wt('live'), { statusText: 'running\n' });
    const h = await driver.start(spec('live'), 1);
    expect(h.adopted).toBe(true);
    expect(launched).toEqual([]);
    tmux.onCtrlC = () => (tmux.sessions = []);
    await h.stop('interrupted');
  });

  test('a live session of a worker that already ended is replaced by a new start', async () => {
    const { driver, files, tmux, launched, wt } = setup();
    tmux.sessions = [{ name: 'wt-old', created: 0, paneDead: false, attached: false }];
    files.set(wt('old'), { statusText: 'done\n' });
    const h = await driver.start(spec('old'), 1);
    expect(h.adopted).toBe(false);
    expect(tmux.killed).toEqual(['wt-old']);
    expect(launched).toEqual(['old']);
    tmux.onCtrlC = () => (tmux.sessions = []);
    await h.stop('interrupted');
  });
});

describe('RunDriver: where the run is with each worker, for wo status', () => {
  test("the scheduler's events and verify are written as run steps, in order", async () => {
    const { driver, files, wt, clock } = setup();
    const steps: string[] = [];
    files.runStep = async (stateDir: string, runId: string, step: string) => {
      steps.push(`${stateDir} ${runId} ${step}`);
    };
    const sd = '/repo/.wo/workers/v';
    driver.noteEvent({ type: 'queued', feature: 'v', at: 0 });
    driver.noteEvent({ type: 'preparing', feature: 'v', at: 0 });
    const h = await driver.start(spec('v', { verify: 'npm test' }), 1);
    driver.noteEvent({ type: 'started', feature: 'v', attempt: 1, adopted: false, at: 0 });
    // A start empties the state folder: no file reads as running, so running is not written.
    expect(steps).toEqual([`${sd} r1 queued`, `${sd} r1 preparing`]);
    files.set(wt('v'), { statusText: 'done\n' });
    clock.advance(1);
    await driver.monitor.poll();
    expect(await h.done).toMatchObject({ outcome: 'done' });
    await driver.close();
    // verifying while verify ran, then back to running once its end was written down
    expect(steps.slice(2)).toEqual([`${sd} r1 verifying`, `${sd} r1 running`]);
    driver.noteEvent({ type: 'finished', feature: 'v', record: {} as never, at: 0 });
    expect(steps).toHaveLength(4); // ended reads as running does: no write
  });

  test('running and ended are written over a step readers act on: an adopted worker, one that never started', async () => {
    const { driver, files, tmux } = setup();
    const steps: string[] = [];
    files.runStep = async (_dir, _run, step) => {
      steps.push(step);
    };
    tmux.sessions = [{ name: 'wt-live', created: 0, paneDead: false, attached: false }];
    files.set('/repo-worktrees/live', { statusText: 'running\n' });
    driver.noteEvent({ type: 'preparing', feature: 'live', at: 0 });
    const h = await driver.start(spec('live'), 1);
    expect(h.adopted).toBe(true);
    driver.noteEvent({ type: 'started', feature: 'live', attempt: 1, adopted: true, at: 0 });
    driver.noteEvent({ type: 'preparing', feature: 'nostart', at: 0 });
    driver.noteEvent({ type: 'finished', feature: 'nostart', record: {} as never, at: 0 });
    expect(steps).toEqual(['preparing', 'running', 'preparing', 'ended']);
    tmux.onCtrlC = () => (tmux.sessions = []);
    await h.stop('interrupted');
  });
});

describe('RunDriver: the end is written down off the critical path', () => {
  test('the attempt ends before its record is written; a retry and close() wait for the record', async () => {
    const { driver, files, tmux, launched, wt, clock } = setup();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const record = files.record.bind(files);
    files.record = async (loc, r) => {
      await gate;
      await record(loc, r);
    };
    const h = await driver.start(spec('a'), 1);
    files.set(wt('a'), { exit: { code: 1 } });
    clock.advance(1);
    await driver.monitor.poll();
    expect(await h.done).toMatchObject({ outcome: 'failed', exitCode: 1 });
    expect(files.recorded).toEqual([]); // not yet written, and the run goes on
    const retry = driver.start(spec('a'), 2);
    await settle();
    expect(launched).toEqual(['a']); // the retry waits for the first attempt's record
    open();
    const h2 = await retry;
    expect(launched).toEqual(['a', 'a']);
    expect(files.recorded.map((x) => x.r.status)).toEqual(['failed']);
    tmux.onCtrlC = () => (tmux.sessions = []);
    await h2.stop('interrupted');
    await driver.close();
  });

  test("a plain command's end is decided from one look: its files are not read again for usage", async () => {
    const { driver, files, wt, clock, heads } = setup();
    let reads = 0;
    const read = files.read.bind(files);
    files.read = async (loc) => {
      reads++;
      return read(loc);
    };
    // Both ends are found by the same polls (a live session is looked at every fifth one).
    const polls = async () => {
      for (let i = 0; i < 5; i++) {
        clock.advance(1);
        await driver.monitor.poll();
      }
    };
    const h = await driver.start(spec('p'), 1);
    files.set(wt('p'), { exit: { code: 0 } });
    await polls();
    expect(await h.done).toMatchObject({ outcome: 'done' });
    const plain = reads;
    reads = 0;
    // An agent with an adapter is read once more: what it printed by its end is its usage.
    const h2 = await driver.start(spec('q', { agent: 'claude-print' }), 1);
    heads.at = 'c1'; // it committed: done
    files.set(wt('q'), { exit: { code: 0 }, agentResult: { usage: { inputTokens: 5 } } as never });
    await polls();
    expect(await h2.done).toMatchObject({ outcome: 'done', usage: { inputTokens: 5 } });
    expect(reads).toBe(plain + 1);
    await driver.close();
  });

  test('a record that cannot be written: the outcome stands, verify is over for wo status all the same', async () => {
    const { driver, files, wt, clock } = setup();
    const steps: string[] = [];
    files.runStep = async (_dir, _run, step) => {
      steps.push(step);
    };
    files.record = async () => {
      throw new Error('ENOSPC: no space left on device');
    };
    const h = await driver.start(spec('full', { verify: 'npm test' }), 1);
    files.set(wt('full'), { exit: { code: 0 } });
    clock.advance(1);
    await driver.monitor.poll();
    expect(await h.done).toMatchObject({ outcome: 'done' });
    await driver.close();
    expect(steps).toEqual(['verifying', 'running']);
  });

  test('close() waits for a record still being written', async () => {
    const { driver, files, wt, clock } = setup();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const record = files.record.bind(files);
    files.record = async (loc, r) => {
      await gate;
      await record(loc, r);
    };
    const h = await driver.start(spec('b'), 1);
    files.set(wt('b'), { exit: { code: 0 } });
    clock.advance(1);
    await driver.monitor.poll();
    await h.done;
    let closed = false;
    const closing = driver.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    open();
    await closing;
    expect(files.recorded.map((x) => x.r.status)).toEqual(['done']);
  });
});

describe('RunDriver: rate limits', () => {
  test("a headless agent that exited on its limit: the end says so, with the agent's words and reset", async () => {
    const { driver, files, wt, clock } = setup();
    const h = await driver.start(spec('p', { agent: 'claude-print' }), 1);
    const resetsAt = '2026-11-28T09:48:32.000Z';
    files.set(wt('p'), {
      exit: { code: 1 },
      agentResult: { isError: true, message: "You've hit your limit · resets 9:48am (UTC)" },
      agentEvents: [
        { at: 1, state: 'rate-limited', message: 'the five-hour usage limit is reached', resetsAt },
      ],
    });
    clock.advance(1);
    await driver.monitor.poll();
    expect(await h.done).toMatchObject({
      outcome: 'failed',
      rateLimit: { message: "You've hit your limit · resets 9:48am (UTC)", resetsAt: Date.parse(resetsAt) },
    });
    expect(h.onRateLimit).toBeUndefined(); // a headless agent is not resumed at a prompt
    await driver.close();
  });

  test('an interactive agent at its prompt on a limit: the scheduler is told; resume presses Enter, types "continue" and Enter, once', async () => {
    const { driver, files, tmux, wt, clock } = setup();
    const live: string[] = [];
    const h = await driver.start(spec('i', { agent: 'claude' }), 1);
    const limits: unknown[] = [];
    h.onRateLimit!((l) => limits.push(l));
    const resetsAt = '2026-11-28T09:48:00.000Z';
    files.set(wt('i'), {
      agentEvents: [
        { at: 1, state: 'working' },
        { at: 2, state: 'rate-limited', message: 'resets 9:48am (UTC)', resetsAt },
      ],
    });
    clock.advance(1);
    await driver.monitor.poll();
    await settle();
    expect(limits).toEqual([{ message: 'resets 9:48am (UTC)', resetsAt: Date.parse(resetsAt) }]);
    // Told again (at once) to a listener that comes later, while it still is limited.
    h.onRateLimit!((l) => live.push(JSON.stringify(l)));
    expect(live).toHaveLength(1);
    const resumed = h.resume!();
    for (let i = 0; i < 3; i++) {
      await settle();
      clock.advance(300); // the pause between keys
    }
    await resumed;
    await h.resume!(); // no longer limited: nothing more is typed
    // Enter first: it takes "Stop and wait for limit to reset" in Claude Code's /rate-limit-options menu.
    expect(tmux.keys).toEqual(['wt-i Enter', 'wt-i -l continue', 'wt-i Enter']);
    files.set(wt('i'), { statusText: 'done\n' });
    // A live session is looked at every fifth safety poll (its file events prompt the others).
    for (let i = 0; i < 5; i++) {
      clock.advance(1);
      await driver.monitor.poll();
    }
    expect(await h.done).toMatchObject({ outcome: 'done' });
    expect((await h.done).rateLimit).toBeUndefined();
    await driver.close();
  });

  test('a headless agent retrying its limit by itself: held until its retry; once it works again, wo status says running', async () => {
    const { driver, files, wt, clock } = setup();
    const steps: string[] = [];
    files.runStep = async (_dir, _run, step) => {
      steps.push(step);
    };
    const h = await driver.start(spec('p', { agent: 'claude-print' }), 1);
    await settle();
    const waits: number[] = [];
    // As the scheduler does: it holds the agent, and its event is written for `wo status`.
    h.onAgentWait!({
      waits: (l) => {
        waits.push(l.resetsAt!);
        driver.noteEvent({ type: 'rate-limited', feature: 'p', attempt: 1, ...l, until: l.resetsAt, at: 0 });
      },
      wentOn: () => undefined,
    });
    const resetsAt = '2026-11-28T09:48:32.000Z';
    const retry: AgentEvent = { at: 1, state: 'rate-limited', message: 'the API said 429', resetsAt };
    files.set(wt('p'), { agentEvents: [{ at: 0, state: 'working' }, retry] });
    driver.monitor.recheck('p');
    await settle();
    expect(waits).toEqual([Date.parse(resetsAt)]);
    expect(steps).toEqual(['rate-limited']);
    // Its retry went through: the stream says it works again.
    clock.advance(1);
    files.set(wt('p'), { agentEvents: [{ at: 0, state: 'working' }, retry, { at: 2, state: 'working' }] });
    driver.monitor.recheck('p');
    await settle();
    expect(steps).toEqual(['rate-limited', 'running']);
    await driver.close();
  });

  test('an interactive agent retrying its limit by itself: the scheduler holds its agent until it goes on; nothing is typed', async () => {
    const { driver, files, tmux, wt, clock } = setup();
    const steps: string[] = [];
    files.runStep = async (_dir, _run, step) => {
      steps.push(step);
    };
    const h = await driver.start(spec('i', { agent: 'claude' }), 1);
    await settle();
    const told: string[] = [];
    const limits: unknown[] = [];
    h.onRateLimit!((l) => limits.push(l));
    h.onAgentWait!({
      waits: (l) => {
        told.push(`waits ${l.message}${l.resetsAt !== undefined ? ` ${l.resetsAt}` : ''}`);
        driver.noteEvent({ type: 'rate-limited', feature: 'i', attempt: 1, ...l, at: 0 });
      },
      wentOn: () => told.push('went on'),
    });
    const retry: AgentEvent = {
      at: 2,
      state: 'rate-limited',
      message: 'the API said 429',
      retriesItself: true,
    };
    files.set(wt('i'), { agentEvents: [{ at: 1, state: 'working' }, retry] });
    driver.monitor.recheck('i');
    await settle();
    expect(told).toEqual(['waits the API said 429']);
    expect(steps).toEqual(['rate-limited']);
    clock.advance(1);
    files.set(wt('i'), {
      agentEvents: [
        { at: 1, state: 'working' },
        { at: 3, state: 'working' },
      ],
    });
    driver.monitor.recheck('i');
    await settle();
    expect(told).toEqual(['waits the API said 429', 'went on']);
    expect(steps).toEqual(['rate-limited', 'running']);
    // Its own retry is no limit at its prompt: it is not resumed, and no key reached it.
    expect(limits).toEqual([]);
    expect(tmux.keys).toEqual([]);
    await driver.close();
  });

  test('a worker waiting between attempts is written as the rate-limited run step, with its reset', async () => {
    const { driver, files } = setup();
    const steps: unknown[] = [];
    files.runStep = async (_dir, _run, step, _at, note) => {
      steps.push([step, note]);
    };
    driver.noteEvent({
      type: 'rate-limited',
      feature: 'p',
      attempt: 1,
      message: 'limit',
      resetsAt: Date.parse('2026-11-28T09:48:32.000Z'),
      until: 0,
      at: 0,
    });
    expect(steps).toEqual([['rate-limited', { message: 'limit', resetsAt: '2026-11-28T09:48:32.000Z' }]]);
    await driver.close();
  });
});
