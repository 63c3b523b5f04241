// `wo report merge DIR...`: join the report folders of a run's shards into one report (SPEC §8), write it
// like a run's (.wo/runs/{run_id}/ or --report DIR), update the timings file, print its path.
import { relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { openWorkspace } from '../workspace.js';

export interface ReportMergeOptions {
  report?: string;
  junit?: string;
  timings?: string;
}

export async function reportMergeCommand(
  ctx: Context,
  dirs: string[],
  opts: ReportMergeOptions,
): Promise<number> {
  const { findReportDirs, mergeReports, readReportDir } = await import('../report/merge.js');
  const report = await import('../report/index.js');
  const { writeRunOutputs } = await import('../report/outputs.js');
  const { timingsPath } = await import('../report/timings.js');
  const found = await findReportDirs(dirs.map((d) => resolve(ctx.cwd, d)));
  const shards = await Promise.all(found.map(readReportDir));
  const { report: merged, warnings } = mergeReports(shards, report.newRunId(new Date()));
  for (const w of warnings) ctx.io.err(`wo: ${w}\n`);
  // Written into the repository around cwd, like a run's report; a plan's report.dir does not apply.
  const ws = await openWorkspace(ctx);
  const written = await report.writeReport(merged, {
    repoRoot: ws.repoRoot,
    dir: opts.report ? resolve(ctx.cwd, opts.report) : undefined,
  });
  await writeRunOutputs({
    report: merged,
    markdownPath: written.markdown,
    junit: opts.junit ? resolve(ctx.cwd, opts.junit) : undefined,
    timings: timingsPath(ws.repoRoot, ctx.cwd, opts.timings),
    env: ctx.env,
    annotate: false,
    write: (t) => ctx.io.out(t),
    warn: (t) => ctx.io.err(t),
  });
  ctx.io.err(
    `${report.summaryLine(merged)} (${shards.length} report${shards.length === 1 ? '' : 's'} merged)\n`,
  );
  ctx.io.out(`${relative(ctx.cwd, written.markdown) || written.markdown}\n`);
  const allDone = merged.workers.every((w) => w.outcome === 'done');
  return allDone && warnings.length === 0 ? ExitCode.ok : ExitCode.notAllDone;
}
