// ifExists and isAbsent (src/fsutil.ts): absence becomes undefined, every other error stays an error.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ifExists, isAbsent } from '../src/fsutil.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wo-fsutil-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ifExists', () => {
  test('passes the result through when the path is there', async () => {
    writeFileSync(join(dir, 'f'), 'text');
    await expect(ifExists(readFile(join(dir, 'f'), 'utf8'))).resolves.toBe('text');
  });

  test('a missing path, or a file where a folder should be, is undefined', async () => {
    writeFileSync(join(dir, 'f'), 'text');
    await expect(ifExists(lstat(join(dir, 'none')))).resolves.toBeUndefined(); // ENOENT
    await expect(ifExists(lstat(join(dir, 'f', 'inside')))).resolves.toBeUndefined(); // ENOTDIR
  });

  test('any other error is rethrown: a link loop is a fault, not an absence', async () => {
    symlinkSync('loop', join(dir, 'loop'));
    await expect(ifExists(lstat(join(dir, 'loop', 'x')))).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(ifExists(readFile(dir, 'utf8'))).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(ifExists(Promise.reject(new Error('not a file-system error')))).rejects.toThrow(
      'not a file-system error',
    );
  });
});

test('isAbsent: ENOENT and ENOTDIR only', () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  expect([err('ENOENT'), err('ENOTDIR')].map(isAbsent)).toEqual([true, true]);
  expect([err('EACCES'), err('ELOOP'), new Error('x'), undefined, 'ENOENT'].map(isAbsent)).toEqual([
    false,
    false,
    false,
    false,
    false,
  ]);
});
