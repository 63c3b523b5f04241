// The one path-safety rule (src/paths.ts) that plan validation, copy and link, and the layout share.
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInside, overlaps, relativeInside, repoPathProblem } from '../src/paths.js';

describe('relativeInside', () => {
  test.each([
    ['/r', '/r', ''],
    ['/r', '/r/a/b', 'a/b'],
    ['/r', '/r/..env', '..env'],
    ['/r', '/r/a/../..', undefined],
    ['/r', '/other', undefined],
    ['/r', '/r2', undefined],
  ])('%s -> %s', (from, to, rel) => expect(relativeInside(from, to)).toBe(rel));
});

describe('repoPathProblem', () => {
  test.each([
    ['node_modules', undefined],
    ['./config/local', undefined],
    ['..env', undefined],
    ['.github', undefined],
    ['', 'outside'],
    ['/etc/hosts', 'outside'],
    ['C:\\x', 'outside'],
    ['../secrets.env', 'outside'],
    ['src/../..', 'outside'],
    ['src\\..\\x', 'outside'],
    ['.', 'whole'],
    ['./', 'whole'],
    ['.git', 'git'],
    ['.git/hooks', 'git'],
  ])('%j is %s', (p, problem) => expect(repoPathProblem(p)).toBe(problem));
});

describe('overlaps', () => {
  test.each([
    ['a', 'a', true],
    ['./a/', 'a', true],
    ['a/b', 'a', true],
    ['a', 'a/b', true],
    ['ab', 'a', false],
    ['a/b', 'a/c', false],
  ])('%s ~ %s', (a, b, yes) => expect(overlaps(a, b)).toBe(yes));
});

describe('isInside', () => {
  test('follows symbolic links where the path exists, and takes the rest as written', () => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'wo-paths-')));
    mkdirSync(join(base, 'repo'));
    mkdirSync(join(base, 'out'));
    symlinkSync(join(base, 'repo'), join(base, 'link'));
    expect(isInside(join(base, 'link', 'not-yet'), join(base, 'repo'))).toBe(true);
    expect(isInside(join(base, 'out', 'x'), join(base, 'repo'))).toBe(false);
    expect(isInside(join(base, 'repo'), join(base, 'repo'))).toBe(true);
  });
});
