// report.json as text: the report model, pretty-printed, newline-terminated.
import type { RunReport } from './types.js';

export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
