import { cleanLine, lastLine } from '../../src/protocol/lastline.js';
import { renderTable } from '../../src/ui/table.js';
import { displayWidth, truncate } from '../../src/ui/width.js';

describe('last output line', () => {
  test('strips colours, cursor moves, titles and control characters', () => {
    expect(cleanLine('\x1b[1;32mok\x1b[0m done\r')).toBe('ok done');
    expect(cleanLine('\x1b]0;title\x07text\x1b[2K')).toBe('text');
    expect(cleanLine('10%\r50%\r100%')).toBe('100%');
    expect(cleanLine('a\tb\x00\x08c')).toBe('a bc');
  });

  test('the last non-empty line; a partial first line of a tail is skipped', () => {
    expect(lastLine({ text: 'one\ntwo\n\n\x1b[0m\n', fromStart: true })).toBe('two');
    expect(lastLine({ text: 'partial', fromStart: false })).toBeUndefined();
    expect(lastLine({ text: 'partial\nwhole\n', fromStart: false })).toBe('whole');
    expect(lastLine({ text: '', fromStart: true })).toBeUndefined();
  });

  test('wide characters count two columns', () => {
    expect(displayWidth('로그인 API')).toBe(10);
    expect(truncate('로그인 API 구현', 7)).toBe('로그인…');
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('renderTable', () => {
  test('aligns columns with │ and cuts the last one to the width (40 columns here)', () => {
    const out = renderTable(
      ['WORKER', 'STATUS', 'LAST OUTPUT'],
      [
        ['login', 'running', 'compiling a very long line of output'],
        ['auth-service', 'done', '로그인'],
      ],
      { maxWidth: 40 },
    );
    expect(out).toBe(
      [
        'WORKER       │ STATUS  │ LAST OUTPUT',
        '─────────────┼─────────┼────────────────',
        'login        │ running │ compiling a ve…',
        'auth-service │ done    │ 로그인',
        '',
      ].join('\n'),
    );
  });
});
