// parseDuration / formatDuration / durationProblem.
import { durationProblem, formatDuration, MAX_DURATION_MS, parseDuration } from '../../src/plan/duration.js';

test.each([
  ['90s', 90_000],
  ['10m', 600_000],
  ['1h30m', 5_400_000],
  ['2h', 7_200_000],
  ['1h30m15s', 5_415_000],
  ['1h15s', 3_615_000],
  ['90', 90_000],
  [90, 90_000],
  [1.5, 1_500],
] as const)('parseDuration(%p) = %p ms', (text, ms) => {
  expect(parseDuration(text)).toBe(ms);
});

test.each([
  ['45 minutes', '"45 minutes" is not a duration (use 90s, 10m, 1h30m)'],
  ['1h30', '"1h30" is not a duration (use 90s, 10m, 1h30m)'],
  ['1.5h', '"1.5h" is not a duration (use 90s, 10m, 1h30m)'],
  ['30m1h', '"30m1h" is not a duration (use 90s, 10m, 1h30m)'],
  ['', '"" is not a duration (use 90s, 10m, 1h30m)'],
  ['10M', '"10M" is not a duration (use 90s, 10m, 1h30m)'],
  [' 10m', '" 10m" is not a duration (use 90s, 10m, 1h30m)'],
  ['0s', '"0s" is not a duration longer than zero (use 90s, 10m, 1h30m)'],
  [0, '0 is not a duration longer than zero (use 90s, 10m, 1h30m)'],
  [-5, '-5 is not a duration longer than zero (use 90s, 10m, 1h30m)'],
  [Infinity, 'Infinity is not a duration (use 90s, 10m, 1h30m)'],
  ['1000h', '"1000h" is too long a duration (at most 596h31m24s)'],
] as const)('parseDuration(%p) throws %p', (text, message) => {
  expect(() => parseDuration(text)).toThrow(message);
  expect(durationProblem(text)).toBe(message);
});

test('durationProblem describes values of other types', () => {
  expect(durationProblem(['10m'])).toBe('a list is not a duration (use 90s, 10m, 1h30m)');
  expect(durationProblem(null)).toBe('nothing is not a duration (use 90s, 10m, 1h30m)');
  expect(durationProblem('10m')).toBeUndefined();
});

test.each([
  [600_000, '10m'],
  [5_400_000, '1h30m'],
  [90_000, '1m30s'],
  [45_000, '45s'],
  [7_200_000, '2h'],
  [3_615_000, '1h15s'],
  [2_500, '2.5s'],
  [300, '0.3s'],
  [0, '0s'],
  [59_600, '1m'],
  [-1, '?'],
])('formatDuration(%p) = %p', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});

test('whole seconds survive formatDuration then parseDuration', () => {
  for (const ms of [1_000, 59_000, 61_000, 3_600_000, 3_661_000, 86_400_000, MAX_DURATION_MS - 647])
    expect(parseDuration(formatDuration(ms))).toBe(ms);
});
