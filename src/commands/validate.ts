// wo validate [plan]: check a plan and its configuration; print ok and the worker count, or every problem.
import { isAbsolute, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';

/** Prints `ok: N workers in PLAN` and returns 0; throws the PlanError (exit 2) listing every problem. */
export async function validateCommand(ctx: Context, plan = 'workers.yaml'): Promise<number> {
  const { loadPlan } = await import('../plan/index.js');
  const resolved = await loadPlan(plan, { cwd: ctx.cwd, env: ctx.env });
  const shown = isAbsolute(plan) ? plan : relative(ctx.cwd, resolve(ctx.cwd, plan)) || plan;
  const n = resolved.workers.length;
  ctx.io.out(`ok: ${n} ${n === 1 ? 'worker' : 'workers'} in ${shown}\n`);
  return ExitCode.ok;
}
