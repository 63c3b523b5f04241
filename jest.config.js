/**
 * Jest runs the TypeScript sources directly through @swc/jest, emitting ESM.
 *
 * Two tiers, as jest projects:
 * - unit: the rules, with fakes (a fake runner, clock, tmux or folder watch). Temporary files and
 *   `sh` are fine; real tmux, git, agent programs and wo's built files are not. `npm run test:unit`
 *   runs this tier alone, in seconds. A new test file is in this tier unless it is listed below.
 * - integration: the wiring, with real git in a temporary repository, real tmux on a socket of its
 *   own, and the built `wo`. List a test file (or a folder, ending in `/`) here when it needs them;
 *   in the unit tier, the helpers that make a real repository or tmux server refuse to run.
 */
const INTEGRATION = [
  'test/run/', // wo run end to end
  'test/commands/clean.test.ts',
  'test/commands/command-lines.test.ts',
  'test/commands/doctor-attach.test.ts',
  'test/commands/init.test.ts', // wo init in a real repository
  'test/commands/inspect-commands.test.ts',
  'test/commands/kill.test.ts',
  'test/commands/settings.test.ts',
  'test/commands/spawn.test.ts',
  'test/commands/status.test.ts',
  'test/git/repo-root.test.ts',
  'test/git/worktree-create.test.ts', // creation, sparse and concurrency on real git
  'test/tmux/tmux.test.ts',
  'test/worker/driver.test.ts',
  'test/worker/last-screen.test.ts',
  'test/worktree/reflink.test.ts', // mounts an XFS image (root); skipped, saying why, where it cannot
  'test/lock-race.test.ts', // two processes running the built lock module
  // The real agent programs (scripts/install-agents.sh) against a scripted model server:
  'test/agents/claude.test.ts',
  'test/agents/claude-print.test.ts',
  'test/agents/budget.test.ts',
  'test/agents/codex.test.ts',
  'test/agents/rate-limit.test.ts',
  'test/agents/self-retry.test.ts', // a limit claude-print retries by itself holds its agent
  'test/agents/preflight.test.ts',
  'test/agents/tries.test.ts', // best of 2 across claude-print and codex
  'test/hardening/', // SPEC §9 cases on real git and tmux
  'test/report/html-browser.test.ts', // report.html in Debian's Chromium, headless
  'test/report/report-html-run.test.ts', // report.html from real runs, merge and --open
  'test/integrate/integrate.test.ts', // SPEC §10 on real git (tmux for the agent resolution)
];

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
      },
    ],
  },
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export default {
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION.map((p) => `<rootDir>/${escape(p)}`)],
      // Read by test/helpers.ts, which then refuses to start real git or tmux.
      globals: { WO_TEST_TIER: 'unit' },
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: INTEGRATION.map((p) => `<rootDir>/${p}${p.endsWith('/') ? '**/*.test.ts' : ''}`),
    },
  ],
};
