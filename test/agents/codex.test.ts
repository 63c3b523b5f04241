// The codex preset against the real Codex CLI (pinned in scripts/install-agents.sh), talking to a
// scripted model server through a custom provider (wire_api = "responses").
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAgentFacts } from '../../src/agents/index.js';
import { agentRun, plan, type AgentRun } from './harness.js';

describe('codex, the real Codex CLI', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test('commits to its branch from inside its sandbox; its last message is the result; usage recorded', async () => {
    r = await agentRun([]);
    const dir = r.wt('hello');
    r.model.script.push(
      { write: join(dir, 'hello.txt'), content: 'hello\n' },
      { bash: 'git add hello.txt && git commit -q -m "Add hello"' },
      { text: 'Added hello.txt and committed it.' },
    );
    r.writePlan(plan('codex', '  - feature: hello\n    task: Add hello.txt\n'));
    const res = await r.wo(['run']);
    expect(res.stdout).toContain('hello done');
    expect(res.code).toBe(0);
    const log = execFileSync('git', ['log', '--format=%s', 'wo/hello'], {
      cwd: r.repo.root,
      encoding: 'utf8',
    });
    expect(log.split('\n')[0]).toBe('Add hello');
    const w = r.report().workers[0]!;
    expect(w).toMatchObject({ outcome: 'done', agent: 'codex', agent_version: '0.171.0' });
    expect(w.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
    expect(readFileSync(join(dir, '.worker-result.md'), 'utf8')).toContain(
      'Added hello.txt and committed it.',
    );
    expect(readFileSync(join(dir, '.worker.log'), 'utf8')).toMatch(/→ \$ .*git add hello.txt/);
  });

  test('an API error fails the worker with the agent’s words', async () => {
    r = await agentRun([{ error: 401, message: 'invalid api key for the scripted provider' }]);
    r.writePlan(plan('codex', '  - feature: denied\n    task: Do anything\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const w = r.report().workers[0]!;
    expect(w.outcome).toBe('failed');
    expect(String(w.reason)).toMatch(
      /^the agent reported an error: .*401.*invalid api key for the scripted provider/,
    );
  });

  test("a plan's usage limit: rate-limited with the reset time Codex names ('try again at 9:48 AM')", async () => {
    const resetAt = Math.floor(Date.now() / 1000) + 3600;
    r = await agentRun([{ error: 429, message: 'scripted usage limit', resetAt }]);
    // Its reset is an hour away: beyond this rate_limit_wait, the run does not wait for it.
    r.writePlan(plan('codex', '  - feature: capped\n    task: Do anything\n', '  rate_limit_wait: 2s\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const { agentEvents } = await readAgentFacts(join(r.repo.root, '.wo', 'workers', 'capped'));
    const limited = agentEvents?.find((e) => e.state === 'rate-limited');
    expect(limited?.message).toMatch(/usage limit.*try again at/);
    // Codex says the time to the minute, in this machine's local time.
    const said = Date.parse(limited!.resetsAt!);
    expect(Math.abs(said - resetAt * 1000)).toBeLessThan(60_000);
  });
});
