// "Adding an agent" (docs/agents.md), proven with a fixture: a headless agent with a JSON event stream,
// written as one object of the contract, reaches every part wo asks of an agent through a registry
// that lists it — its preset, the adapter a custom agent names, what wo adds per worker, how its
// output is read (asked of the agent recorded at launch, never guessed), its limit's words, and its
// version, login and install facts in preflight.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner } from '../../src/process/run.js';
import { agentPaths, jsonLines, num, str } from '../../src/agents/files.js';
import {
  AGENTS,
  createRegistry,
  launchAdditions,
  readAgentFacts,
  recordAdapter,
  registry,
} from '../../src/agents/index.js';
import type { Agent, AgentEvent, AgentResult } from '../../src/agents/types.js';
import { checkAgent } from '../../src/preflight/preflight.js';

/** A made-up headless agent: `echo-agent --json <prompt>` prints `step`, `limit` and `end` events. */
const echo: Agent<'echo-json'> = {
  name: 'echo-json',
  preset: { command: ['echo-agent', '--json', '{prompt}'], exitsWhenDone: true },
  parsesOptions: true,
  async launch(w) {
    return {
      args: ['--budget', String(w.maxCostUsd ?? 0)],
      env: { ECHO_HOME: w.stateDir },
      captureStdout: agentPaths(w.stateDir).events,
    };
  },
  read(o) {
    const events: AgentEvent[] = [];
    let result: AgentResult | undefined;
    for (const e of jsonLines(o.events)) {
      const at = num(e.at) ?? o.eventsAt;
      if (e.type === 'step') events.push({ at, state: 'working' });
      else if (e.type === 'limit') events.push({ at, state: 'rate-limited', message: str(e.words) });
      else if (e.type === 'end')
        result = {
          isError: e.ok !== true,
          message: str(e.text),
          usage: {
            input_tokens: num(e.in),
            output_tokens: num(e.out),
            cache_read_tokens: null,
            cost_usd: null,
          },
        };
    }
    return { ...(result && { result }), events };
  },
  printsResultOnExit: true,
  limitWords: /quota exhausted/i,
  program: {
    name: 'echo-agent',
    login: {
      args: ['whoami'],
      read: (a) => ({ loggedIn: a.exitCode === 0, ...(a.exitCode === 0 && { how: a.stdout.trim() }) }),
      hint: 'run `echo-agent login`',
    },
  },
  install: { title: 'Echo', npm: 'echo-agent', proven: '1.2.3', command: 'npm install -g echo-agent@1.2.3' },
};

const withEcho = createRegistry([...AGENTS, echo]);

test('its preset and adapter come from the registry that lists it, and from no other', () => {
  expect(withEcho.presets()['echo-json']).toEqual({
    command: ['echo-agent', '--json', '{prompt}'],
    exitsWhenDone: true,
    adapter: 'echo-json',
  });
  expect(withEcho.adapterOf('echo-json', { command: ['x'] })).toBe(echo);
  // A custom agent that names it as its adapter follows it.
  expect(withEcho.adapterOf('mine', { command: ['my-echo'], adapter: 'echo-json' })).toBe(echo);
  expect(registry.named('echo-json')).toBeUndefined();
  expect(registry.presets()['echo-json']).toBeUndefined();
});

test('what wo adds per worker is what the agent says', async () => {
  expect(await launchAdditions(echo, { worktree: '/w', stateDir: '/s', maxCostUsd: 2 })).toEqual({
    args: ['--budget', '2'],
    env: { ECHO_HOME: '/s' },
    captureStdout: '/s/events.jsonl',
  });
});

test('its output is read by the agent recorded at launch: asked, never guessed from the stream', async () => {
  const state = mkdtempSync(join(tmpdir(), 'wo-contract-'));
  writeFileSync(
    agentPaths(state).events,
    [
      { type: 'step', at: 5 },
      { type: 'limit', at: 3, words: 'quota exhausted' },
      { type: 'end', ok: false, text: 'quota exhausted', in: 10, out: 2 },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
  // Nothing recorded: no agent to ask, nothing read.
  expect(await withEcho.readAgentFacts(state)).toEqual({});
  await recordAdapter(state, echo);
  expect(await withEcho.readAgentFacts(state)).toEqual({
    agentResult: {
      isError: true,
      message: 'quota exhausted',
      usage: { input_tokens: 10, output_tokens: 2, cache_read_tokens: null, cost_usd: null },
    },
    // In time order, whatever order the agent said them in.
    agentEvents: [
      { at: 3, state: 'rate-limited', message: 'quota exhausted' },
      { at: 5, state: 'working' },
    ],
  });
  // wo's own registry does not know it: the stream is not read as another agent's.
  expect(await readAgentFacts(state)).toEqual({});
});

test("its limit's words join every agent's, and only in a registry that lists it", () => {
  expect(withEcho.limitWords.test('Error: quota exhausted for today')).toBe(true);
  expect(registry.limitWords.test('Error: quota exhausted for today')).toBe(false);
  for (const words of ['API Error: 429', 'You’ve hit your usage limit', 'Too Many Requests'])
    expect([words, withEcho.limitWords.test(words)]).toEqual([words, true]);
});

describe('preflight asks the agent how to check its program', () => {
  function bin(version: string, loggedIn: boolean) {
    const base = mkdtempSync(join(tmpdir(), 'wo-contract-bin-'));
    mkdirSync(join(base, 'bin'));
    writeFileSync(join(base, 'bin', 'echo-agent'), '#!/bin/sh\n');
    chmodSync(join(base, 'bin', 'echo-agent'), 0o755);
    const asked: string[][] = [];
    const runner: Runner = {
      async run(_file, args) {
        asked.push([...args]);
        if (args[0] === '--version') return { stdout: `echo-agent ${version}\n`, stderr: '', exitCode: 0 };
        return { stdout: loggedIn ? 'ana@example.com\n' : '', stderr: '', exitCode: loggedIn ? 0 : 1 };
      },
    };
    const input = {
      runner,
      env: { PATH: join(base, 'bin') },
      cwd: base,
      repoRoot: base,
      agents: {},
      registry: withEcho,
    };
    return { input, asked };
  }
  const def = { command: ['echo-agent', '--json', '{prompt}'], adapter: 'echo-json' } as const;

  test('its version and login commands, its proven version, how it is logged in', async () => {
    const t = bin('1.3.0', true);
    expect(await checkAgent('mine', def, t.input)).toEqual({
      agent: 'mine',
      adapter: 'echo-json',
      program: 'echo-agent',
      path: join(t.input.env.PATH, 'echo-agent'),
      version: '1.3.0',
      warning:
        "agent mine: echo-agent 1.3.0 is not the version wo's echo-json preset was proven with (1.2.3); it may work differently",
      reachable: true,
      login: 'ana@example.com',
    });
    expect(t.asked).toEqual([['--version'], ['whoami']]);
  });

  test('logged out: the problem names its login hint; not on PATH: its install command', async () => {
    const t = bin('1.2.3', false);
    expect((await checkAgent('mine', def, t.input)).problem).toBe(
      'agent mine: echo-agent is not logged in; run `echo-agent login`',
    );
    const missing = await checkAgent('mine', def, { ...t.input, env: { PATH: '/nonexistent' } });
    expect(missing.problem).toBe(
      "agent mine: 'echo-agent' is not on PATH; install it: npm install -g echo-agent@1.2.3",
    );
  });
});

test("scripts/install-agents.sh installs each agent's proven version, as its install facts say", () => {
  const script = readFileSync(new URL('../../scripts/install-agents.sh', import.meta.url), 'utf8');
  const pins = [...(/^pins=\((.*)\)$/m.exec(script)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  const proven = AGENTS.flatMap((a) =>
    a.install?.npm && a.install.proven ? [`${a.install.npm}@${a.install.proven}`] : [],
  );
  expect(pins).toEqual([...new Set(proven)]);
});
