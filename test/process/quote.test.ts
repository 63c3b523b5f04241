import { execFileSync } from 'node:child_process';
import { shellQuote } from '../../src/process/run.js';

describe('shellQuote (display of a command a person may copy)', () => {
  test.each([
    ['plain-word_1.txt', 'plain-word_1.txt'],
    ['two words', "'two words'"],
    ["it's", "'it'\\''s'"],
    ['$(rm -rf /)', "'$(rm -rf /)'"],
    ['', "''"],
  ])('%j is shown as %s', (arg, shown) => {
    expect(shellQuote(arg)).toBe(shown);
  });

  test('sh reads every quoted argument back byte for byte', () => {
    const args = ["it's", 'a "b" `c` $d \\e', 'line 1\nline 2', '-n', 'ünïcode', ''];
    const script = `for a in ${args.map(shellQuote).join(' ')}; do printf '%s\\0' "$a"; done`;
    const out = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(args);
  });
});
