// formatDuration: the compact h/m/s form used in reasons, progress and reports.
import { formatDuration } from '../../src/scheduler/duration.js';

test.each([
  [0, '0s'],
  [40, '40ms'],
  [2500, '2.5s'],
  [8100, '8.1s'],
  [2000, '2s'],
  [9960, '10s'],
  [45_000, '45s'],
  [90_000, '1m30s'],
  [600_000, '10m'],
  [5_400_000, '1h30m'],
  [3_600_000, '1h'],
  [3_661_000, '1h1m1s'],
  [-5, '0s'],
])('formatDuration(%p) = %p', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});
