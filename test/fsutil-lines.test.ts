// LineFollower (src/fsutil.ts): a growing file read whole, line by line, with bounded memory.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineFollower, takeRefusedNotes } from '../src/fsutil.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wo-lines-'));
  takeRefusedNotes();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function follower(o: { maxLine?: number; maxBytes?: number } = {}) {
  const lines: string[] = [];
  let restarts = 0;
  const f = new LineFollower({
    maxLine: o.maxLine ?? 1 << 20,
    maxBytes: o.maxBytes ?? 1 << 30,
    onLine: (l) => lines.push(l),
    onRestart: () => {
      restarts++;
      lines.length = 0;
    },
  });
  return { f, lines, restarts: () => restarts };
}

test('each read hands over the lines completed since the last; a half line waits for its end', async () => {
  const path = join(dir, 's.jsonl');
  writeFileSync(path, 'one\ntw');
  const { f, lines } = follower();
  await expect(f.read(path)).resolves.toBe(true);
  expect(lines).toEqual(['one']);
  appendFileSync(path, 'o\nthree\n');
  await f.read(path);
  expect(lines).toEqual(['one', 'two', 'three']);
  await f.read(path);
  expect(lines).toEqual(['one', 'two', 'three']);
});

test('a line across the reads of a large file is whole; a line longer than the limit is skipped', async () => {
  const path = join(dir, 's.jsonl');
  const long = 'a'.repeat((1 << 20) + 10); // longer than one read
  writeFileSync(path, `first\n${long}\n${'b'.repeat(3 << 20)}\nlast\n`);
  const { f, lines } = follower({ maxLine: 2 << 20 });
  await f.read(path);
  expect(lines.map((l) => l.length)).toEqual([5, long.length, 4]);
  expect(lines[1]).toBe(long);
});

test('a file rewritten or replaced is read again from its start, after onRestart', async () => {
  const path = join(dir, 's.jsonl');
  writeFileSync(path, 'one\ntwo\n');
  const { f, lines, restarts } = follower();
  await f.read(path);
  writeFileSync(path, 'ONE\ntwo\nthree\n'); // longer, but its start differs
  await f.read(path);
  expect(restarts()).toBe(1);
  expect(lines).toEqual(['ONE', 'two', 'three']);
  writeFileSync(path, 'x\n'); // shorter
  await f.read(path);
  expect(restarts()).toBe(2);
  expect(lines).toEqual(['x']);
});

test('reading stops at maxBytes; a FIFO or an absent file reads as none', async () => {
  const path = join(dir, 's.jsonl');
  writeFileSync(path, 'one\ntwo\nthree\n');
  const { f, lines } = follower({ maxBytes: 8 });
  await f.read(path);
  expect(lines).toEqual(['one', 'two']);
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  await expect(f.read(join(dir, 'fifo'))).resolves.toBe(false);
  await expect(f.read(join(dir, 'absent'))).resolves.toBe(false);
  expect(takeRefusedNotes()).toEqual([`ignored ${join(dir, 'fifo')}: a FIFO, not a regular file`]);
});
