import { stripVTControlCharacters } from 'node:util';
import { screenLine, stripColor, stripControl, stripEscapes } from '../src/escapes.js';
import { outputBlock } from '../src/protocol/protocol.js';

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

describe('text as the terminal showed it', () => {
  test('a cursor move forward is the spaces it skipped, not lost (Claude Code prints words that way)', () => {
    expect(stripEscapes('Unable\x1b[1Cto\x1b[1Cconnect\x1b[3Cnow\x1b[Cx')).toBe('Unable to connect   now x');
  });

  test("Claude Code's start-up noise leaves nothing behind", () => {
    expect(screenLine('\x1b(B\x1b[>4m\x1b[<u\x1b]0;✳ Claude Code\x07\x1b[?2004hready')).toBe('ready');
  });

  test('a command quoted in a result has no colour codes and keeps the last state of a redrawn line', () => {
    const block = outputBlock(
      '\x1b[32mPASS\x1b[39m test/a.test.ts\n 10%\r 50%\r100%\n\x1b[1mTests:\x1b[22m 1 passed',
    );
    expect(block).toBe('```\nPASS test/a.test.ts\n100%\nTests: 1 passed\n```');
  });
});
