import { stripVTControlCharacters } from 'node:util';
import { stripColor, stripControl, stripEscapes } from '../src/escapes.js';

// [what, input, stripped, whether util.stripVTControlCharacters leaves some of it in place]
const SEQUENCES: [string, string, string, boolean][] = [
  ['SGR colours', '\x1b[1;32mok\x1b[0m', 'ok', false],
  ['colon-separated truecolour', '\x1b[38:2:10:20:30mrgb\x1b[m', 'rgb', true],
  ['erase line and cursor moves', '\x1b[2K\x1b[1Gtext\x1b[?25h', 'text', false],
  ['OSC window title ended by BEL', '\x1b]0;title\x07text', 'text', false],
  ['OSC 8 hyperlink ended by ST', '\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\', 'link', false],
  ['DCS (sixel)', '\x1bPq#0;2;0;0;0#0~~\x1b\\text', 'text', true],
  ['APC (kitty graphics)', '\x1b_Gf=24;AAAA\x1b\\text', 'text', true],
  ['charset selection', '\x1b(Btext', 'text', false],
  ['8-bit CSI', 'a\x9b1mb', 'ab', false],
  ['CSI cut short at the end of a tail', 'text\x1b[3', 'text', false],
  ['escape cut short', 'text\x1b', 'text', true],
  ['OSC cut short', 'text\x1b]0;tit', 'text', true],
];

describe('stripEscapes', () => {
  test.each(SEQUENCES)('%s', (_what, input, expected) => {
    expect(stripEscapes(input)).toBe(expected);
  });

  // Why wo keeps a stripper of its own: when this fails, Node's may be enough to replace it.
  test("Node's util.stripVTControlCharacters leaves DCS/APC payloads and escapes cut short", () => {
    const missed = SEQUENCES.filter(([, input, expected]) => stripVTControlCharacters(input) !== expected);
    expect(missed.map(([what]) => what)).toEqual(SEQUENCES.filter((s) => s[3]).map(([what]) => what));
  });

  test('control characters stay; stripControl removes them but keeps newline and tab', () => {
    expect(stripEscapes('a\x07b')).toBe('a\x07b');
    expect(stripControl('a\x07b\x00c\x7f\td\ne\r')).toBe('abc\td\ne');
  });
});

describe('stripColor', () => {
  test('removes colours and styles, keeps cursor movement', () => {
    expect(stripColor('\x1b[1;32mok\x1b[0m \x1b[38:2:1:2:3mx\x1b[m\x1b[2K\x1b[1A')).toBe(
      'ok x\x1b[2K\x1b[1A',
    );
  });
});
