// SPEC §9 "the agent is untrusted", blocking reads (issue 19): whatever a worker puts in place of a
// file wo reads — a FIFO, a device, a link out of its folders — wo neither hangs nor runs out of
// memory, and a link's target never reaches the report. Each case runs the built wo as a child
// under a deadline (test/hardening/deadline.ts): a hang fails the test instead of hanging CI.
//
// On the main this was written against, every case below fails: the agent's hooks and events were
// read with readFile (a FIFO blocks the read forever, and `process.exit` then waits for the thread
// holding it), the run lock was read with readFile when released and by `wo status`, git ran in a
// worktree whose `.git` was a FIFO, a hook's `/dev/zero` transcript was read whole, and a
// `.worker.log` link was followed and its target quoted into the result and report.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TempRepo } from '../helpers.js';
import { eachRepoWithTmux } from './fixture.js';
import { runWo } from './deadline.js';

const SECRET = 'SECRET-OUTSIDE-THE-WORKTREE-4711';

describe('untrusted reads', () => {
  let repo: TempRepo;
  let env: NodeJS.ProcessEnv;
  eachRepoWithTmux((f) => ({ repo, env } = f));

  const report = () => {
    const last = JSON.parse(readFileSync(join(repo.root, '.wo', 'last-run.json'), 'utf8'));
    return {
      dir: last.report_dir as string,
      json: JSON.parse(readFileSync(last.report_json, 'utf8')) as {
        workers: Array<{ feature: string; outcome: string; usage?: unknown }>;
      },
    };
  };

  /**
   * A plan whose workers run `agent.sh` under the codex adapter (so wo reads their events, hooks and
   * last message), each doing to its files what its name says, then saying done.
   */
  const plan = (cases: Record<string, string>, needs: Record<string, string> = {}) => {
    const state = join(repo.root, '.wo', 'workers');
    const script = [
      `S="${state}/$WO_FEATURE"`,
      'case "$WO_FEATURE" in',
      ...Object.entries(cases).map(([f, body]) => `  ${f}) ${body} ;;`),
      'esac',
      'echo done > "$WO_WORKTREE/.worker-status.tmp" 2>/dev/null && mv "$WO_WORKTREE/.worker-status.tmp" "$WO_WORKTREE/.worker-status" 2>/dev/null',
      'exit 0',
      '',
    ].join('\n');
    writeFileSync(join(repo.base, 'agent.sh'), script);
    writeFileSync(
      join(repo.root, 'workers.yaml'),
      'version: 1\nconcurrency: 8\n' +
        `agents:\n  hostile:\n    command: [sh, "${join(repo.base, 'agent.sh')}"]\n    adapter: codex\n` +
        'defaults:\n  agent: hostile\n  timeout: 30s\nworkers:\n' +
        Object.keys(cases)
          .map(
            (f) => `  - feature: ${f}\n    task: play ${f}\n${needs[f] ? `    needs: [${needs[f]}]\n` : ''}`,
          )
          .join(''),
    );
  };

  test('FIFOs in place of its hooks, events, status, log, the run lock and .git: the run ends with an outcome for each, and status, collect, doctor and kill end too', async () => {
    plan({
      events: 'rm -f "$S/events.jsonl"; mkfifo "$S/events.jsonl"',
      hooks: 'rm -f "$S/hooks.jsonl"; mkfifo "$S/hooks.jsonl"',
      status: 'rm -f .worker-status; mkfifo .worker-status; exit 0',
      log: 'rm -f .worker.log; mkfifo .worker.log',
      lock: `rm -f "${join(repo.root, '.wo', 'run.lock')}"; mkfifo "${join(repo.root, '.wo', 'run.lock')}"`,
      dotgit: 'rm -f .git; mkfifo .git',
      fine: 'true',
    });
    const r = await runWo(['run'], { cwd: repo.root, env }, 60000);
    expect(r.code).not.toBeNull();
    const outcomes = Object.fromEntries(report().json.workers.map((w) => [w.feature, w.outcome]));
    expect(Object.keys(outcomes).sort()).toEqual([
      'dotgit',
      'events',
      'fine',
      'hooks',
      'lock',
      'log',
      'status',
    ]);
    expect(outcomes.fine).toBe('done');
    expect(statSync(join(repo.root, '.wo', 'run.lock')).isFIFO()).toBe(true); // still in place

    // A worker that makes its own git folder's HEAD a FIFO (git opens it, without waiting for
    // nothing, to list worktrees or to add one): the next worker's preparation is refused, not hung.
    plan(
      { headfifo: 'g=$(git rev-parse --absolute-git-dir); rm -f "$g/HEAD"; mkfifo "$g/HEAD"', after: 'true' },
      { after: 'headfifo' },
    );
    const again = await runWo(['run'], { cwd: repo.root, env }, 60000);
    expect(again.code).not.toBeNull();
    const second = Object.fromEntries(report().json.workers.map((w) => [w.feature, w.outcome]));
    expect(second.headfifo).toBe('done');
    expect(second.after).toBe('failed');
    expect(again.out + again.err).toMatch(/headfifo\/HEAD is a FIFO, not a regular file/);

    // Later commands read the same files; none of them may wait on a FIFO.
    for (const args of [
      ['status'],
      ['status', '--json'],
      ['collect'],
      ['doctor'],
      ['kill', 'dotgit'],
      ['clean', 'dotgit', '--force'],
      ['clean', 'headfifo', '--force'],
    ]) {
      const c = await runWo(args, { cwd: repo.root, env }, 20000);
      expect(c.code).not.toBeNull();
    }
  }, 180000);

  test('a hook naming /dev/zero as its transcript is ignored with a note; a .worker.log linked outside never reaches the result or report', async () => {
    writeFileSync(join(repo.base, 'secret.txt'), `${SECRET}\n`);
    mkdirSync(join(repo.base, 'nothing'), { recursive: true });
    const hook = JSON.stringify({
      wo_at: 1,
      hook: { hook_event_name: 'Stop', transcript_path: '/dev/zero' },
    });
    plan({
      zero: `printf '%s\\n' '${hook}' >> "$S/hooks.jsonl"`,
      // No result and a failing exit: wo quotes the log's last lines into the result. It waits until
      // the pane's copy (pipe-pane's `cat`) writes the log: replaced earlier, `cat` would make a new one.
      linked: `echo copy-check-7f3a; until grep -qs copy-check-7f3a .worker.log; do sleep 0.05; done; rm -f .worker.log; ln -s "${join(repo.base, 'secret.txt')}" .worker.log; exit 3`,
    });
    const r = await runWo(['run'], { cwd: repo.root, env }, 60000);
    expect(r.code).not.toBeNull();
    const { dir, json } = report();
    expect(json.workers.map((w) => w.feature).sort()).toEqual(['linked', 'zero']);
    expect(r.out + r.err).toMatch(/ignored \/dev\/zero.*not a regular file/);
    const seen = [join(repo.base, 'repo-worktrees', 'linked', '.worker-result.md')];
    for (const f of readdirSync(dir)) seen.push(join(dir, f));
    for (const f of seen)
      if (statSync(f).isFile()) expect(`${f}: ${readFileSync(f, 'utf8')}`).not.toContain(SECRET);
    const status = await runWo(['status', '--json'], { cwd: repo.root, env }, 30000);
    expect(status.out).not.toContain(SECRET);
    const logs = await runWo(['logs', 'linked'], { cwd: repo.root, env }, 30000);
    expect(logs.out + logs.err).not.toContain(SECRET);
    expect(logs.err).toContain('is a link, not a log file');
  }, 120000);
});
