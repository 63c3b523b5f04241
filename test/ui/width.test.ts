import { renderTable } from '../../src/ui/table.js';
import { displayWidth, padColumns, truncate } from '../../src/ui/width.js';

describe('terminal columns', () => {
  test.each([
    ['ascii', 'wo status', 9],
    ['Hangul', '로그인', 6],
    ['an emoji outside the old tables', '🚀', 2],
    ['a ZWJ sequence (woman + ZWJ + laptop) is one wide character', '👩‍💻', 2],
    ['an emoji with a variation selector', '⚠️', 2],
    ['a flag (two regional indicators)', '🇫🇷', 2],
    ['a combining accent takes no column', 'e\u0301', 1],
    ['box drawing and ellipsis are narrow', '─│…', 3],
  ])('%s: %j takes %i', (_what, text, columns) => {
    expect(displayWidth(text)).toBe(columns);
  });

  test('truncate never cuts a grapheme in two, and the result fits', () => {
    expect(truncate('a👩‍💻b', 3)).toBe('a…');
    expect(truncate('a👩‍💻b', 4)).toBe('a👩‍💻b');
    expect(truncate('🚀🚀🚀', 5)).toBe('🚀🚀…');
    expect(truncate('🚀🚀🚀', 4)).toBe('🚀…');
    expect(truncate('e\u0301e\u0301e\u0301', 2)).toBe('e\u0301…');
    expect(truncate('anything', 0)).toBe('');
    for (let w = 1; w <= 8; w++) expect(displayWidth(truncate('👩‍💻 🚀 로그인', w))).toBeLessThanOrEqual(w);
  });

  test('padColumns pads to columns, not UTF-16 units', () => {
    expect(padColumns('👩‍💻', 4)).toBe('👩‍💻  ');
    expect(padColumns('🚀', 3)).toBe('🚀 ');
    expect(padColumns('toolong', 3)).toBe('toolong');
  });

  test('a table with emoji stays aligned', () => {
    const out = renderTable(
      ['WORKER', 'LAST OUTPUT'],
      [
        ['🚀-launch', 'ok'],
        ['👩‍💻', 'typing'],
      ],
    );
    const bars = out
      .split('\n')
      .filter(Boolean)
      .map((line) => displayWidth(line.slice(0, line.search(/[│┼]/))));
    expect(new Set(bars).size).toBe(1);
  });
});
