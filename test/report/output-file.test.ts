// Output paths that are not regular files (SPEC §9): written in place or refused, never replaced, and
// never waited on forever. Real FIFOs in a temporary folder; wo's own stdout through its stream.
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  lstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  readSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendOutputFile, writeOutputFile } from '../../src/report/output-file.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wo-out-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fifo = (name: string): string => {
  const p = join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
};

test('a FIFO nothing reads is refused at once, and stays a FIFO', async () => {
  const f = fifo('junit.xml');
  await expect(writeOutputFile(f, '<x/>')).rejects.toThrow(
    /is a FIFO that nothing reads: start its reader first/,
  );
  await expect(appendOutputFile(f, () => 'summary')).rejects.toThrow(/FIFO that nothing reads/);
  expect(lstatSync(f).isFIFO()).toBe(true);
});

test('a FIFO with a reader gets the text in place', async () => {
  const f = fifo('junit.xml');
  const rd = openSync(f, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    await writeOutputFile(f, '<x/>\n');
    const buf = Buffer.alloc(100);
    expect(buf.subarray(0, readSync(rd, buf)).toString()).toBe('<x/>\n');
  } finally {
    closeSync(rd);
  }
  expect(lstatSync(f).isFIFO()).toBe(true);
});

test('a reader that takes nothing is given up on at the deadline, not waited on forever', async () => {
  const f = fifo('junit.xml');
  const rd = openSync(f, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    // More than a pipe holds: the rest waits for a reader that never reads.
    await expect(writeOutputFile(f, 'x'.repeat(1 << 20), 200)).rejects.toThrow(
      /whose reader took nothing for 0s/,
    );
  } finally {
    closeSync(rd);
  }
});

test('a link to a regular file stays a link, its target rewritten; a link to nothing or a folder is refused', async () => {
  const target = join(dir, 'target.xml');
  writeFileSync(target, 'old');
  symlinkSync(target, join(dir, 'link.xml'));
  await writeOutputFile(join(dir, 'link.xml'), 'new');
  expect(readlinkSync(join(dir, 'link.xml'))).toBe(target);
  expect(readFileSync(target, 'utf8')).toBe('new');
  await appendOutputFile(join(dir, 'link.xml'), (size) => `+${size}`);
  expect(readFileSync(target, 'utf8')).toBe('new+3');
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
  await expect(writeOutputFile(join(dir, 'dangling'), 'x')).rejects.toThrow(/link to nothing/);
  symlinkSync(dir, join(dir, 'folder-link'));
  await expect(writeOutputFile(join(dir, 'folder-link'), 'x')).rejects.toThrow(/link to a folder/);
  await expect(writeOutputFile(dir, 'x')).rejects.toThrow(/is a folder/);
});

test('a regular file (or none) is written whole; appending is told the size there', async () => {
  const f = join(dir, 'sub', 'r.xml');
  await writeOutputFile(f, 'a');
  await appendOutputFile(f, (size) => `b${size}`);
  expect(readFileSync(f, 'utf8')).toBe('ab1');
});

test('/dev/stdout goes through wo’s own stream, never opened or replaced', async () => {
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((_d: unknown, cb?: () => void) => {
    cb?.();
    return true;
  }) as typeof process.stdout.write);
  try {
    await writeOutputFile('/dev/stdout', '<xml/>');
    expect(spy).toHaveBeenCalledWith('<xml/>', expect.any(Function));
  } finally {
    spy.mockRestore();
  }
});
