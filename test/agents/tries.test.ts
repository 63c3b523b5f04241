// Best of N with the real agents against the scripted model server (SPEC §11): try 1 is Claude Code
// (claude-print), try 2 Codex; both pass, the smaller diff wins, and the worker's cost is both tries'.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { RunReport } from '../../src/report/types.js';
import { CLAUDE_BIN_DIR, CODEX_BIN_DIR } from './agent-env.js';
import { exitOf } from '../run/harness.js';
import { AGENT_TEST_MS, agentRun, plan, type AgentRun } from './harness.js';

// Skipped, not failed, where the pinned agents are not installed (scripts/install-agents.sh).
const installed = existsSync(CLAUDE_BIN_DIR) && existsSync(CODEX_BIN_DIR);

(installed ? describe : describe.skip)('best of 2 with claude-print and codex', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test(
    'both pass, the smaller diff wins, the cost is summed',
    async () => {
      // Each agent's conversation plays the same script, committing what the try's setup wrote:
      // 3 lines in try 1, 6 in try 2 (setup runs with WO_TRY; the agents' allowed tools stay git's).
      r = await agentRun([
        { bash: 'git add f.txt' },
        { bash: 'git commit -q -m try' },
        { text: 'Committed f.txt.' },
      ]);
      r.writePlan(
        plan(
          'claude-print',
          [
            '  - feature: parser',
            '    task: Commit f.txt',
            '    setup: seq 1 $((WO_TRY * 3)) > f.txt',
            '    best_of: 2',
            '    agents: [claude-print, codex]',
            '',
          ].join('\n'),
        ),
      );
      const res = await r.wo(['run']);
      expect([res.code, res.code === 0 ? '' : res.stderr + res.stdout]).toEqual([0, '']);
      const git = (...args: string[]) =>
        execFileSync('git', args, { cwd: r!.repo.root, encoding: 'utf8' }).trim();
      const [w] = (r.report() as unknown as RunReport).workers;
      const tries = w!.tries!;
      expect(w).toMatchObject({
        feature: 'parser',
        outcome: 'done',
        agent: 'claude-print',
        branch: 'wo/parser',
      });
      expect(tries.map((t) => [t.try, t.agent, t.outcome, t.lines_changed, t.winner])).toEqual([
        [1, 'claude-print', 'done', 3, true],
        [2, 'codex', 'done', 6, false],
      ]);
      expect(git('rev-parse', 'wo/parser')).toBe(git('rev-parse', 'wo/parser.try1'));
      // The worker's usage is its tries' added up (a cost only an agent that reports one adds to).
      const sum = (k: 'input_tokens' | 'output_tokens' | 'cost_usd') =>
        tries
          .map((t) => t.usage?.[k] ?? null)
          .reduce<number | null>((a, b) => (b === null ? a : (a ?? 0) + b), null);
      expect(tries.every((t) => t.usage !== null)).toBe(true);
      expect(w!.usage).toMatchObject({
        input_tokens: sum('input_tokens'),
        output_tokens: sum('output_tokens'),
        cost_usd: sum('cost_usd'),
      });
    },
    AGENT_TEST_MS,
  );

  test(
    'a rehearsal of a best-of worker: each try talks to its own script and commits; one wins',
    async () => {
      r = await agentRun([]);
      r.writePlan(
        plan(
          'claude-print',
          '  - feature: parser\n    task: t\n    best_of: 2\n    agents: [claude-print, codex]\n',
        ),
      );
      // The built wo, as a person runs it (the rehearsal's modules load as they do there).
      const child = r.spawnWo(['run', '--rehearse']);
      const code = await exitOf(child);
      expect([code, code === 0 ? '' : child.output()]).toEqual([0, '']);
      const git = (...args: string[]) =>
        execFileSync('git', args, { cwd: r!.repo.root, encoding: 'utf8' }).trim();
      for (const k of [1, 2])
        expect(git('log', '-1', '--format=%s', `wo/parser.try${k}`)).toBe(`Rehearsal: parser.try${k}`);
      const [w] = (r.report() as unknown as RunReport).workers;
      expect(w!.outcome).toBe('done');
      expect(w!.tries!.map((t) => [t.agent, t.outcome])).toEqual([
        ['claude-print', 'done'],
        ['codex', 'done'],
      ]);
    },
    AGENT_TEST_MS,
  );
});
