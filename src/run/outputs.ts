// The outputs stage: report.md and report.json written, then the JUnit file, the timings and under
// GitHub Actions the step summary and the annotations. A report that cannot be written where it
// should (a full disk, a read-only folder) goes to the person whole, and the exit code still says
// how the workers ended (SPEC §9).
import { resolve } from 'node:path';
import { fileSystemProblem } from '../errors.js';
import { renderMarkdown } from '../report/markdown.js';
import { writeReport } from '../report/write.js';
import { lastLines, readTail } from '../protocol/lastline.js';
import { protocolPaths } from '../protocol/protocol.js';
import type { Stage } from './types.js';

export const outputs: Stage = {
  name: 'outputs',
  async run(r) {
    const { ctx, opts, ws, report } = r;
    r.written = await writeReport(report, {
      repoRoot: ws.repoRoot,
      dir: opts.report ? resolve(ctx.cwd, opts.report) : r.plan.report.dir,
    }).catch((e: unknown) => {
      const why = fileSystemProblem(e) ?? (e instanceof Error ? e.message : String(e));
      r.notice(`wo: could not write the report: ${why}\nThe report:\n\n${renderMarkdown(report)}\n`);
      return undefined;
    });
    const written = r.written;
    if (!written) return;
    const { writeRunOutputs } = await import('../report/outputs.js');
    const { timingsPath } = await import('../report/timings.js');
    const tails = new Map<string, string>();
    if (opts.junit)
      for (const w of report.workers) {
        const tail = await lastOutput(ws.locate(w.feature).worktree);
        if (tail) tails.set(w.feature, tail);
      }
    await writeRunOutputs({
      report,
      markdownPath: written.markdown,
      junit: opts.junit ? resolve(ctx.cwd, opts.junit) : undefined,
      // Every run writes the timings, a shard's too (SPEC §8): each shard of a run starts from its
      // own copy of the same file (a fresh CI checkout restores it from the cache).
      timings: timingsPath(ws.repoRoot, ctx.cwd, opts.timings),
      env: ctx.env,
      lastOutput: opts.junit ? tails : undefined,
      annotate: true,
      write: (text) => void r.events.tell({ type: 'workflow-commands', text, at: Date.now() }),
      warn: (text) => r.notice(text),
    });
    await r.emit({ type: 'report-written', markdown: written.markdown, json: written.json, at: Date.now() });
  },
};

/**
 * Starts loading the modules that write the report, so that the run's end does not wait for them
 * to be read and compiled: the schedule stage calls it once the first worker has ended.
 */
export function preloadOutputs(): void {
  for (const m of [
    import('../report/html.js'),
    import('../report/last-output.js'),
    import('../report/outputs.js'),
    import('../report/timings.js'),
  ])
    m.catch(() => undefined); // the import at the end meets the same failure and reports it
}

/** The last 40 lines a worker printed, as the terminal showed them; undefined when none. */
export async function lastOutput(worktree: string): Promise<string | undefined> {
  // A log not there (or unreadable) has no last output.
  const tail = await readTail(protocolPaths(worktree).log).catch(() => undefined);
  const lines = tail ? lastLines(tail, 40) : [];
  return lines.length ? lines.join('\n') : undefined;
}
