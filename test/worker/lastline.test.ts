// The last output of a worker is about its latest start: `.worker.log` is appended by every start,
// and what an earlier run printed is not what the worker printed since (SPEC §5).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastLine, lastLines, lastOutput } from '../../src/worker/lastline.js';

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
