// An interactive Claude Code worker that retries an API error by itself (issue 18 item 8): no hook
// speaks meanwhile, so the driver reads its screen once it has been silent a while, and again every
// SCREEN_LOOK_MS while the silence lasts. A retry there is `rate-limited` with its reset, and its agent
// is held (onAgentWait); wo types nothing. The screens are real panes (test/fixtures/agents/).
import { readFileSync } from 'node:fs';
import type { Git } from '../../src/git/git.js';
import type { SessionInfo, Tmux } from '../../src/tmux/tmux.js';
import type { Runner } from '../../src/process/run.js';
import { RunDriver, SCREEN_LOOK_MS } from '../../src/worker/driver.js';
import type { LiveEvent, RateLimit } from '../../src/scheduler/types.js';
import type { FileFacts, WorkerFiles } from '../../src/protocol/worker-files.js';
import type { RunStep } from '../../src/protocol/run-state.js';
import { defaultLayout } from '../../src/worktree/layout.js';
import { UNKNOWN_SCREEN } from '../../src/life/outcome.js';
import type { AgentEvent } from '../../src/agents/types.js';
import { PRESETS } from '../../src/plan/presets.js';
import { FakeClock, settle, spec } from '../scheduler/fakes.js';

const screen = (name: string) =>
  readFileSync(new URL(`../fixtures/agents/claude-${name}-screen.txt`, import.meta.url), 'utf8');
const RETRY = screen('retry'); // "✻ API error · Retrying in 8s · attempt 1/3"
const WORKING = screen('working');
const RETRY_WORDS = 'an API error; Claude Code retries it by itself (retry 1 of 3)';

/** Worker files in memory, keyed by worktree; the run steps written, in order. */
class MemoryFiles implements WorkerFiles {
  readonly facts = new Map<string, FileFacts>();
  readonly steps: RunStep[] = [];
  set(worktree: string, f: FileFacts): void {
    this.facts.set(worktree, { ...this.facts.get(worktree), ...f });
  }
  async read(loc: { worktree: string }): Promise<FileFacts> {
    return { ...this.facts.get(loc.worktree) };
  }
  async record(): Promise<void> {}
  async finished(): Promise<void> {}
  async runStep(_dir: string, _run: string, step: RunStep): Promise<void> {
    this.steps.push(step);
  }
}

/** tmux whose panes show what the test says; each capture counted (one tmux process each). */
class ScreenTmux {
  sessions: SessionInfo[] = [];
  readonly screens = new Map<string, string>();
  readonly captured: string[] = [];
  async listSessions() {
    return this.sessions;
  }
  async killSession(name: string) {
    this.sessions = this.sessions.filter((s) => s.name !== name);
    return true;
  }
  async sendKeys() {
    throw new Error('wo must type nothing at a retry Claude Code makes by itself');
  }
  async capturePane(name: string) {
    this.captured.push(name);
    return this.screens.get(name);
  }
}

function setup(o: { silentMs?: number } = {}) {
  const files = new MemoryFiles();
  const tmux = new ScreenTmux();
  const clock = new FakeClock();
  const live: LiveEvent[] = [];
  const driver = new RunDriver({
    git: {
      run: async () => ({ stdout: 'c0\n', stderr: '', exitCode: 0 }),
      commonDir: async () => '/repo/.git',
    } as unknown as Git,
    tmux: tmux as unknown as Tmux,
    runner: {} as Runner,
    layout: defaultLayout('/repo'),
    agents: { ...PRESETS },
    runId: 'r1',
    env: {},
    files,
    clock,
    pollMs: 0,
    watch: () => ({ close: () => undefined }),
    ...(o.silentMs !== undefined && { silentMs: o.silentMs }),
    onEvent: (e) => live.push(e),
    createWorktree: async () => true,
    launch: async (_tmux, input) => {
      files.set(input.worktree, { statusText: 'running\n' });
      tmux.sessions.push({ name: input.session, created: 0, paneDead: false, attached: false });
      return { startedAt: new Date(clock.now()) };
    },
  });
  const wt = (f: string) => `/repo-worktrees/${f}`;
  /** Time passes; the driver's own timers are all that look (no file changes). */
  const pass = async (ms: number) => {
    clock.advance(ms);
    await settle();
  };
  /** Its hooks speak (a file change makes the driver look). */
  const hook = async (feature: string, events: AgentEvent[]) => {
    files.set(wt(feature), { agentEvents: events });
    driver.monitor.recheck(feature);
    await settle();
  };
  const states = (feature: string) =>
    live.filter((e) => e.feature === feature).map((e) => (e.message ? `${e.state}: ${e.message}` : e.state));
  return { driver, files, tmux, clock, live, wt, pass, hook, states };
}

describe('RunDriver: an interactive agent that retries by itself, from its screen', () => {
  test('silent while its screen says it retries: rate-limited with its reset, its agent held; its next hook: working', async () => {
    const { driver, files, tmux, clock, pass, hook, states } = setup();
    const h = await driver.start(spec('i', { agent: 'claude' }), 1);
    await settle();
    const waits: Array<RateLimit & { resetsAt: number }> = [];
    // As the scheduler does: it holds the agent, and its event is written for `wo status`.
    h.onAgentWait!((l) => {
      waits.push(l);
      driver.noteEvent({ type: 'rate-limited', feature: 'i', attempt: 1, ...l, until: l.resetsAt, at: 0 });
    });
    const started = clock.now();
    await hook('i', [{ at: started, state: 'working' }]); // UserPromptSubmit
    tmux.screens.set('wt-i', RETRY);
    await pass(SCREEN_LOOK_MS - 1);
    expect(tmux.captured).toEqual([]); // a hook spoke just now: its screen is not read yet
    await pass(1);
    expect(tmux.captured).toEqual(['wt-i']);
    expect(states('i')).toEqual(['working', `rate-limited: ${RETRY_WORDS}`]);
    expect(waits).toEqual([{ message: RETRY_WORDS, resetsAt: clock.now() + 8000 }]);
    expect(files.steps).toEqual(['rate-limited']);
    // Read again while it stays silent; the same retry is told once.
    tmux.screens.set('wt-i', RETRY.replace('Retrying in 8s', 'Retrying in 6s'));
    await pass(SCREEN_LOOK_MS);
    expect(tmux.captured).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(states('i')).toHaveLength(2);
    // Its retry went through: the next request's hook.
    await hook('i', [
      { at: started, state: 'working' },
      { at: clock.now(), state: 'working' },
    ]);
    expect(states('i').at(-1)).toBe('working');
    expect(files.steps).toEqual(['rate-limited', 'running']); // wo status: running again
    expect(tmux.captured).toHaveLength(2);
    await driver.close();
  });

  test('a screen back to normal with no hook: working again; a second retry is told again', async () => {
    const { driver, tmux, pass, states } = setup();
    const h = await driver.start(spec('i', { agent: 'claude' }), 1);
    await settle();
    const waits: number[] = [];
    h.onAgentWait!((l) => waits.push(l.resetsAt));
    tmux.screens.set('wt-i', RETRY);
    await pass(SCREEN_LOOK_MS);
    expect(states('i').at(-1)).toBe(`rate-limited: ${RETRY_WORDS}`);
    tmux.screens.set('wt-i', WORKING);
    await pass(SCREEN_LOOK_MS);
    expect(states('i').at(-1)).toBe('working');
    tmux.screens.set('wt-i', RETRY.replace('attempt 1/3', 'attempt 2/3'));
    await pass(SCREEN_LOOK_MS);
    expect(states('i').at(-1)).toBe(`rate-limited: ${RETRY_WORDS.replace('1 of 3', '2 of 3')}`);
    expect(waits).toHaveLength(2);
    await driver.close();
  });

  test('30 s silent from its start: its screen says it retries, so it is rate-limited, not waiting', async () => {
    const SILENT = 30_000;
    const { driver, tmux, pass, states } = setup({ silentMs: SILENT });
    await driver.start(spec('i', { agent: 'claude' }), 1);
    await settle();
    tmux.screens.set('wt-i', WORKING);
    await pass(SILENT - 1);
    expect(states('i')).toEqual(['working']);
    tmux.screens.set('wt-i', RETRY);
    await pass(1);
    expect(states('i')).toEqual(['working', `rate-limited: ${RETRY_WORDS}`]);
    // Its retry is over and it still says nothing: a screen wo does not know, as before.
    tmux.screens.set('wt-i', WORKING);
    await pass(SCREEN_LOOK_MS);
    expect(states('i').at(-1)).toBe(`waiting: ${UNKNOWN_SCREEN}`);
    await driver.close();
  });

  test('one that asks a person is not read for a retry (it makes no request), nor read again and again', async () => {
    const { driver, tmux, clock, pass, hook, states } = setup();
    await driver.start(spec('i', { agent: 'claude' }), 1);
    await settle();
    tmux.screens.set('wt-i', RETRY);
    await hook('i', [{ at: clock.now(), state: 'waiting', message: 'asks permission to use Bash: make' }]);
    await pass(SCREEN_LOOK_MS);
    // Its screen is kept for the report as it waits (last_screen), and not read on the clock after.
    const kept = tmux.captured.length;
    await pass(SCREEN_LOOK_MS * 5);
    expect(tmux.captured).toHaveLength(kept);
    expect(states('i')).toEqual(['working', 'waiting: asks permission to use Bash: make']);
    await driver.close();
  });

  test('headless and shell agents: their screens are never read', async () => {
    const { driver, tmux, pass } = setup();
    await driver.start(spec('p', { agent: 'claude-print' }), 1);
    await driver.start(spec('s', { agent: 'shell' }), 1);
    tmux.screens.set('wt-p', RETRY);
    tmux.screens.set('wt-s', RETRY);
    await pass(SCREEN_LOOK_MS * 5);
    expect(tmux.captured).toEqual([]);
    await driver.close();
  });

  test('its end stops the screen reads', async () => {
    const { driver, files, tmux, clock, wt, pass } = setup();
    const h = await driver.start(spec('i', { agent: 'claude' }), 1);
    await settle();
    tmux.screens.set('wt-i', WORKING);
    await pass(SCREEN_LOOK_MS);
    expect(tmux.captured).toHaveLength(1);
    files.set(wt('i'), { statusText: 'done\n', agentEvents: [{ at: clock.now(), state: 'waiting' }] });
    driver.monitor.recheck('i');
    expect(await h.done).toMatchObject({ outcome: 'done' });
    await pass(SCREEN_LOOK_MS * 5);
    expect(tmux.captured).toHaveLength(1);
    await driver.close();
  });
});
