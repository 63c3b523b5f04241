// The session's environment and launch spec (SPEC §7), as pure functions: no tmux, no files.
import { agentArgv, buildSpec, sessionEnv, type LaunchInput } from '../../src/session/launch.js';

function input(over: Partial<LaunchInput> = {}): LaunchInput {
  return {
    feature: 'login',
    task: 'add a login page',
    agentName: 'shell',
    agent: { command: ['sh', '-c', '{task}'] },
    worktree: '/repo-worktrees/login',
    branch: 'wo/login',
    session: 'wt-login',
    stateDir: '/repo/.wo/workers/login',
    index: 3,
    baseEnv: {},
    ...over,
  };
}
const EXIT = { exitFile: '/repo/.wo/workers/login/exit' };

describe('sessionEnv (SPEC §7)', () => {
  test("wo's own variables: who the worker is and where its files are", () => {
    const env = sessionEnv(input({ runId: '20261128-0700-ab12' }), EXIT);
    expect(env).toEqual({
      WO_FEATURE: 'login',
      WO_INDEX: '3',
      WO_WORKTREE: '/repo-worktrees/login',
      WO_RUN_ID: '20261128-0700-ab12',
      WO_TRY: '1',
      WO_TRIES: '1',
      WO_STATUS_FILE: '/repo-worktrees/login/.worker-status',
      WO_RESULT_FILE: '/repo-worktrees/login/.worker-result.md',
      WO_PROMPT_FILE: '/repo-worktrees/login/.worker-prompt.md',
      WO_EXIT_FILE: '/repo/.wo/workers/login/exit',
    });
  });

  test('WO_INDEX is the 0-based place in the plan; WO_RUN_ID is empty outside a run (wo spawn)', () => {
    const env = sessionEnv(input({ index: 0, runId: undefined }), EXIT);
    expect(env.WO_INDEX).toBe('0');
    expect(env.WO_RUN_ID).toBe('');
  });

  test("the caller's environment is passed, the agent's env on it, the plan's on top, wo's own last", () => {
    const env = sessionEnv(
      input({
        baseEnv: { PATH: '/caller/bin', HOME: '/home/me', LAYER: 'caller', WO_FEATURE: 'from caller' },
        agent: { command: ['x'], env: { LAYER: 'agent', AGENT_ONLY: 'a' } },
        env: { LAYER: 'plan', PLAN_ONLY: 'p', WO_INDEX: '99' },
      }),
      EXIT,
    );
    expect(env).toMatchObject({
      PATH: '/caller/bin',
      HOME: '/home/me',
      AGENT_ONLY: 'a',
      PLAN_ONLY: 'p',
      LAYER: 'plan',
      WO_FEATURE: 'login',
      WO_INDEX: '3',
    });
  });

  test('TMUX, TMUX_PANE and CLAUDECODE are removed, from whichever layer they come', () => {
    const env = sessionEnv(
      input({
        baseEnv: { TMUX: '/tmp/tmux-0/default,1,0', TMUX_PANE: '%1', CLAUDECODE: '1', KEEP: 'yes' },
        env: { CLAUDECODE: '1', TMUX: 'x' },
      }),
      EXIT,
    );
    expect(env.KEEP).toBe('yes');
    for (const name of ['TMUX', 'TMUX_PANE', 'CLAUDECODE']) expect(env).not.toHaveProperty(name);
  });

  test('names sh cannot export, and unset values, are left out', () => {
    const env = sessionEnv(
      input({
        baseEnv: { 'BASH_FUNC_f%%': '() { :; }', '1X': 'a', 'A-B': 'b', UNSET: undefined, OK_1: 'c' },
      }),
      EXIT,
    );
    expect(Object.keys(env).filter((k) => !k.startsWith('WO_'))).toEqual(['OK_1']);
  });
});

describe('buildSpec (what scripts/wo-worker.sh reads)', () => {
  test('one line per variable, then one per argument, each value as it is', () => {
    const spec = buildSpec({ PATH: '/bin', Q: `it's "$HOME" *` }, ['claude', '--print', 'a b'], '/s');
    expect(spec.text).toBe(`ePATH=/bin\neQ=it's "$HOME" *\naclaude\na--print\naa b\n`);
    expect(spec.files).toEqual([]);
  });

  test('a value with a line break goes to a side file, read after the plain variables', () => {
    const spec = buildSpec({ MULTI: 'one\ntwo', PATH: '/bin', CR: 'a\rb' }, ['x'], '/s');
    expect(spec.text).toBe('ePATH=/bin\nE/s/env.0\nE/s/env.1\nax\n');
    expect(spec.files).toEqual([
      { path: '/s/env.0', content: 'MULTI=one\ntwo' },
      { path: '/s/env.1', content: 'CR=a\rb' },
    ]);
  });

  test('an argument with a line break, or longer than 4096 characters, goes to a side file', () => {
    const long = 'y'.repeat(4097);
    const spec = buildSpec({}, ['agent', 'task\nwith lines', 'x'.repeat(4096), long], '/s');
    expect(spec.text).toBe(`aagent\nA/s/arg.0\na${'x'.repeat(4096)}\nA/s/arg.1\n`);
    expect(spec.files).toEqual([
      { path: '/s/arg.0', content: 'task\nwith lines' },
      { path: '/s/arg.1', content: long },
    ]);
  });
});

describe('agentArgv', () => {
  const values = {
    prompt: '-x fix it\n---\nprotocol',
    prompt_file: '/w/.worker-prompt.md',
    task: '--help me',
    feature: 'f',
    worktree: '/w',
    branch: 'wo/f',
  };
  test('for an agent program that parses options, a task or prompt that starts with - stays text', () => {
    expect(agentArgv(['claude', '-p', '{prompt}', '--verbose'], values, true)).toEqual([
      'claude',
      '-p',
      ' -x fix it\n---\nprotocol',
      '--verbose',
    ]);
    // Only a whole placeholder: an argument the plan wrote around one is its own business.
    expect(agentArgv(['x', '--task={task}', '{feature}'], values, true)).toEqual([
      'x',
      '--task=--help me',
      'f',
    ]);
  });

  test('any other command gets its arguments byte for byte', () => {
    expect(agentArgv(['sh', '-c', 'printf %s "$1"', 'sh', '{task}'], values)).toEqual([
      'sh',
      '-c',
      'printf %s "$1"',
      'sh',
      '--help me',
    ]);
  });
});
