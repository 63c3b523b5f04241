// SPEC §9: every error is one clear message with the fix, never a stack trace: here, a .wo/ that
// cannot be written (a file in its place stands in for a read-only or full disk, which root ignores).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemProblem } from '../../src/errors.js';
import { fixture, type Fixture } from '../commands/setup.js';

describe('file-system errors are messages', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  test('a .wo that cannot hold wo state: run and spawn end with one message (exit 3)', async () => {
    writeFileSync(join(f.repo.root, '.wo'), 'not a folder\n');
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      'version: 1\nworkers:\n  - feature: a\n    task: "true"\n    agent: shell\n',
    );
    for (const argv of [['run'], ['spawn', 'b', 'true', '--agent', 'shell', '--create']]) {
      const r = await f.wo(...argv);
      expect(r.err).not.toContain('unexpected error');
      expect(r.err).toContain('.wo');
      expect(r.code).toBe(3);
    }
  });

  test('a report that cannot be written goes to stderr, and the exit code still says how the workers ended', async () => {
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      'version: 1\nworkers:\n  - feature: a\n    task: "true"\n    agent: shell\n',
    );
    const r = await f.wo('run', '--report', 'README.md/report'); // a file where the folder belongs
    expect(r.err).toContain('could not write the report');
    expect(r.err).toContain('README.md');
    expect(r.err).toMatch(/\| a +\| done/);
    expect(r.code).toBe(0);
  });

  test.each([
    ['ENOSPC', 'write', 'the disk is full'],
    ['EROFS', 'open', 'read-only'],
    ['EACCES', 'mkdir', 'permission denied'],
  ])('%s is said plainly, naming the path', (code, syscall, words) => {
    const e = Object.assign(new Error(`${code}: boom`), { code, syscall, path: '/repo/.wo/run.lock' });
    expect(fileSystemProblem(e)).toContain(words);
    expect(fileSystemProblem(e)).toContain('/repo/.wo/run.lock');
  });
});
