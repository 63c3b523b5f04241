// collect, list and logs against real workers.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CollectEntry } from '../../src/commands/collect.js';
import type { ListEntry } from '../../src/commands/list.js';
import { main } from '../../src/cli.js';
import { waitFor } from '../helpers.js';
import { BIN } from '../run/harness.js';
import { fixture, type Fixture } from './setup.js';

describe('wo collect, list, logs', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  const spawn = async (feature: string, task: string) => {
    expect(await f.wo('spawn', feature, task, '--agent', 'shell', '--create')).toMatchObject({
      code: 0,
      err: '',
    });
  };

  test('collect prints a result without its escape sequences; --json keeps the text', async () => {
    await spawn(
      'esc',
      `printf '\\033]0;title\\007\\033[31mred\\033[0m \\033[2Jclear\\n' > .worker-result.md; echo done > .worker-status`,
    );
    await f.waitStatus('esc', 'done');
    const r = await f.wo('collect', 'esc');
    expect(r.out).toContain('## esc — done\n\nred clear\n');
    expect(r.out).not.toContain('\x1b');
    const json = JSON.parse((await f.wo('collect', 'esc', '--json')).out) as CollectEntry[];
    expect(json[0]!.result).toContain('\x1b[31m');
  });

  test('collect prints done and failed results and names running workers', async () => {
    await spawn('good', 'echo "# Login\n\nadded the API" > .worker-result.md; echo done > .worker-status');
    await spawn('bad', 'echo "could not build" > .worker-result.md; echo failed > .worker-status');
    await spawn('slow', 'sleep 30');
    await f.waitStatus('good', 'done');
    await f.waitStatus('bad', 'failed');
    const r = await f.wo('collect');
    expect(r.code).toBe(0);
    expect(r.out).toContain('## bad — failed\n\ncould not build\n');
    expect(r.out).toContain('## good — done\n\n# Login\n\nadded the API\n');
    expect(r.out).toContain('still running: slow');
    expect(r.out).not.toContain('## slow');

    const j = await f.wo('collect', '--json');
    expect(JSON.parse(j.out) as CollectEntry[]).toEqual([
      { feature: 'bad', status: 'failed', result: 'could not build\n' },
      { feature: 'good', status: 'done', result: '# Login\n\nadded the API\n' },
      { feature: 'slow', status: 'running', result: null },
    ]);
    const one = await f.wo('collect', 'good', '--json');
    expect(JSON.parse(one.out)).toHaveLength(1);
    expect((await f.wo('collect', 'nope')).code).toBe(2);
  });

  test('list shows the worker sessions, as a table and as JSON', async () => {
    expect((await f.wo('list')).out).toContain('no worker sessions');
    expect(JSON.parse((await f.wo('list', '--json')).out)).toEqual([]);
    await spawn('one', 'sleep 30');
    await f.t.tmux.newSession({ name: 'other', cwd: f.repo.root, command: ['sleep', '30'] });
    const r = await f.wo('list');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('SESSION │ FEATURE │ CREATED              │ ATTACHED │ PANE');
    expect(r.out).toMatch(/wt-one {2}│ one {5}│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ │ no {7}│ alive/);
    expect(r.out).not.toContain('other');
    const list = JSON.parse((await f.wo('list', '--json')).out) as ListEntry[];
    expect(list).toEqual([
      {
        session: 'wt-one',
        feature: 'one',
        created_at: expect.stringMatching(/^\d{4}-/),
        attached: false,
        pane_alive: true,
        pane_pid: expect.any(Number),
      },
    ]);
  });

  test('logs prints the log; a missing log is exit 2', async () => {
    await spawn('talk', 'echo hello; echo world');
    await f.waitStatus('talk', 'done');
    const r = await f.wo('logs', 'talk');
    expect(r.code).toBe(0);
    expect(r.out).toContain('wt-talk started');
    expect(r.out).toMatch(/hello\r?\nworld/);
    const missing = await f.wo('logs', 'nope');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no log at');
  });

  /**
   * Runs the built `wo logs ARGS` in a tmux pane of the test's own server (a real terminal) and
   * returns the bytes the pane received, as tmux's pipe-pane saw them.
   */
  const paneBytes = async (name: string, args: string[]): Promise<string> => {
    const bytes = join(f.repo.base, `${name}.bytes`);
    const go = join(f.repo.base, `${name}.go`);
    const env = ['HOME', 'PATH', 'WO_TMUX_SOCKET'].map((k) => `${k}=${f.ctx.env[k]}`);
    const tmux = (...a: string[]) => execFileSync('tmux', ['-L', f.t.socket, ...a]);
    // A server whose last session (the worker's) just ended is exiting: a new session started at
    // that moment fails with "server exited unexpectedly", and the next one starts a new server.
    const newSession = (...a: string[]) => {
      for (let i = 0; ; i++) {
        try {
          return tmux('new-session', ...a);
        } catch (e) {
          if (i >= 2 || !String((e as Error).message).includes('server exited unexpectedly')) throw e;
        }
      }
    };
    // The pane waits for `go` so that the piping is in place before wo writes a byte.
    const script = `while [ ! -e "$1" ]; do sleep 0.02; done; shift; "$@"; echo __END__`;
    newSession(
      '-d',
      '-s',
      name,
      '-x',
      '120',
      '-y',
      '40',
      '-c',
      f.repo.root,
      '--',
      'env',
      ...env,
      'sh',
      '-c',
      script,
      'sh',
      go,
      process.execPath,
      BIN,
      'logs',
      ...args,
    );
    tmux('set-option', '-t', name, 'remain-on-exit', 'on');
    tmux('pipe-pane', '-o', '-t', name, `cat >> '${bytes}'`);
    writeFileSync(go, '');
    const read = () => (existsSync(bytes) ? readFileSync(bytes, 'latin1') : '');
    await waitFor(() => read().includes('__END__'), `wo logs in the ${name} pane`);
    return read();
  };

  test("logs on a terminal shows the log without the agent's escapes; --raw gives the bytes", async () => {
    // What an interactive agent's log holds: a title, a hidden cursor, a device-attributes query
    // (the terminal would type its answer into the prompt), colours and a progress line redrawn.
    await spawn(
      'tui',
      `printf '\\033]0;pwned\\007\\033[?25l\\033[cHELLO \\033[31mred\\033[0m\\n10%%\\r100%%\\nbye\\n'`,
    );
    await f.waitStatus('tui', 'done');
    const shown = await paneBytes('viewer', ['tui']);
    expect(shown).toContain('HELLO red');
    expect(shown).toContain('100%');
    expect(shown).not.toContain('10%\r');
    for (const bad of ['\x1b]0;pwned', '\x1b[?25l', '\x1b[c', '\x1b[31m']) expect(shown).not.toContain(bad);
    const raw = await paneBytes('rawviewer', ['tui', '--raw']);
    for (const bad of ['\x1b]0;pwned', '\x1b[?25l', '\x1b[c', '\x1b[31m']) expect(raw).toContain(bad);
    // Not a terminal: the bytes, as before (a pipe or a file wants what was written).
    expect((await f.wo('logs', 'tui')).out).toContain('\x1b[?25l');
  });

  test('logs -f follows the log and ends when the worker has finished and its session is gone', async () => {
    await spawn('live', 'echo one; while [ ! -f go ]; do sleep 0.02; done; echo two');
    const following = f.wo('logs', 'live', '-f');
    await waitFor(() => f.io.stdout.includes('one'), 'the first line');
    expect(f.io.stdout).not.toContain('two');
    appendFileSync(join(f.wt('live'), 'go'), '');
    const r = await following;
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/one[\s\S]*two/);
    expect(f.status('live')).toBe('done');
  });

  test('logs -f ends on Ctrl-C with exit 130', async () => {
    await spawn('forever', 'echo tick; sleep 30');
    const controller = new AbortController();
    const ctx = { ...f.ctx, signal: controller.signal };
    const following = main(['logs', 'forever', '--follow'], ctx);
    await waitFor(() => f.io.stdout.includes('tick'), 'output');
    controller.abort('SIGINT');
    expect(await following).toBe(130);
    expect(ctx.trapInterrupts).toBe(true);
    expect(await f.t.tmux.hasSession('wt-forever')).toBe(true); // following never ends the worker
  });
});
