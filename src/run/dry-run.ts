// The dry-run stage: with --dry-run, what the run would create and start, and nothing is created.
import { relative } from 'node:path';
import { ExitCode } from '../errors.js';
import { adapterOf, modelArgs } from '../agents/index.js';
import { shellQuote } from '../process/run.js';
import type { ResolvedPlan, WorkerSpec } from '../plan/types.js';
import type { Workspace } from '../workspace.js';
import { placeholderValues, substitute } from '../session/launch.js';
import type { WorkerLocation } from '../worktree/layout.js';
import { protocolPaths } from '../protocol/protocol.js';
import type { Stage } from './types.js';

export const dryRun: Stage = {
  name: 'dry-run',
  async run(r) {
    if (!r.opts.dryRun) return;
    const existing = new Set((await r.ws.git.worktrees(r.ws.repoRoot)).map((w) => w.path));
    const { addedArgs } = await import('./dry-run-additions.js');
    const added = await addedArgs(r.plan, r.ws, r.selected);
    r.result = {
      code: ExitCode.ok,
      dryRun: dryRunText(r.plan, r.ws, r.selected, r.ctx.cwd, existing, added),
    };
  },
};

/**
 * The agent's argv with the placeholders filled in, quoted as a shell would need it (wo itself passes
 * the arguments to the agent directly). `{prompt}`, the task plus the protocol, is shown by name.
 */
function describeCommand(plan: ResolvedPlan, w: WorkerSpec, loc: WorkerLocation): string {
  const values = placeholderValues(
    { ...loc, task: w.task, feature: w.feature, ...(w.model !== undefined && { model: w.model }) },
    '{prompt}',
  );
  const def = plan.agents[w.agent] ?? { command: [] };
  return [
    ...def.command.map((a) => (a === '{prompt}' ? a : shellQuote(substitute(a, values)))),
    ...modelArgs(adapterOf(w.agent, def), def, w.model).map(shellQuote),
  ].join(' ');
}

/** Each selected worker: where it would run, on what, with what. */
export function dryRunText(
  plan: ResolvedPlan,
  ws: Workspace,
  selected: WorkerSpec[],
  cwd: string,
  existing: Set<string>,
  /** What wo adds to each worker's agent command (dry-run-additions.ts), by feature. */
  added: ReadonlyMap<string, string> = new Map(),
): string {
  // A best-of worker is one worker of the plan, run as its tries (SPEC §11).
  const count = new Set(selected.map((w) => w.tryOf ?? w.feature)).size;
  const tries = selected.filter((w) => w.try !== undefined).length;
  const lines = [
    `Dry run: ${count} of ${plan.workers.length} workers${tries ? ` (${tries} tries among them)` : ''}, concurrency ${plan.concurrency}. Nothing is created.`,
    '',
  ];
  for (const w of selected) {
    const loc = ws.locate(w.feature);
    lines.push(`${w.feature}`);
    const have = existing.has(loc.worktree);
    lines.push(`  worktree  ${relative(cwd, loc.worktree) || '.'} (${have ? 'exists: adopted' : 'new'})`);
    lines.push(`  branch    ${loc.branch} (from ${w.base ?? 'HEAD'} when new)`);
    lines.push(`  session   ${loc.session}`);
    if (w.tryOf !== undefined) lines.push(`  try       ${tryLine(plan, w)}`);
    lines.push(`  agent     ${w.agent}`);
    if (w.model !== undefined) lines.push(`  model     ${w.model}`);
    lines.push(`  command   ${describeCommand(plan, w, loc)}`);
    if (added.has(w.feature)) lines.push(`  wo adds   ${added.get(w.feature)}`);
    if (plan.agents[w.agent]?.command.some((a) => a.includes('{prompt}'))) {
      const prompt = relative(cwd, protocolPaths(loc.worktree).prompt);
      lines.push(`  {prompt}  the task, then the completion protocol (written to ${prompt})`);
    }
    if (w.needs.length) lines.push(`  needs     ${w.needs.join(', ')}`);
    if (w.copy.length) lines.push(`  copy      ${w.copy.join(', ')}`);
    if (w.link.length) lines.push(`  link      ${w.link.join(', ')}`);
    if (w.sparse.length)
      lines.push(
        `  sparse    ${w.sparse.join(', ')} and the top-level files (${have ? 'not applied: the worktree exists' : 'cone mode'})`,
      );
    if (w.setup.length) lines.push(`  setup     ${w.setup.join(' && ')}`);
    // Names only: values may be secrets.
    const envNames = Object.keys({ ...(plan.agents[w.agent]?.env ?? {}), ...w.env });
    if (envNames.length) lines.push(`  env       ${envNames.join(', ')}`);
    if (w.verify) lines.push(`  verify    ${w.verify}`);
    if (w.timeoutMs) lines.push(`  timeout   ${Math.round(w.timeoutMs / 1000)}s`);
    if (w.retries) lines.push(`  retries   ${w.retries}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

/** `2 of 3 of parser: judged by `node score.js`, until: first; the winner moves wo/parser`. */
function tryLine(plan: ResolvedPlan, w: WorkerSpec): string {
  const whole = plan.workers.find((x) => x.feature === w.tryOf);
  const judged = whole?.judge ? `judged by \`${whole.judge}\`` : 'judged by fewest changed lines';
  return `${w.try} of ${w.tries} of ${w.tryOf}: ${judged}${whole?.until ? ', until: first' : ''}`;
}
