// Formats a duration in milliseconds the way plans write them: 2.5s, 45s, 1m30s, 10m, 1h30m.

/**
 * Under 10 s one decimal is kept (`8.1s`, `2s`); under 100 ms it is shown in ms; from 10 s on,
 * whole seconds composed into hours, minutes and seconds, zero parts left out.
 * Why `1m30s` rather than `90s`: one rule for every length reads better in a column, and
 * every output is itself a valid plan duration.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms > 0 && ms < 100) return `${Math.round(ms)}ms`;
  if (ms < 9950) return `${Math.round(ms / 100) / 10}s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
