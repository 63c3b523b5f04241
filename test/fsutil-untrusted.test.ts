// Reading what a worker can reach (src/fsutil.ts, SPEC §9): regular files only, no link followed
// out, bounded reads, growing files followed from where the last read ended. On the main this was
// written against, none of readUntrusted, TailFollower or the refusal notes existed: the agent files
// were read with readFile, which waits on a FIFO, reads /dev/zero until memory runs out and reads a
// 120 MB event stream whole on every look.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openRegular,
  readUntrusted,
  readUntrustedText,
  takeRefusedNotes,
  TailFollower,
  wholeLines,
} from '../src/fsutil.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wo-untrusted-'));
  takeRefusedNotes();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fifo = (path: string) => execFileSync('mkfifo', [path]);

describe('readUntrusted', () => {
  test('a regular file is read; a missing one is undefined, with no note', async () => {
    writeFileSync(join(dir, 'f'), 'done\n');
    await expect(readUntrustedText(join(dir, 'f'), 100)).resolves.toBe('done\n');
    await expect(readUntrustedText(join(dir, 'none'), 100)).resolves.toBeUndefined();
    expect(takeRefusedNotes()).toEqual([]);
  });

  test('a FIFO, a folder, a device and a link are refused with a note, without waiting', async () => {
    fifo(join(dir, 'fifo'));
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'target'), 'secret');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    for (const p of ['fifo', 'folder', 'link'])
      await expect(readUntrustedText(join(dir, p), 100)).resolves.toBeUndefined();
    await expect(readUntrustedText('/dev/zero', 100)).resolves.toBeUndefined();
    expect(takeRefusedNotes()).toEqual([
      `ignored ${join(dir, 'fifo')}: a FIFO, not a regular file`,
      `ignored ${join(dir, 'folder')}: a folder, not a regular file`,
      `ignored ${join(dir, 'link')}: a link, not followed`,
      'ignored /dev/zero: a device or other special file, not a regular file',
    ]);
    expect(takeRefusedNotes()).toEqual([]); // taken once
  });

  test('with `within`, a link is followed only into those folders', async () => {
    const own = join(dir, 'own');
    mkdirSync(own);
    writeFileSync(join(own, 't.jsonl'), 'mine\n');
    writeFileSync(join(dir, 'elsewhere'), 'secret\n');
    symlinkSync(join(own, 't.jsonl'), join(dir, 'in'));
    symlinkSync(join(dir, 'elsewhere'), join(own, 'out'));
    await expect(readUntrustedText(join(own, 't.jsonl'), 100)).resolves.toBe('mine\n');
    await expect(readUntrusted(join(dir, 'in'), { max: 100, within: [own] })).resolves.toMatchObject({
      text: 'mine\n',
    });
    await expect(readUntrusted(join(own, 'out'), { max: 100, within: [own] })).resolves.toBeUndefined();
    await expect(readUntrusted(join(dir, 'elsewhere'), { max: 100, within: [own] })).resolves.toBeUndefined();
    await expect(readUntrusted('/dev/zero', { max: 100, within: ['/dev'] })).resolves.toBeUndefined();
    expect(takeRefusedNotes()).toEqual([
      `ignored ${join(own, 'out')}: outside ${own}, not read`,
      `ignored ${join(dir, 'elsewhere')}: outside ${own}, not read`,
      'ignored /dev/zero: a device or other special file, not a regular file',
    ]);
  });

  test('a huge file is read only up to the bound: its head, or its tail from a whole line', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, 'first line\n');
    truncateSync(big, 200 * 1024 * 1024); // sparse: 200 MB that take no disk
    appendFileSync(big, '\n{"type":"result"}\n');
    const head = await readUntrusted(big, { max: 4096 });
    expect(head).toMatchObject({ fromStart: true, cut: true });
    expect(head!.text).toHaveLength(4096);
    expect(head!.text.startsWith('first line\n')).toBe(true);
    const tail = await readUntrusted(big, { max: 64, end: 'tail' });
    expect(tail).toMatchObject({ fromStart: false, cut: true });
    expect(Buffer.byteLength(tail!.text)).toBe(64);
    expect(wholeLines(tail!)).toBe('{"type":"result"}\n');
  });
});

test('openRegular with noFollow refuses a link in the file’s place (wo logs)', async () => {
  writeFileSync(join(dir, 'target'), 'secret');
  symlinkSync(join(dir, 'target'), join(dir, 'link'));
  await expect(openRegular(join(dir, 'link'), { noFollow: true })).rejects.toMatchObject({ code: 'ELOOP' });
  const fh = await openRegular(join(dir, 'link'));
  await fh.close();
});

describe('TailFollower', () => {
  test('a 120 MB stream is never read whole: each read costs the bytes added since the last', async () => {
    const events = join(dir, 'events.jsonl');
    writeFileSync(events, '');
    truncateSync(events, 120 * 1024 * 1024);
    appendFileSync(events, '\n{"n":1}\n');
    const f = new TailFollower(1024);
    const first = await f.read(events);
    expect(first!.fromStart).toBe(false);
    expect(wholeLines(first!)).toBe('{"n":1}\n');
    expect(f.bytesRead).toBe(1024 + 64); // its tail, and its first bytes (to know it again)
    const line = '{"n":2}\n';
    appendFileSync(events, line);
    const second = await f.read(events);
    expect(wholeLines(second!).endsWith('{"n":1}\n{"n":2}\n')).toBe(true);
    expect(Buffer.byteLength(second!.text)).toBe(1024); // what is kept stays within the bound
    // The new line, and the few bytes at the start and before it that show it was appended to.
    expect(f.bytesRead).toBe(1024 + 64 + line.length + 128);
    await f.read(events); // nothing new: only the check
    expect(f.bytesRead).toBe(1024 + 64 + line.length + 256);
  });

  test('a small stream is kept whole as it grows', async () => {
    const p = join(dir, 'hooks.jsonl');
    writeFileSync(p, 'a\n');
    const f = new TailFollower(1024);
    expect(await f.read(p)).toMatchObject({ text: 'a\n', fromStart: true });
    appendFileSync(p, 'b\n');
    expect(await f.read(p)).toMatchObject({ text: 'a\nb\n', fromStart: true });
  });

  test('a retry’s stream written over the last one, alike at the end but not at the start, is read afresh', async () => {
    const p = join(dir, 'events.jsonl');
    const f = new TailFollower(1024);
    const tail = `${'{"type":"item.started"}\n'.repeat(5)}`;
    writeFileSync(p, `{"thread":"first"}\n${tail}`);
    await f.read(p);
    writeFileSync(p, `{"thread":"again"}\n${tail}{"type":"turn.completed"}\n`);
    expect((await f.read(p))!.text).toBe(`{"thread":"again"}\n${tail}{"type":"turn.completed"}\n`);
  });

  test('a file rewritten, truncated or replaced is read afresh', async () => {
    const p = join(dir, 'events.jsonl');
    const f = new TailFollower(1024);
    writeFileSync(p, 'one\ntwo\n');
    await f.read(p);
    writeFileSync(p, 'ONE\nTWO\nthree\n'); // rewritten in place, longer
    expect((await f.read(p))!.text).toBe('ONE\nTWO\nthree\n');
    writeFileSync(p, 'x\n'); // truncated
    expect((await f.read(p))!.text).toBe('x\n');
    rmSync(p);
    writeFileSync(p, 'x\ny\n'); // a new file of the same name
    expect((await f.read(p))!.text).toBe('x\ny\n');
  });

  test('a FIFO in a followed file’s place is refused, and the file then read afresh', async () => {
    const p = join(dir, 'hooks.jsonl');
    const f = new TailFollower(1024);
    writeFileSync(p, 'a\n');
    await f.read(p);
    rmSync(p);
    fifo(p);
    await expect(f.read(p)).resolves.toBeUndefined();
    expect(takeRefusedNotes()).toEqual([`ignored ${p}: a FIFO, not a regular file`]);
    rmSync(p);
    writeFileSync(p, 'z\n');
    expect((await f.read(p))!.text).toBe('z\n');
  });
});
