// The adapters read their programs' own output into facts (the outcome is decided in outcome.ts):
// Claude Code's hooks and stream-json result, Codex's --json events, and what each adds to argv.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  claude,
  claudeSelfRetry,
  claudeStream,
  hookEvents,
  lastTurnWords,
  transcriptHas,
  hookSettings,
  HOOK_COMMAND,
  transcriptPath,
  transcriptUsage,
} from '../../src/agents/claude.js';
import { aider } from '../../src/agents/aider.js';
import { claudePrint } from '../../src/agents/claude-print.js';
import { codex, codexStream, commitRoots } from '../../src/agents/codex.js';
import { shell } from '../../src/agents/shell.js';
import { adapterOf, launchAdditions, readAgentFacts, recordAdapter } from '../../src/agents/index.js';
import { PRESETS } from '../../src/plan/presets.js';

const hook = (at: number, h: Record<string, unknown>) => JSON.stringify({ wo_at: at, hook: h });

describe('Claude Code hooks', () => {
  test('a question to the person is worded as the question, not as a permission for AskUserQuestion', () => {
    const text = hook(5, {
      hook_event_name: 'PermissionRequest',
      tool_name: 'AskUserQuestion',
      tool_input: { questions: [{ question: 'Which database should I use?', options: [] }] },
    });
    expect(hookEvents(text, true)).toEqual([
      { at: 5, state: 'waiting', message: 'asks: Which database should I use?' },
    ]);
  });

  test('each hook is a live event: acting is working, a prompt or idle is waiting, a rate limit', () => {
    const text = [
      hook(1, { hook_event_name: 'UserPromptSubmit', session_id: 's' }),
      hook(2, { hook_event_name: 'PreToolUse', tool_name: 'Bash' }),
      hook(3, {
        hook_event_name: 'PermissionRequest',
        tool_name: 'Bash',
        tool_input: { command: 'rm -rf build' },
      }),
      hook(4, {
        hook_event_name: 'Notification',
        notification_type: 'permission_prompt',
        message: 'Claude needs your permission to use Bash',
      }),
      hook(5, { hook_event_name: 'Notification', notification_type: 'auth_success', message: 'ignored' }),
      hook(6, { hook_event_name: 'StopFailure', error_type: 'rate_limit', message: 'limit resets at 5pm' }),
      hook(7, { hook_event_name: 'Stop' }),
      '{"wo_at":8,"hook":{"hook_event_name":"Pre', // a line being written
    ].join('\n');
    expect(hookEvents(text, true)).toEqual([
      { at: 1, state: 'working' },
      { at: 2, state: 'working' },
      { at: 3, state: 'waiting', message: 'asks permission to use Bash: rm -rf build' },
      { at: 4, state: 'waiting', message: 'Claude needs your permission to use Bash' },
      { at: 6, state: 'rate-limited', message: 'limit resets at 5pm' },
      { at: 7, state: 'waiting', message: 'its turn ended without writing .worker-status' },
    ]);
    expect(
      hookEvents(
        hook(9, { hook_event_name: 'StopFailure', error_type: 'server_error', message: 'Overloaded' }),
        true,
      ),
    ).toEqual([{ at: 9, state: 'waiting', message: 'stopped on an API error (server_error): Overloaded' }]);
    // Headless, a turn that stops is an exit, not an idle prompt.
    expect(hookEvents(hook(7, { hook_event_name: 'Stop' }), false)).toEqual([]);
  });

  test('the hook command appends the JSON it is given to $WO_HOOK_FILE, and reads nothing else', () => {
    const settings = JSON.parse(hookSettings()) as {
      hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>>;
    };
    expect(Object.keys(settings.hooks).sort()).toEqual([
      'Notification',
      'PermissionRequest',
      'PostToolUse',
      'PreToolUse',
      'Stop',
      'StopFailure',
      'UserPromptSubmit',
    ]);
    for (const entries of Object.values(settings.hooks))
      expect(entries[0]!.hooks[0]!.command).toBe(HOOK_COMMAND);
    expect(HOOK_COMMAND).toContain('>> "$WO_HOOK_FILE"');
    // Run as Claude Code runs it (sh -c, the hook's JSON on stdin): one JSON line, with the time.
    const dir = mkdtempSync(join(tmpdir(), 'wo-hook-'));
    const file = join(dir, 'hooks.jsonl');
    execFileSync('sh', ['-c', HOOK_COMMAND], {
      input: '{\n  "hook_event_name": "Stop",\n  "session_id": "s"\n}\n',
      env: { PATH: process.env.PATH, WO_HOOK_FILE: file },
    });
    const [line] = readFileSync(file, 'utf8').trimEnd().split('\n');
    const parsed = JSON.parse(line!) as { wo_at: number; hook: unknown };
    expect(parsed.hook).toEqual({ hook_event_name: 'Stop', session_id: 's' });
    expect(parsed.wo_at).toBeGreaterThan(1_600_000_000_000);
  });

  test('the final result event: error or success, the agent’s words, usage and cost', () => {
    const ok = JSON.stringify({
      type: 'result',
      subtype: 'success',
      is_error: false,
      result: 'All done.',
      total_cost_usd: 0.0027,
      usage: {
        input_tokens: 240,
        output_tokens: 60,
        cache_read_input_tokens: 20,
        cache_creation_input_tokens: 7,
      },
    });
    // Anthropic's input_tokens leave out cache reads and writes; wo counts every input token, as Codex does.
    expect(claudeStream(`{"type":"system","subtype":"init"}\n${ok}\n`, 9).result).toEqual({
      isError: false,
      message: 'All done.',
      usage: { input_tokens: 267, output_tokens: 60, cache_read_tokens: 20, cost_usd: 0.0027 },
    });
    const limited = JSON.stringify({
      type: 'result',
      subtype: 'success',
      is_error: true,
      result: 'API Error: Request rejected (429)',
    });
    expect(claudeStream(limited, 0).result).toMatchObject({
      isError: true,
      message: 'API Error: Request rejected (429)',
    });
    const turns = JSON.stringify({ type: 'result', subtype: 'error_max_turns', is_error: false });
    expect(claudeStream(turns, 0).result).toMatchObject({ isError: true, message: 'error_max_turns' });
    const retry = JSON.stringify({ type: 'system', subtype: 'api_retry', attempt: 2, error_status: 429 });
    expect(claudeStream(retry, 5).events).toEqual([
      { at: 5, state: 'rate-limited', message: 'the API said 429 (rate limit); retry 2' },
    ]);
    expect(claudeStream(undefined, 0)).toEqual({ events: [] });
  });
});

test('an interactive session’s usage: its transcript, once per assistant message', () => {
  const hooks = [
    hook(1, { hook_event_name: 'UserPromptSubmit', transcript_path: '/h/t.jsonl' }),
    hook(2, { hook_event_name: 'Stop' }),
  ];
  expect(transcriptPath(hooks.join('\n'))).toBe('/h/t.jsonl');
  const u = { input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 5 };
  const lines = [
    { type: 'user', message: { role: 'user' } },
    { type: 'assistant', message: { id: 'm1', usage: u } },
    { type: 'assistant', message: { id: 'm1', usage: u } }, // the same answer, another content block
    { type: 'assistant', message: { id: 'm2', usage: u } },
  ].map((l) => JSON.stringify(l));
  expect(transcriptUsage(lines.join('\n'))).toEqual({
    input_tokens: 210, // cache reads counted in, as Codex counts them

    output_tokens: 20,
    cache_read_tokens: 10,
    cost_usd: null,
  });
  expect(transcriptUsage('')).toBeUndefined();
});

test("a turn's last answer: named by its Stop hook, looked for in the transcript", () => {
  const hooks = [
    hook(1, { hook_event_name: 'Stop', last_assistant_message: 'First.' }),
    hook(2, { hook_event_name: 'UserPromptSubmit' }),
    hook(3, { hook_event_name: 'Stop', last_assistant_message: 'Done.\n' }),
  ].join('\n');
  expect(lastTurnWords(hooks)).toBe('Done.');
  expect(lastTurnWords(hook(1, { hook_event_name: 'PostToolUse' }))).toBeUndefined();
  const answer = (text: string) =>
    JSON.stringify({ type: 'assistant', message: { id: 'm', content: [{ type: 'text', text }] } });
  expect(transcriptHas([answer('First.')].join('\n'), 'Done.')).toBe(false);
  expect(transcriptHas([answer('First.'), answer('Done.')].join('\n'), 'Done.')).toBe(true);
});

describe("interactive Claude Code's own retry, from its debug log (--debug-file, 2.1.197)", () => {
  const at = (iso: string) => Date.parse(iso);
  // The lines 2.1.197 writes around a scripted 429 (retry-after 8), as the real-agent test saw them.
  const request = (t: string) => `${t} [DEBUG] [API REQUEST] /v1/messages source=repl_main_thread`;
  const failed = (t: string, status: number, n = 1) =>
    `${t} [ERROR] API error (attempt ${n}/4): ${status} ${status} {"type":"error","error":{"type":"rate_limit_error","message":"scripted limit"}}`;
  const T0 = '2026-12-07T22:01:35.000Z';
  const T1 = '2026-12-07T22:01:35.745Z';
  const T2 = '2026-12-07T22:01:43.800Z';

  test('a 429 with nothing after it: rate-limited, retried by itself, no reset time', () => {
    const log = [request(T0), failed(T1, 429), `${T1} [DEBUG] something else`].join('\n');
    expect(claudeSelfRetry(log, 0)).toEqual({
      at: at(T1),
      state: 'rate-limited',
      message: 'the API said 429 (rate limit); Claude Code retries it by itself (retry 1 of 3)',
      retriesItself: true,
    });
    expect(claudeSelfRetry([request(T0), failed(T1, 429, 2)].join('\n'), 0)?.message).toMatch(
      /\(retry 2 of 3\)$/,
    );
  });

  test('it went on: a request after the 429 (its retry), or a hook later than it', () => {
    expect(claudeSelfRetry([request(T0), failed(T1, 429), request(T2)].join('\n'), 0)).toBeUndefined();
    expect(claudeSelfRetry([request(T0), failed(T1, 429)].join('\n'), at(T2))).toBeUndefined();
    expect(claudeSelfRetry([request(T0), failed(T1, 429)].join('\n'), at(T1))).toBeUndefined();
  });

  test('not a limit: a 5xx, its last attempt (no retry follows), no error, no log, a line not its own', () => {
    expect(claudeSelfRetry([request(T0), failed(T1, 500)].join('\n'), 0)).toBeUndefined();
    expect(claudeSelfRetry([request(T0), failed(T1, 529)].join('\n'), 0)).toBeUndefined();
    expect(claudeSelfRetry(failed(T1, 429, 4), 0)).toBeUndefined();
    expect(claudeSelfRetry(request(T0), 0)).toBeUndefined();
    expect(claudeSelfRetry(undefined, 0)).toBeUndefined();
    expect(claudeSelfRetry(failed('not-a-time', 429), 0)).toBeUndefined();
    expect(claudeSelfRetry('API error (attempt 1/4): 429', 0)).toBeUndefined();
  });

  test("read from the worker's state folder: after its hooks, as its last live event", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wo-debug-'));
    writeFileSync(join(dir, 'hooks.jsonl'), `${hook(at(T0), { hook_event_name: 'UserPromptSubmit' })}\n`);
    writeFileSync(join(dir, 'claude-debug.log'), `${[request(T0), failed(T1, 429)].join('\n')}\n`);
    await recordAdapter(dir, claude);
    expect((await readAgentFacts(dir)).agentEvents).toEqual([
      { at: at(T0), state: 'working' },
      expect.objectContaining({ at: at(T1), state: 'rate-limited', retriesItself: true }),
    ]);
    // Its retry went through: working again, the limit is gone.
    writeFileSync(
      join(dir, 'claude-debug.log'),
      `${[request(T0), failed(T1, 429), request(T2)].join('\n')}\n`,
    );
    expect((await readAgentFacts(dir)).agentEvents).toEqual([{ at: at(T0), state: 'working' }]);
    // claude-print says its retries in its stream: its debug log (none) is not asked.
    await recordAdapter(dir, claudePrint);
    writeFileSync(join(dir, 'claude-debug.log'), `${[request(T0), failed(T1, 429)].join('\n')}\n`);
    expect((await readAgentFacts(dir)).agentEvents ?? []).not.toContainEqual(
      expect.objectContaining({ state: 'rate-limited' }),
    );
  });
});

describe('Codex --json events', () => {
  test('usage is summed over turns; the last agent message is kept; a failed turn is an error', () => {
    const lines = [
      { type: 'thread.started', thread_id: 't' },
      { type: 'turn.started' },
      { type: 'item.completed', item: { type: 'agent_message', text: 'Added hello.txt.' } },
      { type: 'turn.completed', usage: { input_tokens: 100, cached_input_tokens: 10, output_tokens: 5 } },
      { type: 'turn.completed', usage: { input_tokens: 50, cached_input_tokens: 0, output_tokens: 5 } },
    ].map((l) => JSON.stringify(l));
    expect(codexStream(lines.join('\n'), undefined, 3).result).toEqual({
      isError: false,
      message: 'Added hello.txt.',
      lastMessage: 'Added hello.txt.',
      usage: { input_tokens: 150, output_tokens: 10, cache_read_tokens: 10, cost_usd: null },
    });
    const failed = [
      { type: 'error', message: 'unexpected status 401 Unauthorized' },
      { type: 'turn.failed', error: { message: 'unexpected status 401 Unauthorized: bad key' } },
    ].map((l) => JSON.stringify(l));
    expect(codexStream(failed.join('\n'), undefined, 0).result).toMatchObject({
      isError: true,
      message: 'unexpected status 401 Unauthorized: bad key',
    });
    expect(codexStream('', undefined, 0)).toEqual({ events: [] });
  });

  test('commitRoots: the admin folder, the objects, and the one ref and reflog folder of the branch — from wo’s knowledge only', () => {
    const common = '/r/.git';
    const admin = '/r/.git/worktrees/login';
    expect(commitRoots({ common, admin, branch: 'wo/login' })).toEqual([
      admin,
      '/r/.git/objects',
      '/r/.git/refs/heads/wo',
      '/r/.git/logs/refs/heads/wo',
    ]);
    // A branch at the top of refs/heads shares its folder with every top-level branch (checked after).
    expect(commitRoots({ common, admin, branch: 'login' })).toEqual([
      admin,
      '/r/.git/objects',
      '/r/.git/refs/heads',
      '/r/.git/logs/refs/heads',
    ]);
    // A name that would climb out of refs/heads opens no ref folder at all.
    expect(commitRoots({ common, admin, branch: '../../x/y' })).toEqual([admin, '/r/.git/objects']);
    expect(commitRoots(undefined)).toEqual([]); // not a linked worktree wo knows
  });
});

describe('what each adapter adds to its command', () => {
  test('presets follow their own adapter; a custom agent only the one it names', () => {
    expect(adapterOf('codex', PRESETS['codex']!)).toBe(codex);
    expect(adapterOf('mine', { command: ['x'] })).toBeUndefined();
    expect(adapterOf('mine', { command: ['x'], adapter: 'claude-print' })).toBe(claudePrint);
  });

  test("claude: the plan's setup and verify as allowed tools, and wo's hooks for this session only", async () => {
    const a = await launchAdditions(claude, {
      worktree: '/w',
      stateDir: '/s',
      setup: ['npm ci'],
      verify: 'npm test',
    });
    expect(a.args).toEqual([
      '--allowedTools',
      'Bash(npm ci)',
      'Bash(npm test)',
      '--settings',
      hookSettings(),
      // Its own retry of a rate limit is said only there (claudeSelfRetry).
      '--debug-file',
      '/s/claude-debug.log',
    ]);
    expect(a.env).toEqual({ WO_HOOK_FILE: '/s/hooks.jsonl' });
    expect(a.captureStdout).toBeUndefined();
    const p = await launchAdditions(claudePrint, { worktree: '/w', stateDir: '/s' });
    expect(p.args).toEqual(['--settings', hookSettings()]);
    expect(p.captureStdout).toBe('/s/events.jsonl');
  });

  test("a worker's max_cost_usd: claude-print gets --max-budget-usd (print mode only); others get nothing", async () => {
    const p = await launchAdditions(claudePrint, { worktree: '/w', stateDir: '/s', maxCostUsd: 0.5 });
    expect(p.args).toEqual(['--settings', hookSettings(), '--max-budget-usd', '0.5']);
    const i = await launchAdditions(claude, { worktree: '/w', stateDir: '/s', maxCostUsd: 0.5 });
    expect(i.args).not.toContain('--max-budget-usd');
    const c = await launchAdditions(codex, { worktree: '/w', stateDir: '/s', maxCostUsd: 0.5 });
    expect(c.args).not.toContain('--max-budget-usd');
  });

  test('shell, aider and plain commands: nothing added', async () => {
    for (const agent of [shell, aider, undefined])
      expect(await launchAdditions(agent, { worktree: '/w', stateDir: '/s' })).toEqual({ args: [], env: {} });
  });
});

describe('reading a worker’s output: asked of the agent recorded at launch (it was guessed from the first event)', () => {
  const stateDir = () => mkdtempSync(join(tmpdir(), 'wo-read-'));

  test('codex whose stream does not open with thread.started is still read as codex’s', async () => {
    const dir = stateDir();
    const lines = [
      { type: 'turn.started' },
      { type: 'turn.completed', usage: { input_tokens: 7, output_tokens: 3, cached_input_tokens: 1 } },
      { type: 'item.completed', item: { type: 'agent_message', text: 'Done.' } },
    ];
    writeFileSync(join(dir, 'events.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
    await recordAdapter(dir, codex);
    expect((await readAgentFacts(dir)).agentResult).toEqual({
      isError: false,
      message: 'Done.',
      lastMessage: 'Done.',
      usage: { input_tokens: 7, output_tokens: 3, cache_read_tokens: 1, cost_usd: null },
    });
  });

  test('claude-print before its first event: a Stop hook is not idle at a prompt (it exits)', async () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'hooks.jsonl'), `${hook(4, { hook_event_name: 'Stop' })}\n`);
    await recordAdapter(dir, claudePrint);
    expect(await readAgentFacts(dir)).toEqual({});
    await recordAdapter(dir, claude);
    expect((await readAgentFacts(dir)).agentEvents).toEqual([
      { at: 4, state: 'waiting', message: 'its turn ended without writing .worker-status' },
    ]);
  });

  test('a plain command, or an agent whose output wo does not read: nothing is read', async () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'events.jsonl'), '{"type":"result","subtype":"success","result":"x"}\n');
    expect(await readAgentFacts(dir)).toEqual({});
    await recordAdapter(dir, shell);
    expect(await readAgentFacts(dir)).toEqual({});
  });
});
