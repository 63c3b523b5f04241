// Best of N's judging (SPEC §11) on made-up facts: the order that picks the winner, the judge's
// number, and when the worker's branch may move.
import {
  branchMove,
  cycle,
  judgeScore,
  judgeTries,
  parseTry,
  sessionName,
  tryOfSessionName,
  type TryFacts,
} from '../../src/life/tries.js';

const t = (k: number, o: Partial<TryFacts> = {}): TryFacts => ({
  k,
  outcome: 'done',
  linesChanged: 10,
  costUsd: 1,
  durationMs: 1000,
  ...o,
});

test('try k cycles through agents and models', () => {
  expect([1, 2, 3, 4].map((k) => cycle(['claude', 'codex'], k))).toEqual([
    'claude',
    'codex',
    'claude',
    'codex',
  ]);
  expect(cycle(undefined, 2)).toBeUndefined();
  expect(cycle([], 1)).toBeUndefined();
});

test('without a judge: fewest changed lines, then cost, then duration, then k', () => {
  expect(judgeTries([t(1, { linesChanged: 30 }), t(2, { linesChanged: 12 }), t(3)], false).winner).toBe(3);
  expect(judgeTries([t(1, { costUsd: 2 }), t(2, { costUsd: 0.5 })], false).winner).toBe(2);
  expect(judgeTries([t(1, { durationMs: 9 }), t(2, { durationMs: 3 })], false).winner).toBe(2);
  expect(judgeTries([t(2), t(1), t(3)], false).winner).toBe(1);
  // A fact not known ranks after a known one.
  expect(judgeTries([t(1, { linesChanged: null }), t(2, { linesChanged: 500 })], false).winner).toBe(2);
});

test('only passing tries can win; none passing: no winner, each with its reason', () => {
  const r = judgeTries(
    [
      t(1, { outcome: 'failed', reason: 'verify failed', linesChanged: 1 }),
      t(2, { outcome: 'timeout' }),
      t(3),
    ],
    false,
  );
  expect(r.winner).toBe(3);
  expect(r.verdicts).toEqual([
    { k: 1, score: null, reason: 'verify failed' },
    { k: 2, score: null, reason: 'it ended timeout' },
    { k: 3, score: null },
  ]);
  expect(judgeTries([t(1, { outcome: 'failed' })], false).winner).toBeUndefined();
});

test('with a judge: the highest score wins over a smaller diff; a tie falls to the diff', () => {
  const judged = (stdout: string, exitCode = 0) => ({ judged: { exitCode, stdout } });
  expect(
    judgeTries(
      [t(1, { linesChanged: 1, ...judged('3\n') }), t(2, { linesChanged: 99, ...judged('7.5') })],
      true,
    ).winner,
  ).toBe(2);
  expect(
    judgeTries([t(1, { linesChanged: 9, ...judged('5') }), t(2, { linesChanged: 4, ...judged('5') })], true)
      .winner,
  ).toBe(2);
  // A judge that fails, prints no number, or never ran disqualifies its try, saying why.
  const r = judgeTries(
    [t(1, judged('9', 1)), t(2, judged('fast enough')), t(3), t(4, { linesChanged: 50, ...judged('-1') })],
    true,
  );
  expect(r.winner).toBe(4);
  expect(r.verdicts.map((v) => v.reason)).toEqual([
    'disqualified: the judge exited with code 1',
    'disqualified: the judge printed no number (its last line: "fast enough")',
    'disqualified: the judge did not run',
    undefined,
  ]);
  expect(r.verdicts[3]!.score).toBe(-1);
});

test("the judge's number is its last line", () => {
  expect(judgeScore({ exitCode: 0, stdout: 'running bench\n  42 \n' })).toBe(42);
  expect(judgeScore({ exitCode: 0, stdout: '' })).toEqual({
    problem: 'the judge printed no number (its last line: "")',
  });
});

test("the worker's branch moves only when that loses nothing", () => {
  const w = { k: 2, branch: 'wo/p.try2' };
  expect(branchMove('wo/p', { exists: false }, w)).toEqual({ move: 'create' });
  expect(branchMove('wo/p', { exists: true, isHead: true }, w)).toEqual({ move: 'none' });
  expect(branchMove('wo/p', { exists: true, isAncestor: true }, w)).toEqual({ move: 'fast-forward' });
  const refused = branchMove('wo/p', { exists: true, isAncestor: false }, w);
  expect(refused).toEqual({
    refused: expect.stringContaining('branch wo/p has commits that try 2') as string,
  });
  expect(JSON.stringify(refused)).toContain('wo/p.try2');
});

describe('a try by its name', () => {
  test('F.try{k} is try k of F; an ordinary name is none', () => {
    expect(parseTry('parser.try2')).toEqual({ feature: 'parser', k: 2 });
    expect(parseTry('a.b.try10')).toEqual({ feature: 'a.b', k: 10 });
    for (const name of ['parser', 'parser-try2', 'parser.try0', 'parser.try', '.try1'])
      expect(parseTry(name)).toBeUndefined();
  });

  test("a try's session has no '.' (tmux takes none): wt-F-try{k}", () => {
    expect(sessionName('parser.try3')).toBe('parser-try3');
    expect(sessionName('parser')).toBe('parser');
    // And back: a session's name stands for the try it was made for, an ordinary one for none.
    expect(tryOfSessionName(sessionName('parser.try3'))).toBe('parser.try3');
    expect(tryOfSessionName('parser')).toBeUndefined();
    expect(tryOfSessionName('parser-try0')).toBeUndefined();
  });
});
