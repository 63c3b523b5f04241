// wo status's view of a live run's workers (findWorkers), with real files in a temporary folder and
// fakes for tmux and git: a worker the live run has queued or is preparing is listed even with no
// worktree; a dead run's steps never show.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWorkers, type Scope } from '../../src/worker/inspect.js';
import { defaultLayout, locate } from '../../src/worktree/layout.js';
import { writeRunState } from '../../src/protocol/run-state.js';
import { CLAUDE_RATE_LIMIT_EVENT, RESETS_AT } from '../fixtures/agents/rate-limits.js';
import { claudePrint } from '../../src/agents/claude-print.js';
import { recordAdapter } from '../../src/agents/index.js';

let dir: string;
let scope: Scope;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wo-inspect-'));
  const repoRoot = join(dir, 'repo');
  mkdirSync(repoRoot);
  const layout = defaultLayout(repoRoot);
  scope = {
    repoRoot,
    layout,
    git: { worktrees: async () => [] },
    tmux: { listSessions: async () => [] },
    locate: (f) => locate(layout, f),
  };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('queued and preparing workers of the live run are listed with no worktree', async () => {
  await writeRunState(scope.locate('a').stateDir, 'r1', 'queued', 0);
  await writeRunState(scope.locate('b').stateDir, 'r1', 'preparing', 0);
  await writeRunState(scope.locate('c').stateDir, 'r1', 'ended', 0); // skipped: nothing to list yet
  const views = await findWorkers(scope, { liveRunId: 'r1' });
  expect(views.map((v) => [v.feature, v.status, v.live, v.startedAt])).toEqual([
    ['a', 'running', 'queued', undefined],
    ['b', 'running', 'preparing', undefined],
  ]);
  const one = await findWorkers(scope, { feature: 'b', liveRunId: 'r1' });
  expect(one.map((v) => v.live)).toEqual(['preparing']);
});

test('a worker queued again shows queued, not how its earlier start ended, and nothing is recorded', async () => {
  const loc = scope.locate('a');
  mkdirSync(loc.worktree, { recursive: true });
  writeFileSync(join(loc.worktree, '.worker-status'), 'running\n'); // an earlier start, its session gone
  await writeRunState(loc.stateDir, 'r1', 'queued', 0);
  const [v] = await findWorkers(scope, { liveRunId: 'r1' });
  expect(v).toMatchObject({ feature: 'a', live: 'queued', unrecorded: false });
  expect(v!.recordedLost).toBeUndefined();
});

test("a dead run's steps never show: no live run, or another run live", async () => {
  await writeRunState(scope.locate('a').stateDir, 'r1', 'queued', 0);
  expect(await findWorkers(scope, { liveRunId: null })).toEqual([]);
  expect(await findWorkers(scope, { liveRunId: 'r2' })).toEqual([]);
  // No lock file at all: nothing is live.
  expect(await findWorkers(scope)).toEqual([]);
});

test('verifying: an agent that said done shows verifying while the live run verifies it', async () => {
  const loc = scope.locate('v');
  mkdirSync(loc.worktree, { recursive: true });
  writeFileSync(join(loc.worktree, '.worker-status'), 'done\n');
  await writeRunState(loc.stateDir, 'r1', 'verifying', 0);
  expect((await findWorkers(scope, { liveRunId: 'r1' })).map((v) => [v.status, v.live])).toEqual([
    ['running', 'verifying'],
  ]);
  expect((await findWorkers(scope, { liveRunId: null })).map((v) => [v.status, v.live])).toEqual([
    ['done', undefined],
  ]);
});

test("rate-limited with the reset time its agent said (the recorded rate_limit_event): the view's resetsAt", async () => {
  const loc = scope.locate('capped');
  mkdirSync(loc.worktree, { recursive: true });
  writeFileSync(join(loc.worktree, '.worker-status'), 'running\n');
  mkdirSync(loc.stateDir, { recursive: true });
  writeFileSync(join(loc.stateDir, 'events.jsonl'), `${CLAUDE_RATE_LIMIT_EVENT}\n`);
  await recordAdapter(loc.stateDir, claudePrint); // its adapter reads it, as launch records
  const alive = { name: loc.session, created: 0, paneDead: false, attached: false };
  const views = await findWorkers(
    { ...scope, tmux: { listSessions: async () => [alive] } },
    { liveRunId: null },
  );
  expect(views.map((v) => [v.live, v.resetsAt])).toEqual([['rate-limited', RESETS_AT]]);
});
