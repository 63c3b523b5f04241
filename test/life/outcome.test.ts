// The one decision (src/life/outcome.ts), rule by rule: what a worker's facts mean.
import {
  decide,
  headlineOf,
  liveRunStep,
  liveState,
  LOST_REASON,
  NOTHING_DONE,
  parseStatus,
  SILENT_MS,
  START_GRACE_MS,
  UNKNOWN_SCREEN,
  type AgentEvent,
  type WorkerFacts,
} from '../../src/life/outcome.js';

const facts = (over: Partial<WorkerFacts>): WorkerFacts => ({ session: 'alive', ...over });

describe('parseStatus', () => {
  test.each([
    [undefined, {}],
    ['', {}],
    ['  \n', {}],
    ['running\n', { status: 'running' }],
    [' done ', { status: 'done' }],
    ['failed', { status: 'failed' }],
    ['finished', { status: 'failed', reason: 'unknown status "finished"' }],
    ['x'.repeat(50), { status: 'failed', reason: `unknown status "${'x'.repeat(40)}…"` }],
  ])('%j reads as %j', (text, read) => {
    expect(parseStatus(text)).toEqual(read);
  });
});

describe('decide: a worker that has not ended', () => {
  test.each<[string, Partial<WorkerFacts>, string]>([
    ['status running, session alive', { statusText: 'running' }, 'working'],
    ['no status yet, session alive', {}, 'working'],
    ['session not asked about since it started', { statusText: 'running', session: 'unknown' }, 'working'],
    [
      'session not there yet, status just written (an observer that did not start it)',
      { statusText: 'running', session: 'gone', statusAgeMs: START_GRACE_MS - 1 },
      'starting',
    ],
    [
      'agent said done, verify not run yet',
      { statusText: 'done', verify: { command: 'npm test' } },
      'verifying',
    ],
    [
      'agent exited 0 silently, verify not run yet',
      { statusText: 'running', exit: { code: 0 }, session: 'gone', verify: { command: 'npm test' } },
      'verifying',
    ],
  ])('%s → %s', (_what, over, state) => {
    expect(decide(facts(over))).toEqual({ final: false, state });
  });
});

describe('decide: how a worker ended, and what wo writes down', () => {
  test.each<[string, Partial<WorkerFacts>, Record<string, unknown>]>([
    [
      'the agent wrote done (interactive: still running, its session is ended)',
      { statusText: 'done' },
      { outcome: 'done', status: 'done', reason: undefined, endSession: true, record: undefined },
    ],
    [
      'the agent wrote done and exited',
      { statusText: 'done', exit: { code: 0 }, session: 'gone' },
      { outcome: 'done', endSession: false, exitCode: 0, record: undefined },
    ],
    [
      'the agent wrote failed with no other word',
      { statusText: 'failed', exit: { code: 0 }, session: 'gone' },
      { outcome: 'failed', reason: 'the agent reported failed', record: undefined },
    ],
    [
      'the agent wrote failed and exited non-zero',
      { statusText: 'failed', exit: { code: 2 }, session: 'gone' },
      { outcome: 'failed', reason: 'exit code 2', exitCode: 2 },
    ],
    [
      'a failure wo wrote down before keeps its reason (the result headline)',
      { statusText: 'failed', resultText: '**timed out after 1m**\n\nmore', session: 'gone' },
      { outcome: 'failed', reason: 'timed out after 1m', record: undefined },
    ],
    [
      'an unknown word is failed with that reason',
      { statusText: 'finished', session: 'gone' },
      { outcome: 'failed', status: 'failed', reason: 'unknown status "finished"' },
    ],
    [
      'exit 0 with status running: done, and its output quoted when it wrote no result',
      { statusText: 'running', exit: { code: 0 }, session: 'gone' },
      { outcome: 'done', status: 'done', exitCode: 0, record: { status: 'done', quoteOutput: 0 } },
    ],
    [
      'exit 0 with a result of its own: done, the result is kept',
      { statusText: 'running', resultText: 'I did it', exit: { code: 0 }, session: 'gone' },
      { outcome: 'done', record: { status: 'done' } },
    ],
    [
      'exit non-zero with status running: failed with the exit code',
      { statusText: 'running', exit: { code: 3 }, session: 'gone' },
      { outcome: 'failed', reason: 'exit code 3', record: { status: 'failed', quoteOutput: 3 } },
    ],
    [
      'exit recorded while tmux has not been asked: the exit decides',
      { statusText: 'running', exit: { code: 1 }, session: 'unknown' },
      { outcome: 'failed', reason: 'exit code 1' },
    ],
    [
      'the program was not found',
      { statusText: 'running', exit: { code: 127, programMissing: 'claude' }, session: 'gone' },
      { outcome: 'failed', reason: 'claude: command not found (is the agent installed and on PATH?)' },
    ],
    [
      'a shell task whose inner command was not found is just exit 127',
      { statusText: 'running', exit: { code: 127 }, session: 'gone' },
      { outcome: 'failed', reason: 'exit code 127' },
    ],
    [
      'session gone, no status, no exit: crashed',
      { statusText: 'running', session: 'gone' },
      {
        outcome: 'crashed',
        status: 'failed',
        reason: LOST_REASON,
        record: { status: 'failed', headline: LOST_REASON },
      },
    ],
    [
      'session gone long after the status was written: crashed',
      { statusText: 'running', session: 'gone', statusAgeMs: START_GRACE_MS },
      { outcome: 'crashed', reason: LOST_REASON },
    ],
    [
      'session gone and no status file at all: crashed (no grace without a status)',
      { session: 'gone', statusAgeMs: 1 },
      { outcome: 'crashed' },
    ],
    [
      'stopped by wo: failed with its reason, whatever the files say',
      { statusText: 'done', exit: { code: 130 }, session: 'gone', stoppedBy: 'timed out after 1s' },
      {
        outcome: 'failed',
        reason: 'timed out after 1s',
        exitCode: 130,
        endSession: false,
        record: { status: 'failed', headline: 'timed out after 1s' },
      },
    ],
    [
      'verify passed: done',
      { statusText: 'done', verify: { command: 'npm test', exitCode: 0 } },
      { outcome: 'done', endSession: true },
    ],
    [
      'verify failed: failed, its output in the result',
      { statusText: 'done', verify: { command: 'npm test', exitCode: 1, output: '```\nboom\n```' } },
      {
        outcome: 'failed',
        status: 'failed',
        reason: 'verify "npm test" failed (exit 1)',
        endSession: true,
        record: { status: 'failed', headline: 'verify "npm test" failed (exit 1)', detail: '```\nboom\n```' },
      },
    ],
    [
      'verify failed after a silent exit 0: failed, and the output still quoted',
      {
        statusText: 'running',
        exit: { code: 0 },
        session: 'gone',
        verify: { command: 'make', exitCode: 2, output: 'x' },
      },
      {
        outcome: 'failed',
        record: { status: 'failed', quoteOutput: 0, headline: 'verify "make" failed (exit 2)', detail: 'x' },
      },
    ],
    [
      'verify is not run for a failed agent',
      { statusText: 'failed', session: 'gone', verify: { command: 'npm test' } },
      { outcome: 'failed', reason: 'the agent reported failed' },
    ],
  ])('%s', (_what, over, expected) => {
    const d = decide(facts(over));
    expect(d.final).toBe(true);
    const absent = Object.keys(expected).filter((k) => expected[k] === undefined);
    const present = Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined));
    expect(d).toMatchObject(present);
    for (const k of absent) expect((d as unknown as Record<string, unknown>)[k]).toBeUndefined();
  });
});

describe('headlineOf', () => {
  test.each([
    ['**timed out after 1m**\n\nrest', 'timed out after 1m'],
    ['**session ended without status**', 'session ended without status'],
    ['plain text', undefined],
    ['text\n**not first**', undefined],
    [undefined, undefined],
  ])('%j → %j', (text, reason) => {
    expect(headlineOf(text)).toBe(reason);
  });
});

describe("decide: what the agent's own output says", () => {
  const usage = { input_tokens: 10, output_tokens: 2, cache_read_tokens: 0, cost_usd: 0.01 };
  test.each<[string, Partial<WorkerFacts>, Record<string, unknown>]>([
    [
      'an error result with exit 0 (Claude -p): failed, in the agent’s words',
      {
        statusText: 'running',
        exit: { code: 0 },
        session: 'gone',
        agentResult: { isError: true, message: 'API Error: 429 rate limited', usage },
      },
      {
        outcome: 'failed',
        reason: 'the agent reported an error: API Error: 429 rate limited',
        exitCode: 0,
        record: {
          status: 'failed',
          headline: 'the agent reported an error: API Error: 429 rate limited',
          quoteOutput: 0,
        },
      },
    ],
    [
      'an error result with exit 1 and a result file: failed, the file kept',
      {
        statusText: 'running',
        resultText: 'tried',
        exit: { code: 1 },
        session: 'gone',
        agentResult: { isError: true },
      },
      {
        outcome: 'failed',
        reason: 'the agent reported an error',
        record: { status: 'failed', headline: 'the agent reported an error' },
      },
    ],
    [
      'a success result with exit 0 and no result file: its last message is the result (Codex)',
      {
        statusText: 'running',
        exit: { code: 0 },
        session: 'gone',
        agentResult: { isError: false, lastMessage: 'Added it.\n' },
      },
      { outcome: 'done', record: { status: 'done', detail: 'Added it.' } },
    ],
    [
      'the agent said done itself: an error result afterwards does not undo it',
      { statusText: 'done', exit: { code: 0 }, session: 'gone', agentResult: { isError: true } },
      { outcome: 'done', status: 'done', endSession: false },
    ],
  ])('%s', (_what, over, expected) => {
    expect(decide(facts(over))).toMatchObject({ final: true, ...expected });
  });

  test.each<[string, AgentEvent[], Record<string, unknown>]>([
    ['no events: working', [], { state: 'working' }],
    ['acting: working', [{ at: 1, state: 'working' }], { state: 'working' }],
    [
      'a permission prompt: waiting, with its message',
      [
        { at: 1, state: 'working' },
        { at: 2, state: 'waiting', message: 'Claude needs your permission to use Bash' },
      ],
      { state: 'waiting', message: 'Claude needs your permission to use Bash' },
    ],
    [
      'answered: working again',
      [
        { at: 2, state: 'waiting', message: 'asks' },
        { at: 5, state: 'working' },
      ],
      { state: 'working' },
    ],
    [
      'a rate limit',
      [{ at: 1, state: 'rate-limited', message: 'limit' }],
      { state: 'rate-limited', message: 'limit' },
    ],
  ])('live state: %s', (_what, agentEvents, expected) => {
    const d = decide(facts({ statusText: 'running', agentEvents }));
    expect(d).toEqual({ final: false, ...expected });
  });

  test('a status file still decides while the agent waits', () => {
    const d = decide(
      facts({ statusText: 'done', agentEvents: [{ at: 1, state: 'waiting', message: 'idle' }] }),
    );
    expect(d).toMatchObject({ final: true, outcome: 'done' });
  });

  test('a hooks-based agent silent since its start sits on a screen wo does not know: waiting', () => {
    const since = 10_000;
    const silent = (now: number, agentEvents?: AgentEvent[]) =>
      decide(facts({ statusText: 'running', agentEvents, silence: { since, now, afterMs: SILENT_MS } }));
    expect(silent(since + SILENT_MS - 1)).toEqual({ final: false, state: 'working' });
    expect(silent(since + SILENT_MS)).toEqual({ final: false, state: 'waiting', message: UNKNOWN_SCREEN });
    // Hooks of an earlier attempt say nothing of this one.
    expect(silent(since + SILENT_MS, [{ at: since - 1, state: 'working' }])).toMatchObject({
      state: 'waiting',
      message: UNKNOWN_SCREEN,
    });
    // One hook since its start: it is on a screen wo knows, whatever comes next.
    expect(silent(since + 10 * SILENT_MS, [{ at: since + 5, state: 'working' }])).toEqual({
      final: false,
      state: 'working',
    });
    // Its status still decides.
    expect(
      decide(facts({ statusText: 'done', silence: { since, now: since + SILENT_MS, afterMs: SILENT_MS } })),
    ).toMatchObject({ final: true, outcome: 'done' });
  });

  test("waiting keeps the agent's own words until the state changes", () => {
    const events: AgentEvent[] = [
      { at: 100, state: 'waiting', message: 'asks permission to use Bash: npm publish' },
      { at: 110, state: 'waiting', message: 'Claude needs your permission to use Bash' },
      { at: 160, state: 'waiting', message: 'Claude is waiting for your input' },
    ];
    expect(liveState(events, 200)).toMatchObject({
      state: 'waiting',
      message: 'asks permission to use Bash: npm publish',
      waitingMs: 100,
    });
    const after = [
      ...events,
      { at: 300, state: 'working' } as const,
      { at: 400, state: 'waiting', message: 'b' } as const,
    ];
    expect(liveState(after, 400)).toMatchObject({ state: 'waiting', message: 'b' });
  });

  test('waiting time: each wait until the next event, and an open one until now', () => {
    const events: AgentEvent[] = [
      { at: 100, state: 'working' },
      { at: 200, state: 'waiting', message: 'a' },
      { at: 250, state: 'waiting', message: 'b' },
      { at: 300, state: 'working' },
      { at: 1000, state: 'waiting', message: 'c' },
    ];
    expect(liveState(events, 1500)).toEqual({ state: 'waiting', message: 'c', since: 1000, waitingMs: 600 });
    expect(liveState(undefined, 5).waitingMs).toBe(0);
  });
});

describe("decide: the live run's own steps (queued, preparing, verifying), as wo status sees them", () => {
  const run = (step: 'queued' | 'preparing' | 'running' | 'verifying' | 'ended', liveRunId?: string) => ({
    run: { runId: 'r2', step, liveRunId },
  });

  test('queued and preparing while the run that wrote them is live, whatever an earlier start left', () => {
    expect(decide(facts({ session: 'gone', ...run('queued', 'r2') }))).toEqual({
      final: false,
      state: 'queued',
    });
    expect(decide(facts({ session: 'gone', statusText: 'failed', ...run('preparing', 'r2') }))).toEqual({
      final: false,
      state: 'preparing',
    });
  });

  test('a step from a run that is not live (no live run, or another one) never shows', () => {
    expect(decide(facts({ session: 'gone', statusText: 'failed', ...run('queued') }))).toMatchObject({
      final: true,
      outcome: 'failed',
    });
    expect(decide(facts({ statusText: 'done', ...run('verifying', 'r3') }))).toMatchObject({
      final: true,
      outcome: 'done',
    });
    expect(liveRunStep({ runId: 'r2', step: 'queued' })).toBeUndefined();
    expect(liveRunStep({ runId: 'r2', step: 'queued', liveRunId: 'r2' })).toBe('queued');
  });

  test('verifying: an agent that said done is verifying until the run has verified it', () => {
    expect(decide(facts({ statusText: 'done', ...run('verifying', 'r2') }))).toEqual({
      final: false,
      state: 'verifying',
    });
    expect(decide(facts({ session: 'gone', exit: { code: 0 }, ...run('verifying', 'r2') }))).toEqual({
      final: false,
      state: 'verifying',
    });
    // verify failed and it is written down: failed, not verifying
    expect(decide(facts({ statusText: 'failed', ...run('verifying', 'r2') }))).toMatchObject({
      final: true,
      outcome: 'failed',
    });
    // once verified (the run's step is back to running), the agent's word stands
    expect(decide(facts({ statusText: 'done', ...run('running', 'r2') }))).toMatchObject({
      final: true,
      outcome: 'done',
    });
  });

  test("running: the agent's own live state, as without a run", () => {
    const agentEvents: AgentEvent[] = [{ at: 1, state: 'waiting', message: 'may I?' }];
    expect(decide(facts({ agentEvents, ...run('running', 'r2') }))).toEqual({
      final: false,
      state: 'waiting',
      message: 'may I?',
    });
  });
});

describe('rate-limited: the reset time when the agent said it', () => {
  test('the last event is rate-limited with a reset: liveState and decide carry it', () => {
    const agentEvents: AgentEvent[] = [
      { at: 1, state: 'working' },
      { at: 2, state: 'rate-limited', message: 'limit', resetsAt: '2026-11-28T10:00:00.000Z' },
    ];
    expect(liveState(agentEvents, 3)).toMatchObject({ resetsAt: '2026-11-28T10:00:00.000Z' });
    expect(decide(facts({ agentEvents }))).toEqual({
      final: false,
      state: 'rate-limited',
      message: 'limit',
      resetsAt: '2026-11-28T10:00:00.000Z',
    });
  });

  test('a reset from an earlier limit does not stay once the agent works again', () => {
    const agentEvents: AgentEvent[] = [
      { at: 2, state: 'rate-limited', message: 'limit', resetsAt: '2026-11-28T10:00:00.000Z' },
      { at: 3, state: 'working' },
    ];
    expect(liveState(agentEvents, 4).resetsAt).toBeUndefined();
  });
});

describe('decide: an agent that exited on its rate limit (the scheduler runs it again after the reset)', () => {
  const limitedEvent: AgentEvent = {
    at: 5,
    state: 'rate-limited',
    message: 'the five-hour usage limit is reached',
    resetsAt: '2026-11-28T09:48:32.000Z',
  };

  test("an error result naming a 429: failed, and rateLimited with the agent's words", () => {
    const d = decide(
      facts({
        session: 'gone',
        statusText: 'running',
        exit: { code: 1 },
        agentResult: { isError: true, message: 'API Error: Request rejected (429) · scripted limit' },
      }),
    );
    expect(d).toMatchObject({
      final: true,
      outcome: 'failed',
      rateLimited: { message: 'API Error: Request rejected (429) · scripted limit' },
    });
  });

  test('exit 0 with an error result after a limit: still rateLimited, with the reset its events said', () => {
    const d = decide(
      facts({
        session: 'gone',
        statusText: 'running',
        exit: { code: 0 },
        agentEvents: [{ at: 1, state: 'working' }, limitedEvent],
        agentResult: { isError: true, message: "You've hit your limit" },
      }),
    );
    expect(d).toMatchObject({
      outcome: 'failed',
      rateLimited: { message: "You've hit your limit", resetsAt: '2026-11-28T09:48:32.000Z' },
    });
  });

  test('of two resets said (an exact one, one in words to the minute), the later one', () => {
    const words: AgentEvent = {
      at: 9,
      state: 'rate-limited',
      message: 'resets 9:48am (UTC)',
      resetsAt: '2026-11-28T09:48:00.000Z',
    };
    const d = decide(
      facts({
        session: 'gone',
        exit: { code: 1 },
        agentEvents: [limitedEvent, words],
        agentResult: { isError: true, message: 'resets 9:48am (UTC)' },
      }),
    );
    expect(d).toMatchObject({ rateLimited: { resetsAt: '2026-11-28T09:48:32.000Z' } });
  });

  test('a non-zero exit whose last live state is rate-limited (Codex, no result)', () => {
    const d = decide(
      facts({ session: 'gone', statusText: 'running', exit: { code: 1 }, agentEvents: [limitedEvent] }),
    );
    expect(d).toMatchObject({
      outcome: 'failed',
      reason: 'exit code 1',
      rateLimited: { message: limitedEvent.message, resetsAt: limitedEvent.resetsAt },
    });
  });

  test('a limit it retried past and another error, or a done worker: no rateLimited', () => {
    const other = decide(
      facts({
        session: 'gone',
        exit: { code: 1 },
        agentEvents: [limitedEvent, { at: 6, state: 'working' }],
        agentResult: { isError: true, message: 'invalid x-api-key' },
      }),
    );
    expect(other).toMatchObject({ outcome: 'failed' });
    expect((other as { rateLimited?: unknown }).rateLimited).toBeUndefined();
    const done = decide(facts({ session: 'gone', exit: { code: 0 }, agentEvents: [limitedEvent] }));
    expect(done).toMatchObject({ outcome: 'done' });
    expect((done as { rateLimited?: unknown }).rateLimited).toBeUndefined();
  });

  test("wo status between attempts: the live run's rate-limited step, with its words and reset", () => {
    const d = decide(
      facts({
        session: 'gone',
        statusText: 'failed',
        run: {
          runId: 'r1',
          liveRunId: 'r1',
          step: 'rate-limited',
          message: 'limit',
          resetsAt: '2026-11-28T09:48:32.000Z',
        },
      }),
    );
    expect(d).toEqual({
      final: false,
      state: 'rate-limited',
      message: 'limit',
      resetsAt: '2026-11-28T09:48:32.000Z',
    });
    // Once that run is not live, its files decide.
    expect(
      decide(facts({ session: 'gone', statusText: 'failed', run: { runId: 'r1', step: 'rate-limited' } })),
    ).toMatchObject({ final: true, outcome: 'failed' });
  });
});

test('liveState: idle at its prompt after a rate limit stays rate-limited, and is no wait for a person', () => {
  const events: AgentEvent[] = [
    { at: 1, state: 'working' },
    { at: 2, state: 'rate-limited', message: 'limit', resetsAt: '2026-11-28T09:48:00.000Z' },
    { at: 62, state: 'waiting', message: 'Claude is waiting for your input' },
  ];
  expect(liveState(events, 100)).toMatchObject({
    state: 'rate-limited',
    resetsAt: '2026-11-28T09:48:00.000Z',
    waitingMs: 0,
  });
  // Once it works again, a later prompt is a wait as usual.
  const later: AgentEvent[] = [...events, { at: 120, state: 'working' }, { at: 130, state: 'waiting' }];
  expect(liveState(later, 140)).toMatchObject({ state: 'waiting', waitingMs: 10 });
});

describe('decide: an agent that exited 0 having reported and committed nothing (SPEC §1)', () => {
  const exited = { statusText: 'running', session: 'gone' as const, exit: { code: 0 } };
  test.each<[string, Partial<WorkerFacts>, Record<string, unknown>]>([
    [
      'an agent, no status, no commit: failed, with its last message',
      {
        ...exited,
        adapter: 'codex',
        committed: false,
        agentResult: { isError: false, lastMessage: 'Nothing to do.' },
      },
      {
        outcome: 'failed',
        reason: NOTHING_DONE,
        exitCode: 0,
        record: { status: 'failed', headline: NOTHING_DONE, detail: 'Nothing to do.' },
      },
    ],
    [
      'no last message either: the output is quoted',
      { ...exited, adapter: 'claude-print', committed: false },
      {
        outcome: 'failed',
        reason: NOTHING_DONE,
        record: { status: 'failed', headline: NOTHING_DONE, quoteOutput: 0 },
      },
    ],
    [
      'it committed: done',
      { ...exited, adapter: 'codex', committed: true },
      { outcome: 'done', reason: undefined },
    ],
    [
      'it wrote done itself: done',
      { ...exited, statusText: 'done', adapter: 'codex', committed: false },
      { outcome: 'done' },
    ],
    ['shell: its exit code decides', { ...exited, adapter: 'shell', committed: false }, { outcome: 'done' }],
    [
      'a plain command (no adapter): its exit code decides',
      { ...exited, committed: false },
      { outcome: 'done' },
    ],
    ['commits not known (an adopted session): done', { ...exited, adapter: 'codex' }, { outcome: 'done' }],
    [
      'a verify that passes: done',
      { ...exited, adapter: 'codex', committed: false, verify: { command: 'true', exitCode: 0 } },
      { outcome: 'done' },
    ],
    [
      'a verify that fails: failed with the verify',
      { ...exited, adapter: 'codex', committed: false, verify: { command: 'false', exitCode: 1 } },
      { outcome: 'failed', reason: 'verify "false" failed (exit 1)' },
    ],
  ])('%s', (_what, over, expected) => {
    const d = decide(facts(over));
    expect(d.final).toBe(true);
    const absent = Object.keys(expected).filter((k) => expected[k] === undefined);
    const present = Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined));
    expect(d).toMatchObject(present);
    for (const k of absent) expect((d as unknown as Record<string, unknown>)[k]).toBeUndefined();
  });

  test('with a verify not yet run: verifying (the verify decides)', () => {
    expect(
      decide(facts({ ...exited, adapter: 'codex', committed: false, verify: { command: 'true' } })),
    ).toEqual({
      final: false,
      state: 'verifying',
    });
  });
});
