// SPEC §9 "inputs and outputs of any size and kind", with the built wo, real git and real tmux: output
// paths that are FIFOs, pipes or links are written in place or refused, never replaced and never
// waited on forever; `wo report merge` keeps each worker's last output in its JUnit (issue 18 item 8)
// and never writes over a shard's report; `--shard ""` is refused.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRepo, makeTmux, testEnv, waitFor, type TempRepo, type TempTmux } from '../helpers.js';
import { runWo } from './deadline.js';

const plan = (...features: string[]) =>
  'version: 1\nconcurrency: 2\ndefaults:\n  agent: shell\n  timeout: 20s\nworkers:\n' +
  features.map((f) => `  - feature: ${f}\n    task: echo last-words-of-${f}\n`).join('');

describe('untrusted inputs and outputs', () => {
  let repo: TempRepo;
  let t: TempTmux;
  let env: NodeJS.ProcessEnv;
  const readers: ChildProcess[] = [];
  beforeEach(() => {
    repo = makeRepo();
    t = makeTmux();
    env = testEnv(repo.home, { WO_TMUX_SOCKET: t.socket, CI: '1' });
  });
  afterEach(() => {
    for (const r of readers.splice(0)) if (r.exitCode === null) r.kill('SIGKILL');
    t.cleanup();
    repo.cleanup();
  });

  const fifo = (name: string): string => {
    const p = join(repo.base, name);
    execFileSync('mkfifo', [p]);
    return p;
  };

  test('--junit and $GITHUB_STEP_SUMMARY as FIFOs nothing reads: the run ends, says why, and leaves them FIFOs', async () => {
    writeFileSync(join(repo.root, 'workers.yaml'), plan('a'));
    const junit = fifo('junit.xml');
    const summary = fifo('summary.md');
    const r = await runWo(
      ['run', '--junit', junit],
      { cwd: repo.root, env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } },
      25000,
    );
    expect(r.code).toBe(0);
    expect(r.err).toContain(`could not write the JUnit file ${junit}: ${junit} is a FIFO that nothing reads`);
    expect(r.err).toContain(
      `could not write the step summary ${summary}: ${summary} is a FIFO that nothing reads`,
    );
    expect(lstatSync(junit).isFIFO()).toBe(true);
    expect(lstatSync(summary).isFIFO()).toBe(true);
  });

  test('--junit as a FIFO with a reader: the reader gets the XML, the FIFO stays', async () => {
    writeFileSync(join(repo.root, 'workers.yaml'), plan('a'));
    const junit = fifo('junit.xml');
    const reader = spawn('cat', [junit], { stdio: ['ignore', 'pipe', 'ignore'] });
    readers.push(reader);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const closed = new Promise((r) => reader.on('close', r));
    // The reader is waiting in its open (for a writer) before wo runs.
    await waitFor(
      () => readFileSync(`/proc/${reader.pid}/wchan`, 'utf8') === 'wait_for_partner',
      'cat to open',
    );
    const r = await runWo(['run', '--junit', junit], { cwd: repo.root, env }, 25000);
    expect(r.code).toBe(0);
    await closed;
    expect(got).toContain('<testsuites');
    expect(got).toContain('last-words-of-a');
    expect(lstatSync(junit).isFIFO()).toBe(true);
  });

  // Only links of the test's own are used: a wo that replaced the path (the defect) would replace
  // the machine's /dev/stdout or /dev/null with a regular file.
  test('--junit as a link to a device or to a file: written through it, the link kept', async () => {
    writeFileSync(join(repo.root, 'workers.yaml'), plan('a'));
    const toDevice = join(repo.base, 'null.xml');
    symlinkSync('/dev/null', toDevice);
    const r = await runWo(['run', '--junit', toDevice], { cwd: repo.root, env }, 25000);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('could not write');
    expect(lstatSync(toDevice).isSymbolicLink()).toBe(true);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    const target = join(repo.base, 'target.xml');
    writeFileSync(target, 'old');
    const link = join(repo.base, 'link.xml');
    symlinkSync(target, link);
    const again = await runWo(['run', '--junit', link], { cwd: repo.root, env }, 25000);
    expect(again.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toContain('<testsuites');
  }, 60_000);

  test('--shard "" is exit 2 naming the form, and runs nothing', async () => {
    writeFileSync(join(repo.root, 'workers.yaml'), plan('a'));
    const r = await runWo(['run', '--shard', ''], { cwd: repo.root, env }, 20000);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--shard "" is not a shard: use --shard i\/n/);
    expect(await t.tmux.listSessions()).toEqual([]);
  });

  test('wo report merge: the merged JUnit keeps each worker’s last output; it never writes over a shard', async () => {
    writeFileSync(join(repo.root, 'workers.yaml'), plan('a', 'b'));
    const shard = (i: number) => join(repo.base, `shard${i}`);
    for (const i of [1, 2]) {
      const r = await runWo(
        ['run', '--shard', `${i}/2`, '--report', shard(i)],
        { cwd: repo.root, env },
        25000,
      );
      expect(r.code).toBe(0);
    }
    const merged = join(repo.base, 'merged.xml');
    const m = await runWo(
      ['report', 'merge', shard(1), shard(2), '--junit', merged],
      { cwd: repo.root, env },
      20000,
    );
    expect(m.code).toBe(0);
    const xml = readFileSync(merged, 'utf8');
    expect(xml).toContain('last-words-of-a');
    expect(xml).toContain('last-words-of-b');

    const before = readFileSync(join(shard(1), 'report.json'), 'utf8');
    const over = await runWo(
      ['report', 'merge', shard(1), shard(2), '--report', shard(1)],
      { cwd: repo.root, env },
      20000,
    );
    expect(over.code).toBe(2);
    expect(over.err).toMatch(/would be written over the shard report in .*--report/);
    const onInput = await runWo(
      ['report', 'merge', shard(1), shard(2), '--junit', join(shard(2), 'report.json')],
      { cwd: repo.root, env },
      20000,
    );
    expect(onInput.code).toBe(2);
    expect(onInput.err).toMatch(/is one of the shard reports being merged/);
    expect(readFileSync(join(shard(1), 'report.json'), 'utf8')).toBe(before);
  }, 120_000);

  test('wo report merge refuses a shard report with a path for a worker name, and a huge shard total', async () => {
    const dir = join(repo.base, 'evil');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'report.json'),
      JSON.stringify({
        run_id: 'x',
        plan: 'workers.yaml',
        started_at: '2026-11-23T18:30:00.000Z',
        finished_at: '2026-11-23T18:31:00.000Z',
        workers: [{ feature: '../../escape', outcome: 'done' }],
      }),
    );
    const r = await runWo(['report', 'merge', dir], { cwd: repo.root, env }, 20000);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not a worker name/);
    expect(r.err).not.toMatch(/unexpected/i);
    writeFileSync(join(repo.root, 'workers.yaml'), plan('a'));
    const huge = await runWo(['run', '--shard', '1/4000000000'], { cwd: repo.root, env }, 20000);
    expect(huge.code).toBe(2);
    expect(huge.err).toMatch(/more than the 1000 wo allows/);
  }, 60_000);
});
