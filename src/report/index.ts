// The report of a run (SPEC §5): model, renderers (markdown, JSON, JUnit, GitHub), writing, reading back,
// the timings file and shards (SPEC §8).
export * from './types.js';
export { buildReport, carriedOver, ranThisRun, type ReportInput, type WorkerInfo } from './build.js';
export { renderMarkdown } from './markdown.js';
export { renderJson } from './json.js';
export { renderJunit, type JunitOptions } from './junit.js';
export { countOutcomes, summaryHead, summaryLine, summaryText } from './summary.js';
export { newRunId } from './run-id.js';
export {
  writeReport,
  readLastReport,
  reportDir,
  lastRunPath,
  type WriteReportOptions,
  type WrittenReport,
} from './write.js';
