// The claude-print preset against the real Claude Code (pinned in scripts/install-agents.sh),
// talking to a scripted model server: an outcome from its final result event, usage recorded.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAgentFacts } from '../../src/agents/index.js';
import { NOTHING_DONE } from '../../src/life/outcome.js';
import { agentRun, plan, type AgentRun } from './harness.js';

describe('claude-print, the real Claude Code', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test('edits, commits to its branch through Bash, and is done; usage recorded', async () => {
    r = await agentRun([]);
    const dir = r.wt('hello');
    r.model.script.push(
      { write: join(dir, 'hello.txt'), content: 'hello\n' },
      { bash: 'test -f hello.txt' }, // the plan's verify command, allowed as written
      { bash: 'git add hello.txt' },
      { bash: 'git commit -q -m "Add hello"' },
      { write: join(dir, '.worker-result.md'), content: 'Added hello.txt\n' },
      { bash: 'echo done > .worker-status' },
      { text: 'Done.' },
    );
    r.writePlan(
      plan('claude-print', '  - feature: hello\n    task: Add hello.txt\n    verify: test -f hello.txt\n'),
    );
    const res = await r.wo(['run']);
    expect(res.stdout).toContain('hello done');
    expect(res.code).toBe(0);
    const log = execFileSync('git', ['log', '--format=%s', 'wo/hello'], {
      cwd: r.repo.root,
      encoding: 'utf8',
    });
    expect(log.split('\n')[0]).toBe('Add hello');
    const w = r.report().workers[0]!;
    expect(w).toMatchObject({ outcome: 'done', agent: 'claude-print', agent_version: '2.1.197' });
    expect(w.usage).toMatchObject({ input_tokens: expect.any(Number), cost_usd: expect.any(Number) });
    expect(readFileSync(join(dir, '.worker-result.md'), 'utf8')).toContain('Added hello.txt');
    // A person who attached saw its events as readable lines, not JSON.
    const pane = readFileSync(join(dir, '.worker.log'), 'utf8');
    expect(pane).toContain('→ Bash: git commit -q -m "Add hello"');
    expect(pane).not.toContain('{"type":"assistant"');
  });

  test('an answer with no status and no commit is failed, with its last message (SPEC §1)', async () => {
    // Exit 0 and a success result: before, this was a green row for work never done.
    r = await agentRun([]);
    const dir = r.wt('idle');
    r.model.script.push({ text: 'I looked around; nothing needs changing.' });
    r.writePlan(plan('claude-print', '  - feature: idle\n    task: Do anything\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const w = r.report().workers[0]!;
    expect(w).toMatchObject({ outcome: 'failed', exit_code: 0, reason: NOTHING_DONE });
    const result = readFileSync(join(dir, '.worker-result.md'), 'utf8');
    expect(result).toContain(NOTHING_DONE);
    expect(result).toContain('I looked around; nothing needs changing.');
  });

  test('a tool it may not use is denied, and the denial reaches report.json and report.md', async () => {
    // claude -p cannot ask: a command outside its allowed tools is denied, in its result event only.
    const denied = `node -e 'require("fs").writeFileSync("outside-allowed.txt", "")'`;
    r = await agentRun([]);
    const dir = r.wt('curious');
    r.model.script.push(
      { bash: denied },
      { write: join(dir, '.worker-result.md'), content: 'Could not touch\n' },
      { bash: 'echo done > .worker-status' },
      { text: 'Done.' },
    );
    r.writePlan(plan('claude-print', '  - feature: curious\n    task: Touch a file\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(0);
    expect(existsSync(join(dir, 'outside-allowed.txt'))).toBe(false);
    const w = r.report().workers[0]!;
    expect(w.permission_denials).toEqual([{ tool: 'Bash', wanted: denied }]);
    const last = JSON.parse(readFileSync(join(r.repo.root, '.wo', 'last-run.json'), 'utf8'));
    const md = readFileSync(join(last.report_dir, 'report.md'), 'utf8');
    expect(md).toContain(`Permission denied:\n\n- Bash: \`${denied}\``);
  });

  test('a rate limit it retries past: `rate-limited` while it waits, then done', async () => {
    r = await agentRun([]);
    const dir = r.wt('busy');
    r.model.script.push(
      { error: 429, times: 1, retryAfterS: 1, message: 'slow down' },
      { write: join(dir, '.worker-result.md'), content: 'Did it\n' },
      { bash: 'echo done > .worker-status' },
      { text: 'Done.' },
    );
    r.writePlan(
      plan('claude-print', '  - feature: busy\n    task: "-x Do it (a task that starts like an option)"\n'),
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/busy rate-limited: the API said 429 \(rate limit\); retry 1/);
    expect(r.report().workers[0]).toMatchObject({ outcome: 'done' });
  });

  test("a subscription's usage limit: rate-limited with its reset time (rate_limit_event's resetsAt)", async () => {
    // Claude Code reads the limit's reset from the `anthropic-ratelimit-unified-*` headers only for a
    // subscription login (an API key gets no rate_limit_event): a token stands in for one.
    const resetAt = Math.floor(Date.now() / 1000) + 3600;
    r = await agentRun([{ error: 429, message: 'scripted limit', resetAt }], {
      env: { CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-scripted-test-token', ANTHROPIC_API_KEY: '' },
    });
    // Its reset is an hour away: beyond this rate_limit_wait, the run does not wait for it.
    r.writePlan(
      plan('claude-print', '  - feature: capped\n    task: Do anything\n', '  rate_limit_wait: 2s\n'),
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const { agentEvents } = await readAgentFacts(join(r.repo.root, '.wo', 'workers', 'capped'));
    const limited = agentEvents?.find((e) => e.state === 'rate-limited');
    expect(limited).toMatchObject({ resetsAt: new Date(resetAt * 1000).toISOString() });
    expect(limited?.message).toContain(`resets at ${new Date(resetAt * 1000).toISOString()}`);
    // It cannot go on before then: the worker fails with Claude Code's own words, its reset in them.
    expect(String(r.report().workers[0]!.reason)).toMatch(/hit your .*limit · resets/);
  });

  test('an API error (401) fails the worker with the agent’s words', async () => {
    r = await agentRun([{ error: 401, message: 'invalid x-api-key' }]);
    r.writePlan(plan('claude-print', '  - feature: denied\n    task: Do anything\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const w = r.report().workers[0]!;
    expect(w.outcome).toBe('failed');
    expect(String(w.reason)).toMatch(/^the agent reported an error: Invalid API key/);
  });

  test('an error result is failed even when the program exits 0', async () => {
    // Claude Code 2.1.197 exits 1 with its error results; some errors (a rate limit) have been seen
    // to exit 0. A custom agent that follows the claude-print adapter and always exits 0 proves that
    // the result event decides, not the exit code.
    r = await agentRun([{ error: 529, message: 'Overloaded' }], { env: { CLAUDE_CODE_MAX_RETRIES: '0' } });
    const agents =
      'agents:\n  always-zero:\n    adapter: claude-print\n    command: [sh, -c, \'claude "$@"; exit 0\', claude, -p, "{prompt}", --output-format, stream-json, --verbose]\n';
    r.writePlan(plan('always-zero', '  - feature: busy\n    task: Do anything\n', agents));
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const w = r.report().workers[0]!;
    expect(w).toMatchObject({ outcome: 'failed', exit_code: 0 });
    expect(String(w.reason)).toMatch(/^the agent reported an error: .*529/);
  });
});
