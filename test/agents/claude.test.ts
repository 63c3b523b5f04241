// The interactive claude preset against the real Claude Code in tmux (pinned in
// scripts/install-agents.sh), talking to a scripted model server: trust, live states from its
// hooks, a permission prompt answered through tmux, and the last screen of a worker left waiting.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Git } from '../../src/git/git.js';
import { UNKNOWN_SCREEN } from '../../src/life/outcome.js';
import { PRESETS } from '../../src/plan/presets.js';
import { processRunner } from '../../src/process/run.js';
import { MASK } from '../../src/secrets.js';
import type { LiveEvent } from '../../src/scheduler/types.js';
import { RunDriver } from '../../src/worker/driver.js';
import { defaultLayout } from '../../src/worktree/layout.js';
import { spec } from '../scheduler/fakes.js';
import { waitFor } from '../helpers.js';
import { BIN, exitOf } from '../run/harness.js';
import { AGENT_TEST_MS, agentRun, plan, type AgentRun } from './harness.js';

const branchLog = (r: AgentRun, branch: string) =>
  execFileSync('git', ['log', '--format=%s', branch], { cwd: r.repo.root, encoding: 'utf8' }).split('\n')[0];

describe('claude (interactive), the real Claude Code', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test('a trusted checkout: its worker starts without the trust dialog, commits, and is done', async () => {
    r = await agentRun([]);
    const dir = r.wt('hello');
    r.model.script.push(
      { write: join(dir, 'hello.txt'), content: 'hello\n' },
      { bash: 'git add hello.txt' },
      { bash: 'git commit -q -m "Add hello"' },
      { write: join(dir, '.worker-result.md'), content: 'Added hello.txt\n' },
      { bash: 'echo done > .worker-status' },
      { text: 'Done.' },
    );
    r.writePlan(plan('claude', '  - feature: hello\n    task: Add hello.txt\n'));
    const res = await r.wo(['run']);
    expect(res.stdout).toContain('hello done');
    expect(res.code).toBe(0);
    expect(branchLog(r, 'wo/hello')).toBe('Add hello');
    expect(r.report().workers[0]).toMatchObject({
      outcome: 'done',
      agent: 'claude',
      agent_version: '2.1.197',
    });
  });

  test("usage counts the final turn's request: wo lets the turn end before it ends the session", async () => {
    r = await agentRun([]);
    const dir = r.wt('paid');
    r.model.script.push(
      { write: join(dir, '.worker-result.md'), content: 'Paid\n' },
      { bash: 'echo done > .worker-status' },
      // The request after the status was written is billed too; its answer comes late.
      { text: 'Done.', delayMs: 1500 },
    );
    r.writePlan(plan('claude', '  - feature: paid\n    task: Say done\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(0);
    expect(r.model.requests.anthropic).toBe(3);
    // Every billed request, cache reads counted as input (SPEC §5).
    expect(r.report().workers[0]!.usage).toEqual({
      input_tokens: r.model.sent.input_tokens + r.model.sent.cache_read_tokens,
      output_tokens: r.model.sent.output_tokens,
      cache_read_tokens: r.model.sent.cache_read_tokens,
      cost_usd: null,
    });
  });

  test(
    'a dialog wo does not know (an API key not approved): no hook comes, the worker is `waiting` with its screen, the key masked',
    async () => {
      r = await agentRun([{ text: 'never asked' }]);
      // The worker's own env carries a key Claude Code never answered (preflight checks the caller's).
      const key = 'sk-ant-api03-only-this-worker-has-it-ABCDEFGHIJKLMNOPQRST';
      const events: LiveEvent[] = [];
      const driver = new RunDriver({
        git: new Git(processRunner),
        tmux: r.tmux.tmux,
        runner: processRunner,
        layout: defaultLayout(r.repo.root),
        agents: { ...PRESETS },
        runId: 'silent',
        env: r.env,
        pollMs: 200,
        graceMs: 1000,
        silentMs: 3000, // SILENT_MS (30 s) in a run
        onEvent: (e) => void events.push(e),
      });
      try {
        const w = spec('keyed', { agent: 'claude', task: 'Say done', env: { ANTHROPIC_API_KEY: key } });
        await driver.prepare(w);
        const h = await driver.start(w, 1);
        await waitFor(
          () =>
            events.some((e) => e.type === 'live' && e.state === 'waiting' && e.message === UNKNOWN_SCREEN),
          'the worker turning waiting on the unknown screen',
          60000,
        );
        const screenFile = join(r.repo.root, '.wo', 'workers', 'keyed', 'last-screen.txt');
        const screen = await waitFor(
          () => existsSync(screenFile) && readFileSync(screenFile, 'utf8'),
          'the kept screen',
        );
        expect(screen).toContain('Detected a custom API key');
        expect(screen).toContain(MASK);
        expect(screen).not.toContain(key.slice(-8));
        expect(r.model.requests.anthropic).toBe(0); // it never got to work
        await h.stop('test over');
      } finally {
        await driver.close();
      }
    },
    AGENT_TEST_MS,
  );

  test(
    "an attempt's end carries its transcript's usage, so the live view's header can count it",
    async () => {
      r = await agentRun([{ bash: 'echo done > .worker-status' }, { text: 'Done.' }]);
      const driver = new RunDriver({
        git: new Git(processRunner),
        tmux: r.tmux.tmux,
        runner: processRunner,
        layout: defaultLayout(r.repo.root),
        agents: { ...PRESETS },
        runId: 'usage',
        env: r.env,
        pollMs: 200,
        graceMs: 1000,
      });
      try {
        const w = spec('counted', { agent: 'claude', task: 'Say done' });
        await driver.prepare(w);
        const end = await (await driver.start(w, 1)).done;
        expect(end.outcome).toBe('done');
        expect(end.usage).toEqual({
          input_tokens: r.model.sent.input_tokens + r.model.sent.cache_read_tokens,
          output_tokens: r.model.sent.output_tokens,
          cache_read_tokens: r.model.sent.cache_read_tokens,
          cost_usd: null,
        });
      } finally {
        await driver.close();
      }
    },
    AGENT_TEST_MS,
  );

  test(
    "on a terminal: the bell reaches it when a worker turns waiting, and the first Ctrl-C's notice survives redraws",
    async () => {
      r = await agentRun([{ bash: 'sh -c "echo made > made-by-bash"' }, { text: 'Done.' }]); // it asks
      r.writePlan(plan('claude', '  - feature: ask\n    task: Make a file\n'));
      // wo in a tmux pane of the test's own server (a real terminal, not CI), its bytes piped to a file.
      const bytes = join(r.repo.base, 'viewer.bytes');
      const go = join(r.repo.base, 'viewer.go');
      const env = Object.entries(r.env)
        .filter(([k, v]) => k !== 'CI' && v !== undefined)
        .map(([k, v]) => `${k}=${v}`);
      const tmux = (...a: string[]) => execFileSync('tmux', ['-L', r!.tmux.socket, ...a]);
      // The shell outlives the Ctrl-Cs sent to the pane (a caught signal is the default again in wo).
      const script = `trap 'true' INT; while [ ! -e "$1" ]; do sleep 0.02; done; shift; "$@"; echo "__END__ $?"`;
      tmux(
        'new-session',
        '-d',
        '-s',
        'viewer',
        '-x',
        '160',
        '-y',
        '30',
        '-c',
        r.repo.root,
        '--',
        'env',
        '-i',
        ...env,
        'sh',
        '-c',
        script,
        'sh',
        go,
        process.execPath,
        BIN,
        'run',
      );
      tmux('set-option', '-t', 'viewer', 'remain-on-exit', 'on');
      tmux('pipe-pane', '-o', '-t', 'viewer', `cat >> '${bytes}'`);
      writeFileSync(go, '');
      const piped = () => (existsSync(bytes) ? readFileSync(bytes, 'latin1') : '');
      const screen = () =>
        execFileSync('tmux', ['-L', r!.tmux.socket, 'capture-pane', '-p', '-t', 'viewer'], {
          encoding: 'utf8',
        });
      await waitFor(() => /ask · waiting/.test(screen()), 'the waiting row', 60000);
      await waitFor(() => piped().includes('\x07'), 'the bell in the terminal');
      tmux('send-keys', '-t', 'viewer', 'C-c');
      await waitFor(() => screen().includes('Press Ctrl-C again to end them.'), 'the notice');
      // The view redraws (the elapsed time ticks): the notice is still there after it.
      const drawn = piped().length;
      await waitFor(() => piped().length > drawn + 50, 'a redraw');
      expect(screen()).toContain('Press Ctrl-C again to end them.');
      tmux('send-keys', '-t', 'viewer', 'C-c');
      await waitFor(() => screen().includes('__END__'), 'wo to end', 30000).catch((e: Error) => {
        throw new Error(`${e.message}; the terminal shows:\n${screen()}`);
      });
      expect(screen()).toContain('__END__ 130');
    },
    AGENT_TEST_MS,
  );

  test('an untrusted checkout: exit 3 with how to trust it, and nothing is created', async () => {
    r = await agentRun([{ text: 'never asked' }], { trusted: 'none' });
    r.writePlan(plan('claude', '  - feature: hello\n    task: Add hello.txt\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('Claude Code does not trust');
    expect(res.stderr).toContain('Yes, I trust this folder');
    expect(existsSync(r.wt('hello'))).toBe(false);
    expect(await r.tmux.tmux.listSessions()).toEqual([]);
    expect(r.model.requests.anthropic).toBe(0);
  });

  test('wo spawn checks the same before it creates anything', async () => {
    r = await agentRun([{ text: 'never asked' }], { trusted: 'none' });
    const res = await r.wo(['spawn', 'one', 'Add hello.txt', '--create']);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('Claude Code does not trust');
    expect(existsSync(r.wt('one'))).toBe(false);
  });

  test(
    'a permission prompt turns the worker `waiting` at once; answered through tmux, it is done',
    async () => {
      r = await agentRun([]);
      const dir = r.wt('ask');
      r.model.script.push(
        { bash: 'sh -c "echo made > made-by-bash"' }, // not in the preset's allowed tools: Claude Code asks
        { write: join(dir, '.worker-result.md'), content: 'Made it\n' },
        { bash: 'echo done > .worker-status' },
        { text: 'Done.' },
      );
      r.writePlan(plan('claude', '  - feature: ask\n    task: Make a file\n'));
      const child = r.spawnWo(['run']);
      await waitFor(
        () => /ask waiting: .*\(wo attach ask\)/.test(child.output()),
        'the waiting line',
        60000,
      ).catch((e: Error) => {
        throw new Error(`${e.message}; wo printed:\n${child.output()}`);
      });
      const status = await r.wo(['status', '--json']);
      expect(JSON.parse(status.stdout)[0]).toMatchObject({
        feature: 'ask',
        status: 'running',
        live: 'waiting',
      });
      expect(JSON.parse(status.stdout)[0].message).toMatch(/Bash/);
      // A person answers: the first choice, "Yes". The hook may fire a moment before the dialog
      // takes keys: Enter again until the command has run (each wait has its deadline).
      const answered = () => existsSync(join(dir, 'made-by-bash'));
      for (let i = 0; i < 10 && !answered(); i++) {
        const screen = (await r.tmux.tmux.capturePane('wt-ask')) ?? '';
        if (screen.includes('Do you want to proceed?')) await r.tmux.tmux.sendKeys('wt-ask', 'Enter');
        await waitFor(answered, 'the answered command', 2000).catch(() => undefined);
      }
      expect(await exitOf(child)).toBe(0);
      expect(existsSync(join(dir, 'made-by-bash'))).toBe(true);
      const w = r.report().workers[0]!;
      expect(w.outcome).toBe('done');
      expect(w.waiting_ms).toBeGreaterThan(0);
    },
    AGENT_TEST_MS,
  );

  test(
    'a timeout while waiting: `timeout`, with the prompt in last_screen',
    async () => {
      r = await agentRun([{ bash: 'sh -c "echo made > made-by-bash"' }, { text: 'Done.' }]);
      // The timeout counts from the worker's start (setup included, SPEC §4): enough for a loaded
      // machine to start Claude Code and draw its permission prompt before wo ends the session.
      r.writePlan(plan('claude', '  - feature: stuck\n    task: Make a file\n    timeout: 15s\n'));
      const res = await r.wo(['run']);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/stuck waiting: /);
      const w = r.report().workers[0]!;
      expect(w.outcome).toBe('timeout');
      expect(String(w.last_screen)).toContain('Do you want to proceed?');
      expect(String(w.last_screen)).toContain('echo made > made-by-bash');
    },
    AGENT_TEST_MS,
  );
});
