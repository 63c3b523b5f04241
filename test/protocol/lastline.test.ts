// The last output of a worker is about its latest start: `.worker.log` is appended by every start,
// and what an earlier run printed is not what the worker printed since (SPEC §5).
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastLine, lastLines, lastOutput, readEndedTail, showsExit } from '../../src/protocol/lastline.js';

const header = (at: string, extra = '') => `\n[wo] ${at} wt-login started${extra}\n`;
const earlier = `${header('2026-11-28T08:00:00.000Z')}compiling…\nall 41 tests passed\n[wo] exit 0\n`;

describe('last output of the latest start', () => {
  test('a worker that has printed nothing since its new start has no last line, not the previous run’s', () => {
    const text = `${earlier}${header('2026-11-28T09:00:00.000Z', ' (attempt 2)')}`;
    expect(lastLine({ text, fromStart: true })).toBeUndefined();
    expect(lastLines({ text, fromStart: true }, 40)).toEqual([]);
  });

  test('only what it printed since its latest start counts', () => {
    const text = `${earlier}${header('2026-11-28T09:00:00.000Z')}starting again\n\n`;
    expect(lastLine({ text, fromStart: true })).toBe('starting again');
    expect(lastLines({ text, fromStart: true }, 40)).toEqual(['starting again']);
  });

  test('a log with one start, or a tail without its header, reads as before', () => {
    expect(lastLine({ text: earlier, fromStart: true })).toBe('all 41 tests passed');
    expect(lastLines({ text: earlier, fromStart: true }, 40)).toEqual(['compiling…', 'all 41 tests passed']);
    expect(lastLine({ text: 'cut\nmiddle\nend\n', fromStart: false })).toBe('end');
  });

  test('a line the worker printed that only looks like wo’s is not a start', () => {
    const text = `${earlier}${header('2026-11-28T09:00:00.000Z')}echo: [wo] x wt-login started\nnew\n`;
    expect(lastLines({ text, fromStart: true }, 40)).toEqual(['echo: [wo] x wt-login started', 'new']);
  });

  test('lastOutput reads the file the same way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wo-lastline-'));
    try {
      const log = join(dir, '.worker.log');
      writeFileSync(log, `${earlier}${header('2026-11-28T09:00:00.000Z')}`);
      expect(await lastOutput(log)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The wrapper writes its exit record at once; tmux's copy of the pane into the log may come a moment
// later, so whoever quotes the agent's last lines waits for the wrapper's exit line.
describe('the tail of an ended worker', () => {
  const exited = (code: number) => `\n[wo] the agent exited with code ${code} (4242)\n`;
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wo-ended-'));
    log = join(dir, '.worker.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('only an exit line since the latest start counts', () => {
    const again = `${earlier}${exited(0)}${header('2026-11-28T09:00:00.000Z')}more\n`;
    expect(showsExit({ text: again, fromStart: true })).toBe(false);
    expect(showsExit({ text: `${again}${exited(3)}`, fromStart: true })).toBe(true);
    expect(showsExit({ text: `${again}echo [wo] the agent exited with code 3\n`, fromStart: true })).toBe(
      false,
    );
  });

  test('waits until the last lines have reached the log, then reads them', async () => {
    writeFileSync(log, `${header('2026-11-28T09:00:00.000Z')}line 1\n`);
    const pauses: number[] = [];
    // The "later" write of tmux happens during the reader's second pause.
    const sleep = async (ms: number) => {
      pauses.push(ms);
      if (pauses.length === 2) appendFileSync(log, `line 2\n${exited(4)}`);
    };
    const tail = await readEndedTail(log, 65536, 1000, sleep);
    expect(pauses).toHaveLength(2);
    expect(lastLines(tail!, 20)).toEqual(['line 1', 'line 2']);
  });

  test('reads at once when the exit line is there, and gives up after its wait', async () => {
    writeFileSync(log, `${header('2026-11-28T09:00:00.000Z')}done\n${exited(0)}`);
    const never = () => Promise.reject(new Error('should not wait'));
    expect(lastLines((await readEndedTail(log, 65536, 1000, never))!, 20)).toEqual(['done']);

    writeFileSync(log, `${header('2026-11-28T09:00:00.000Z')}no exit line\n`);
    let waited = 0;
    const tail = await readEndedTail(log, 65536, 100, async (ms) => void (waited += ms));
    expect(waited).toBeGreaterThanOrEqual(100);
    expect(lastLines(tail!, 20)).toEqual(['no exit line']);
    expect(await readEndedTail(join(dir, 'missing.log'), 65536, 100, never)).toBeUndefined();
  });
});
