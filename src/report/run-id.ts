// Run ids: sortable by time, unique enough to share a folder: 20261123-183012-ab12.
import { randomBytes } from 'node:crypto';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * `YYYYMMDD-HHMMSS-xxxx`, in UTC. Why UTC: ids sort in run order even across a DST change
 * or between machines in different zones; the report itself carries ISO times.
 */
export function newRunId(date: Date = new Date()): string {
  const d = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  const t = `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  return `${d}-${t}-${randomBytes(2).toString('hex')}`;
}
