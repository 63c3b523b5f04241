import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookSettings } from '../../src/agents/claude.js';
import { claude } from '../../src/agents/claude.js';
import { waitFor } from '../helpers.js';
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

describe('wo spawn and wo run resolve a config agent alike (SPEC §3)', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  /**
   * A stand-in `claude` on PATH: answers preflight's version and login questions as the proven
   * program does, and otherwise records its argv (NUL-separated) and says done.
   */
  function fakeClaude(): void {
    const bin = join(f.repo.home, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'claude'),
      [
        '#!/bin/sh',
        `case "$1" in --version) echo "${claude.install!.proven} (Claude Code)"; exit 0 ;; auth) echo '{"loggedIn": true}'; exit 0 ;; esac`,
        `printf '%s\\0' "$@" > "$WO_WORKTREE/argv.bin"`,
        'echo done > "$WO_STATUS_FILE"',
      ].join('\n'),
      { mode: 0o755 },
    );
    f.ctx.env.PATH = `${bin}:${f.ctx.env.PATH ?? ''}`;
    // Claude Code trusts the checkout (preflight refuses one it does not).
    writeFileSync(
      join(f.repo.home, '.claude.json'),
      JSON.stringify({ projects: { [f.repo.root]: { hasTrustDialogAccepted: true } } }),
    );
    writeFileSync(
      join(f.repo.root, '.worc.yaml'),
      'agents:\n  mine:\n    command: [claude, "{prompt}"]\n    adapter: claude\n',
    );
  }

  /** The argv the fake claude was started with in a worker's worktree. */
  async function argvOf(feature: string): Promise<string[]> {
    const file = join(f.wt(feature), 'argv.bin');
    await waitFor(() => f.status(feature) === 'done', `${feature} to be done`, 10000);
    return readFileSync(file, 'utf8').split('\0').slice(0, -1);
  }

  test("a config agent with adapter: claude gets wo's hooks (--settings) under wo spawn as under wo run", async () => {
    fakeClaude();
    writeFileSync(
      join(f.repo.root, 'plan.yaml'),
      'version: 1\nworkers:\n  - feature: ran\n    agent: mine\n    task: say hi\n',
    );
    const run = await f.wo('run', 'plan.yaml');
    expect(run.err).not.toContain('error');
    const spawn = await f.wo('spawn', 'spawned', 'say hi', '--agent', 'mine', '--create');
    expect(spawn.code).toBe(0);
    for (const feature of ['ran', 'spawned']) {
      const argv = await argvOf(feature);
      const at = argv.indexOf('--settings');
      expect({ feature, hooks: at > 0 && argv[at + 1] === hookSettings() }).toEqual({ feature, hooks: true });
    }
  });
});
