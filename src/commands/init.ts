// `wo init`: a commented starter workers.yaml (and with `--ci github|gitlab|buildkite|kubernetes` a pipeline
// that runs it as parallel shards and merges their reports: src/commands/init-ci.ts). Never overwrites: an
// existing file is a usage error and nothing is written; next to an existing plan, --ci writes only the pipeline.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { CLAUDE_INSTALL } from '../agents/claude.js';
import { CI_FILES, CI_NAMES, PACKAGE, type CiName } from './init-ci.js';
import { AGENTS } from '../agents/index.js';

export { PACKAGE };

export interface InitOptions {
  ci?: string;
}

/** Where the schema is for the modeline: the local install when there is one, else the published file. */
export function schemaLocation(root: string, version: string): string {
  const local = join('node_modules', PACKAGE, 'schemas', 'workers.schema.json');
  if (existsSync(join(root, local))) return `./${local}`;
  // unpkg serves every published file of a package version, so the modeline works with a global
  // install, npx, or no install at all.
  return `https://unpkg.com/${PACKAGE}@${version}/schemas/workers.schema.json`;
}

/** The starter plan: valid as written (a test checks it), every line explained. */
export function starterPlan(schema: string, version: string, ci = false): string {
  // In CI nobody attaches to a session, so the starter picks Claude Code's headless preset there.
  const agent = ci
    ? 'claude-print       # headless Claude Code, for CI; claude (interactive), codex, aider, shell, or agents:'
    : 'claude             # claude-print (headless), codex, aider, shell, or a name under agents:';
  return `# yaml-language-server: $schema=${schema}
# A wo plan: each worker is one coding agent in its own git worktree and tmux session.
# Every key: https://unpkg.com/${PACKAGE}@${version}/docs/plan.md
# Check it with \`wo validate\`, see what would happen with \`wo run --dry-run\`, run it with \`wo run\`.
version: 1
concurrency: 2              # workers running at once (default 4)
defaults:
  agent: ${agent}
  timeout: 30m              # a worker still running after this is stopped and failed
  # setup: [npm ci]         # commands run in a new worktree before its agent starts
  # verify: npm test        # run after the agent says done; a failure turns done into failed
# remote: origin            # where \`wo run --push\` and \`--pr\` push the workers' branches
workers:
  - feature: readme         # names the branch wo/readme, the worktree and the session wt-readme
    task: Proofread README.md and fix spelling and grammar. Commit your changes.
  - feature: tests
    task: Find one function without a unit test and add a test for it. Commit your changes.
  - feature: review
    task: Review the commits on this branch (from wo/tests) and write what you found to your result.
    needs: [tests]          # starts only after tests finished done
    base: wo/tests          # and starts from its branch
`;
}

/** The GitHub Actions workflow: a matrix of shards, each uploading its report and logs, then one merge job. */
export function githubWorkflow(version: string, shards = 3): string {
  // Claude Code at the version the claude-print preset is proven with (wo run warns outside it).
  const claude = `${CLAUDE_INSTALL.npm}@${CLAUDE_INSTALL.proven}`;
  const list = Array.from({ length: shards }, (_, i) => i + 1).join(', ');
  // A rehearsal runs every agent that rehearses, at the version each is proven with (SPEC §12).
  const rehearsing = AGENTS.flatMap((a) =>
    'rehearse' in a && a.install?.npm && a.install.proven ? [`${a.install.npm}@${a.install.proven}`] : [],
  );
  return `# Runs workers.yaml with wo (${PACKAGE}) as a matrix of ${shards} shards, one machine each, then merges
# their reports into one: in the job summary, as an artifact, and as JUnit XML. Written by \`wo init --ci github\`.
# Each done worker's branch is pushed and gets a draft pull request (--pr); nothing is ever merged.
# To change the number of shards, change WO_SHARDS and the matrix together.
# A pull request that changes the plan is rehearsed instead (wo run --rehearse): the real agents
# against a scripted model, for $0, with no key; nothing is pushed.
name: wo

on:
  workflow_dispatch:
  pull_request:
    paths: [workers.yaml]

permissions:
  contents: write        # --push: push the workers' branches
  pull-requests: write   # --pr: open draft pull requests

env:
  WO_SHARDS: ${shards}

jobs:
  rehearse:
    name: wo rehearsal
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Install wo, tmux and the agents
        run: |
          sudo apt-get update && sudo apt-get install -y tmux
          npm install -g ${PACKAGE}@${version} ${rehearsing.join(' ')}
      - name: Rehearse the plan
        run: |
          git config --global user.name "wo"
          git config --global user.email "wo@users.noreply.github.com"
          wo run workers.yaml --rehearse --report wo-rehearsal --junit wo-rehearsal/junit.xml
      - name: Upload the rehearsal's report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: wo-rehearsal
          path: wo-rehearsal/

  shard:
    name: wo shard \${{ matrix.shard }}
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    timeout-minutes: 120
    strategy:
      fail-fast: false   # every shard runs to its end and reports
      matrix:
        shard: [${list}]
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0   # the workers branch from this history, and --push needs it
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Install wo, tmux and the agent
        run: |
          sudo apt-get update && sudo apt-get install -y tmux
          npm install -g ${PACKAGE}@${version} ${claude}
      - name: Restore the durations of earlier runs (shards are balanced by them)
        uses: actions/cache/restore@v4
        with:
          path: .wo/timings.json
          key: wo-timings-\${{ github.run_id }}
          restore-keys: wo-timings-
      - name: Run this shard
        run: |
          git config --global user.name "wo"
          git config --global user.email "wo@users.noreply.github.com"
          wo run workers.yaml --shard \${{ matrix.shard }}/$WO_SHARDS --report wo-report --junit wo-report/junit.xml --pr
        env:
          GH_TOKEN: \${{ github.token }}
          ANTHROPIC_API_KEY: \${{ secrets.ANTHROPIC_API_KEY }}
      - name: Collect the workers' logs
        if: always()
        run: |
          mkdir -p wo-report/logs
          for log in ../*-worktrees/*/.worker.log; do
            if [ -f "$log" ]; then cp "$log" "wo-report/logs/$(basename "$(dirname "$log")").log"; fi
          done
      - name: Upload this shard's report and logs
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: wo-report-\${{ matrix.shard }}
          path: wo-report/

  report:
    name: wo report
    needs: shard
    if: always() && github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: npm install -g ${PACKAGE}@${version}
      - name: Download the shards' reports
        uses: actions/download-artifact@v4
        with:
          pattern: wo-report-*
          path: shards
      - name: Merge them into one report (and the job summary)
        run: wo report merge shards --report wo-merged --junit wo-merged/junit.xml
      - name: Keep the durations for the next run's shards
        if: always()
        uses: actions/cache/save@v4
        with:
          path: .wo/timings.json
          key: wo-timings-\${{ github.run_id }}
      - name: Upload the merged report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: wo-report
          path: wo-merged/
`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export async function initCommand(ctx: Context, opts: InitOptions): Promise<number> {
  const ci = opts.ci as CiName | undefined;
  if (ci !== undefined && !CI_NAMES.includes(ci))
    throw new UsageError(
      `--ci "${opts.ci}" is not a CI wo writes a pipeline for: the choices are ${CI_NAMES.map((c) => `--ci ${c}`).join(', ')}`,
    );
  const v = version();
  const plan = join(ctx.cwd, 'workers.yaml');
  const files: Array<{ path: string; text: string }> = [];
  // Next to an existing plan, --ci adds only the pipeline (SPEC §4).
  if (!(ci && existsSync(plan)))
    files.push({ path: plan, text: starterPlan(schemaLocation(ctx.cwd, v), v, ci !== undefined) });
  if (ci) {
    const { openWorkspace } = await import('../workspace.js');
    const root = (await openWorkspace(ctx)).repoRoot; // a pipeline belongs at the repository's root
    const templates = await import('./init-ci.js');
    // Claude Code at the version the claude-print preset is proven with (wo run warns outside it).
    const agentPackage = `${CLAUDE_INSTALL.npm}@${CLAUDE_INSTALL.proven}`;
    const render: Record<CiName, () => string> = {
      github: () => githubWorkflow(v),
      gitlab: () => templates.gitlabPipeline({ version: v, agentPackage }),
      buildkite: () => templates.buildkitePipeline({ version: v, agentPackage }),
      kubernetes: () => templates.kubernetesManifest({ version: v, agentPackage }),
    };
    files.push({ path: join(root, CI_FILES[ci]), text: render[ci]() });
  }
  const show = (p: string) => relative(ctx.cwd, p) || p;
  const existing = files.filter((f) => existsSync(f.path)).map((f) => show(f.path));
  if (existing.length)
    throw new UsageError(
      `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}: wo init never overwrites. Edit ${existing.length === 1 ? 'it' : 'them'}, or move ${existing.length === 1 ? 'it' : 'them'} away and run wo init again.`,
    );
  for (const f of files) {
    await mkdir(dirname(f.path), { recursive: true });
    // 'wx': a file that appeared since the check above is still not overwritten.
    await writeFile(f.path, f.text, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
      throw new UsageError(
        `${show(f.path)} appeared meanwhile: wo init never overwrites. Run wo init again.`,
      );
    });
    ctx.io.out(`wrote ${show(f.path)}\n`);
  }
  ctx.io.out(`Next: edit the workers, then \`wo validate\` and \`wo run\`.\n`);
  return ExitCode.ok;
}
