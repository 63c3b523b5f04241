// Files a worker can reach, read by wo's own readers (SPEC §9): the run lock, the log a status
// line quotes, the transcript a hook names. On the main this was written against, each was read
// with readFile or followed through a link: a FIFO in the lock's place hung `wo status` and the
// run's end, a `.worker.log` link had its target quoted, and a hook could name any file (or
// /dev/zero) as its transcript.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireRunLock, liveRunId } from '../src/lock.js';
import { takeRefusedNotes } from '../src/fsutil.js';
import { lastOutputLine } from '../src/protocol/lastline.js';
import { readStatus } from '../src/protocol/protocol.js';
import { sessionUsage } from '../src/worker/agent-report.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wo-untrusted-files-'));
  takeRefusedNotes();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fifo = (path: string) => execFileSync('mkfifo', [path]);

describe('the run lock', () => {
  test('a FIFO in its place names no live run, and the next run replaces it', async () => {
    mkdirSync(join(dir, '.wo'));
    const path = join(dir, '.wo', 'run.lock');
    fifo(path);
    await expect(liveRunId(path)).resolves.toBeUndefined();
    const lock = await acquireRunLock(path, 'next');
    expect(statSync(path).isFile()).toBe(true);
    await expect(liveRunId(path)).resolves.toBe('next');
    await lock.release();
  });

  test('a FIFO put in place of a held lock: the release leaves it, without waiting', async () => {
    mkdirSync(join(dir, '.wo'));
    const path = join(dir, '.wo', 'run.lock');
    const lock = await acquireRunLock(path, 'mine');
    rmSync(path);
    fifo(path);
    await lock.release();
    expect(statSync(path).isFIFO()).toBe(true);
  });
});

describe('protocol files', () => {
  test('a .worker.log or .worker-status that is a link is not followed', async () => {
    writeFileSync(join(dir, 'secret'), 'done\nSECRET\n');
    const wt = join(dir, 'wt');
    mkdirSync(wt);
    symlinkSync(join(dir, 'secret'), join(wt, '.worker.log'));
    symlinkSync(join(dir, 'secret'), join(wt, '.worker-status'));
    await expect(lastOutputLine(wt)).resolves.toBeUndefined();
    expect((await readStatus(wt)).status).toBeUndefined();
    expect(takeRefusedNotes()).toEqual([
      `ignored ${join(wt, '.worker.log')}: a link, not followed`,
      `ignored ${join(wt, '.worker-status')}: a link, not followed`,
    ]);
  });
});

describe('the transcript a hook names', () => {
  const usageLine = JSON.stringify({
    type: 'assistant',
    message: { id: 'm1', usage: { input_tokens: 7, output_tokens: 3 } },
  });
  const hooks = (stateDir: string, transcript: string) => {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(
      join(stateDir, 'hooks.jsonl'),
      `${JSON.stringify({ wo_at: 1, hook: { hook_event_name: 'Stop', transcript_path: transcript } })}\n`,
    );
  };

  test("is read inside the agent's data folder, and nowhere else", async () => {
    const home = join(dir, 'home');
    const own = join(home, '.claude', 'projects', 'p');
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, 't.jsonl'), `${usageLine}\n`);
    writeFileSync(join(dir, 'elsewhere.jsonl'), `${usageLine}\n`);
    const env = { HOME: home };
    hooks(join(dir, 's1'), join(own, 't.jsonl'));
    await expect(sessionUsage(join(dir, 's1'), env)).resolves.toMatchObject({
      input_tokens: 7,
      output_tokens: 3,
    });
    hooks(join(dir, 's2'), join(dir, 'elsewhere.jsonl'));
    await expect(sessionUsage(join(dir, 's2'), env)).resolves.toBeUndefined();
    // A link inside the data folder that leads out of it is not followed either.
    symlinkSync(join(dir, 'elsewhere.jsonl'), join(own, 'out.jsonl'));
    hooks(join(dir, 's3'), join(own, 'out.jsonl'));
    await expect(sessionUsage(join(dir, 's3'), env)).resolves.toBeUndefined();
    expect(takeRefusedNotes()).toEqual([
      `ignored ${join(dir, 'elsewhere.jsonl')}: outside ${join(home, '.claude')}, not read`,
      `ignored ${join(own, 'out.jsonl')}: outside ${join(home, '.claude')}, not read`,
    ]);
  });

  test('a transcript past its last 16 MiB counts its first answers too, and skips no answer for a huge line', async () => {
    const home = join(dir, 'home');
    const own = join(home, '.claude', 'projects', 'p');
    mkdirSync(own, { recursive: true });
    const answer = (id: string, input: number, output: number) =>
      JSON.stringify({
        type: 'assistant',
        message: { id, usage: { input_tokens: input, output_tokens: output } },
      });
    // A tool's output of 1 MiB, many times: what makes a long session's transcript large.
    const output = JSON.stringify({ type: 'user', message: { content: 'x'.repeat(1 << 20) } });
    const huge = JSON.stringify({ type: 'user', message: { content: 'y'.repeat(17 << 20) } });
    writeFileSync(
      join(own, 't.jsonl'),
      [answer('m1', 7, 3), ...Array<string>(20).fill(output), huge, answer('m2', 5, 2), ''].join('\n'),
    );
    hooks(join(dir, 's'), join(own, 't.jsonl'));
    await expect(sessionUsage(join(dir, 's'), { HOME: home })).resolves.toMatchObject({
      input_tokens: 12,
      output_tokens: 5,
    });
  });

  test('/dev/zero is refused with a note, not read', async () => {
    hooks(join(dir, 's'), '/dev/zero');
    await expect(
      sessionUsage(join(dir, 's'), { HOME: join(dir, 'home'), CLAUDE_CONFIG_DIR: '/dev' }),
    ).resolves.toBeUndefined();
    expect(takeRefusedNotes()).toEqual([
      'ignored /dev/zero: a device or other special file, not a regular file',
    ]);
  });
});
