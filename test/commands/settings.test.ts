import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, type Fixture } from './setup.js';

describe('the imperative commands read the config file', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  test('worktrees.dir and defaults.agent from .worc.yaml shape a spawn', async () => {
    writeFileSync(
      join(f.repo.root, '.worc.yaml'),
      'worktrees:\n  dir: ../agents\ndefaults:\n  agent: shell\n',
    );
    const r = await f.wo('spawn', 'cfg', 'echo configured', '--create');
    expect(r.code).toBe(0);
    expect(existsSync(join(f.repo.base, 'agents', 'cfg', '.worker-status'))).toBe(true);
    expect(existsSync(f.wt('cfg'))).toBe(false);
  });

  test('a broken config fails loudly, naming the file', async () => {
    writeFileSync(join(f.repo.root, '.worc.yaml'), 'worktrees:\n  dri: ../agents\n');
    const r = await f.wo('status');
    expect(r.code).toBe(2);
    expect(r.err).toContain('.worc.yaml:2:3');
    expect(r.err).toContain('did you mean "dir"');
  });
});
