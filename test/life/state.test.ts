// One worker's life in one vocabulary (src/worker/state.ts): the mappings between its words, the
// outcome a run recorded as status and collect read it, and what `needs` and `wo spawn` ask of the
// files (real files in a temporary folder, no tmux).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDone, recordedState } from '../../src/protocol/metadata.js';
import { decide, stateOf } from '../../src/life/outcome.js';
import { agentWords, clip } from '../../src/life/reasons.js';
import { parseRunState } from '../../src/protocol/run-state.js';
import {
  endedWord,
  isFinalStatus,
  isOutcome,
  OUTCOMES,
  recordedOutcome,
  RUN_STEPS,
  runStepOf,
  statusOf,
} from '../../src/life/state.js';
import { OUTCOMES as REPORT_OUTCOMES } from '../../src/report/types.js';

test("the wire words are the SPEC's, in the order summaries list them", () => {
  expect(OUTCOMES).toEqual(['done', 'failed', 'timeout', 'crashed', 'skipped', 'interrupted']);
  expect(REPORT_OUTCOMES).toBe(OUTCOMES);
  expect(RUN_STEPS).toEqual(['queued', 'preparing', 'running', 'rate-limited', 'verifying', 'ended']);
  for (const step of RUN_STEPS) expect(parseRunState(JSON.stringify({ run_id: 'r', step }))?.step).toBe(step);
  expect(parseRunState(JSON.stringify({ run_id: 'r', step: 'working' }))).toBeUndefined();
  expect(isOutcome('timeout')).toBe(true);
  expect(isOutcome('running')).toBe(false);
});

test('only done is done in the status file; running and no word are not final', () => {
  expect(OUTCOMES.map((o) => [o, statusOf(o)])).toEqual([
    ['done', 'done'],
    ['failed', 'failed'],
    ['timeout', 'failed'],
    ['crashed', 'failed'],
    ['skipped', 'failed'],
    ['interrupted', 'failed'],
  ]);
  expect([
    isFinalStatus('done'),
    isFinalStatus('failed'),
    isFinalStatus('running'),
    isFinalStatus(undefined),
  ]).toEqual([true, true, false, false]);
});

test("a run's events put the worker in the run-state file's steps", () => {
  expect(
    ['queued', 'preparing', 'started', 'attempt-ended', 'rate-limited', 'finished'].map(runStepOf),
  ).toEqual(['queued', 'preparing', 'running', undefined, undefined, 'ended']);
});

describe("recordedOutcome: the run's word when it is about the worker's latest start and final status", () => {
  const cases: [string, Parameters<typeof recordedOutcome>, string][] = [
    [
      'the run recorded it',
      ['failed', { run_id: 'r1', status: 'failed', outcome: 'timeout', outcome_run_id: 'r1' }],
      'timeout',
    ],
    [
      'a later start (wo spawn) since',
      ['failed', { run_id: null, status: 'failed', outcome: 'timeout', outcome_run_id: 'r1' }],
      'failed',
    ],
    [
      'another run started it since',
      ['done', { run_id: 'r2', status: 'done', outcome: 'failed', outcome_run_id: 'r1' }],
      'done',
    ],
    [
      'its status changed since',
      ['done', { run_id: 'r1', status: 'failed', outcome: 'interrupted', outcome_run_id: 'r1' }],
      'done',
    ],
    ['no record', ['failed', undefined], 'failed'],
    [
      'a word wo never writes',
      ['failed', { run_id: 'r1', status: 'failed', outcome: 'exploded', outcome_run_id: 'r1' }],
      'failed',
    ],
  ];
  test.each(cases)('%s', (_, args, want) => expect(recordedOutcome(...args)).toBe(want));
});

test("stateOf: decide()'s answer as the worker's state, with the outcome a run recorded", () => {
  const live = decide({ statusText: 'running\n', session: 'alive' });
  expect(stateOf(live)).toEqual({ final: false, live: 'working' });
  expect(endedWord(stateOf(live))).toBe('running');
  const failed = decide({ statusText: 'failed\n', resultText: '**timed out after 1m**\n', session: 'gone' });
  expect(stateOf(failed)).toEqual({ final: true, outcome: 'failed', reason: 'timed out after 1m' });
  expect(stateOf(failed, 'timeout')).toEqual({
    final: true,
    outcome: 'timeout',
    reason: 'timed out after 1m',
  });
  expect(endedWord(stateOf(failed, 'timeout'))).toBe('timeout');
});

describe('the recorded state (status file and .worktree.json), as needs and wo spawn read it', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wo-state-'));
    mkdirSync(join(dir, 'wt'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const wt = () => join(dir, 'wt');
  const write = (status: string | undefined, worker?: Record<string, unknown>) => {
    if (status !== undefined) writeFileSync(join(wt(), '.worker-status'), status);
    if (worker) writeFileSync(join(wt(), '.worktree.json'), JSON.stringify({ worker }));
  };

  test('no status file: nothing recorded, not done (nor a missing worktree)', async () => {
    expect(await recordedState(wt())).toBeUndefined();
    expect(await isDone({ worktree: wt() })).toBe(false);
    expect(await isDone({ worktree: join(dir, 'missing') })).toBe(false);
  });

  test('running, done, and the outcome the run recorded for a failed start', async () => {
    write('running\n');
    expect(await recordedState(wt())).toBe('running');
    expect(await isDone({ worktree: wt() })).toBe(false);
    write('done\n', { run_id: 'r1', status: 'done', outcome: 'done', outcome_run_id: 'r1' });
    expect(await recordedState(wt())).toBe('done');
    expect(await isDone({ worktree: wt() })).toBe(true);
    write('failed\n', { run_id: 'r1', status: 'failed', outcome: 'crashed', outcome_run_id: 'r1' });
    expect(await recordedState(wt())).toBe('crashed');
    expect(await isDone({ worktree: wt() })).toBe(false);
  });

  test('a spawned worker (no run record) is its status word; an unknown word is failed', async () => {
    write('done\n', { run_id: null, status: 'done' });
    expect(await isDone({ worktree: wt() })).toBe(true);
    write('finished\n');
    expect(await recordedState(wt())).toBe('failed');
  });
});

test("reasons keep the agent's words, on one line, clipped with …", () => {
  expect(clip('abcdef', 3)).toBe('abc…');
  expect(clip('abc', 3)).toBe('abc');
  expect(agentWords('  API error:\n\t429  too many ')).toBe('API error: 429 too many');
  expect(agentWords(undefined)).toBe('');
  expect(agentWords(`${'x'.repeat(150)}\n${'y'.repeat(100)}`, 200)).toBe(
    `${'x'.repeat(150)} ${'y'.repeat(49)}…`,
  );
});
