// What a finished run (or `wo report merge`) writes besides report.md and report.json: the JUnit file,
// the timings file, and under GitHub Actions the step summary and the failure annotations. A file that
// cannot be written is a warning: the exit code still says how the workers ended (SPEC §9).
import { annotations, isGitHubActions, STEP_SUMMARY_LIMIT, stepSummary } from './github.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { recordTimings } from './timings.js';
import type { RunReport } from './types.js';
import { appendOutputFile, writeOutputFile } from './output-file.js';

export interface RunOutputsOptions {
  report: RunReport;
  /** Where report.md was written (named in a cut step summary). */
  markdownPath: string;
  /** `--junit FILE`, absolute. */
  junit?: string;
  /** The timings file to update, absolute; undefined: leave it alone. */
  timings?: string;
  env: NodeJS.ProcessEnv;
  /** The last output of each worker, by feature (for JUnit's system-out). */
  lastOutput?: ReadonlyMap<string, string>;
  /** Emit `::error` annotations (a run does; a merge leaves them to the shards that ran the workers). */
  annotate: boolean;
  /** Where workflow commands go (the progress stream). */
  write(text: string): void;
  /** A problem that does not change the exit code. */
  warn(text: string): void;
}

export async function writeRunOutputs(o: RunOutputsOptions): Promise<void> {
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      // Each output is extra: its failure is a warning, and the others are still written.
      o.warn(`wo: could not write ${what}: ${(e as Error).message}\n`);
    }
  };
  if (o.junit) {
    const file = o.junit;
    await attempt(`the JUnit file ${file}`, () =>
      writeOutputFile(file, renderJunit(o.report, { lastOutput: o.lastOutput })),
    );
  }
  const timings = o.timings;
  if (timings) await attempt(`the timings file ${timings}`, () => recordTimings(timings, o.report));
  if (!isGitHubActions(o.env)) return;
  const summary = o.env.GITHUB_STEP_SUMMARY;
  if (summary) {
    await attempt(`the step summary ${summary}`, () =>
      appendOutputFile(summary, (used) => {
        const text = stepSummary(renderMarkdown(o.report), o.markdownPath, STEP_SUMMARY_LIMIT - used - 1);
        return used > 0 ? `\n${text}` : text;
      }),
    );
  }
  if (o.annotate) o.write(annotations(o.report));
}
