// The reset time of a rate limit, from what the agents say (recorded lines of the real programs:
// test/fixtures/agents/rate-limits.ts), through to the live state wo status shows.
import { claudeStream, hookEvents } from '../../src/agents/claude.js';
import { codexStream } from '../../src/agents/codex.js';
import { epochToIso, resetFromWords } from '../../src/agents/reset.js';
import { decide, liveState } from '../../src/life/outcome.js';
import {
  CLAUDE_RATE_LIMIT_EVENT,
  CLAUDE_STOP_FAILURE,
  CODEX_429,
  CODEX_USAGE_LIMIT_MESSAGE,
  RESETS_AT,
  SAID_AT,
} from '../fixtures/agents/rate-limits.js';

/** A local wall-clock time as ISO (Codex names its own local time). */
const local = (y: number, mo: number, d: number, h: number, mi: number) =>
  new Date(y, mo, d, h, mi).toISOString();

describe('Claude Code', () => {
  test('stream-json: a rejected rate_limit_event is rate-limited until its resetsAt', () => {
    const { events } = claudeStream(CLAUDE_RATE_LIMIT_EVENT, SAID_AT);
    expect(events).toEqual([
      {
        at: SAID_AT,
        state: 'rate-limited',
        message: `the five-hour usage limit is reached; it resets at ${RESETS_AT}`,
        resetsAt: RESETS_AT,
      },
    ]);
    // What wo status shows: the live state with its reset (status --json resets_at).
    expect(decide({ session: 'alive', statusText: 'running', agentEvents: events })).toMatchObject({
      final: false,
      state: 'rate-limited',
      resetsAt: RESETS_AT,
    });
  });

  test('stream-json: the synthetic answer after a rejected rate_limit_event leaves the exit on its limit', () => {
    // What the real claude-print 2.1.197 printed when it gave up at once on a subscription's limit
    // (rehearse.test.ts, at times): the event, Claude Code's own words as an answer, the error result.
    const synthetic = JSON.stringify({
      type: 'assistant',
      message: {
        id: 'e8a07d63',
        model: '<synthetic>',
        role: 'assistant',
        content: [{ type: 'text', text: "You've hit your session limit · resets 10:51pm (UTC)" }],
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
    const result = JSON.stringify({
      type: 'result',
      subtype: 'success',
      is_error: true,
      api_error_status: 429,
      result: "You've hit your session limit · resets 10:51pm (UTC)",
    });
    const { events, result: agentResult } = claudeStream(
      [CLAUDE_RATE_LIMIT_EVENT, synthetic, result].join('\n'),
      SAID_AT,
    );
    expect(events.map((e) => e.state)).toEqual(['rate-limited']);
    const d = decide({
      session: 'gone',
      exit: { code: 1 },
      agentEvents: events,
      ...(agentResult && { agentResult }),
    });
    expect(d).toMatchObject({ final: true, rateLimited: { resetsAt: RESETS_AT } });
  });

  test('the limit said twice (the event, then the StopFailure words to the minute): the exact reset stands', () => {
    const { events } = claudeStream(CLAUDE_RATE_LIMIT_EVENT, SAID_AT);
    const minute = new Date(Math.floor(Date.parse(RESETS_AT) / 60_000) * 60_000).toISOString();
    expect(minute < RESETS_AT).toBe(true);
    const words = { at: SAID_AT + 1, state: 'rate-limited' as const, message: 'resets', resetsAt: minute };
    expect(liveState([...events, words], SAID_AT + 2)).toMatchObject({
      state: 'rate-limited',
      message: 'resets',
      resetsAt: RESETS_AT,
    });
    // A later reset said later stands too.
    const after = { ...words, resetsAt: new Date(Date.parse(RESETS_AT) + 60_000).toISOString() };
    expect(liveState([...events, after], SAID_AT + 2).resetsAt).toBe(after.resetsAt);
  });

  test('stream-json: an allowed or warning rate_limit_event is information, not a state', () => {
    const line = (status: string) =>
      JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status, resetsAt: 1795859312 } });
    expect(claudeStream([line('allowed'), line('allowed_warning')].join('\n'), SAID_AT).events).toEqual([]);
  });

  test("StopFailure hook: its last words name the reset in the user's zone", () => {
    const text = JSON.stringify({ wo_at: SAID_AT, hook: CLAUDE_STOP_FAILURE });
    expect(hookEvents(text, true)).toEqual([
      {
        at: SAID_AT,
        state: 'rate-limited',
        message: "You've hit your session limit · resets 5:48pm (Asia/Shanghai)",
        resetsAt: '2026-11-28T09:48:00.000Z', // to the minute, as said
      },
    ]);
  });

  test('StopFailure hook with an API key: the error words, no reset', () => {
    const hook = {
      ...CLAUDE_STOP_FAILURE,
      last_assistant_message: 'API Error: Request rejected (429) · scripted limit',
    };
    expect(hookEvents(JSON.stringify({ wo_at: 1, hook }), true)).toEqual([
      { at: 1, state: 'rate-limited', message: 'API Error: Request rejected (429) · scripted limit' },
    ]);
  });
});

describe('Codex', () => {
  test("a plan's usage limit: rate-limited, with the local clock time it names", () => {
    const said = new Date(2026, 10, 28, 8, 48, 32).getTime();
    const text = [
      '{"type":"turn.started"}',
      JSON.stringify({ type: 'error', message: CODEX_USAGE_LIMIT_MESSAGE }),
      JSON.stringify({ type: 'turn.failed', error: { message: CODEX_USAGE_LIMIT_MESSAGE } }),
    ].join('\n');
    const { events, result } = codexStream(text, undefined, said);
    expect(events).toEqual([
      { at: said, state: 'working' },
      {
        at: said,
        state: 'rate-limited',
        message: CODEX_USAGE_LIMIT_MESSAGE,
        resetsAt: local(2026, 10, 28, 9, 48),
      },
    ]);
    expect(result).toMatchObject({ isError: true, message: CODEX_USAGE_LIMIT_MESSAGE });
  });

  test('a 429 past its retries: rate-limited, no reset known', () => {
    expect(codexStream(CODEX_429, undefined, 5).events).toEqual([
      { at: 5, state: 'working' },
      { at: 5, state: 'rate-limited', message: 'exceeded retry limit, last status: 429 Too Many Requests' },
    ]);
  });
});

describe('resetFromWords', () => {
  const at = Date.UTC(2026, 10, 28, 22, 0);
  test('a clock time without a date is the next one: later today, or tomorrow', () => {
    expect(resetFromWords('resets 11pm (UTC)', at)).toBe('2026-11-28T23:00:00.000Z');
    expect(resetFromWords('resets 9:30am (UTC)', at)).toBe('2026-11-29T09:30:00.000Z');
    expect(resetFromWords('resets 6:15am (America/New_York)', at)).toBe('2026-11-29T11:15:00.000Z');
  });
  test("Codex's later day: a date and year", () => {
    expect(resetFromWords('try again at Nov 30th, 2026 9:48 AM.', at)).toBe(local(2026, 10, 30, 9, 48));
  });
  test('nothing to read: no reset', () => {
    expect(resetFromWords('rate limit', at)).toBeUndefined();
    expect(resetFromWords(undefined, at)).toBeUndefined();
    expect(resetFromWords('resets 5pm (Not/AZone)', at)).toBeUndefined();
  });
  test('epoch seconds or ms', () => {
    expect(epochToIso(1795859312)).toBe(RESETS_AT);
    expect(epochToIso(1795859312000)).toBe(RESETS_AT);
    expect(epochToIso('soon')).toBeUndefined();
  });
});
