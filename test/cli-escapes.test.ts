// An error wo prints may quote outside text (a path given to it, gh's or git's stderr): no escape
// sequence in it reaches the terminal (SPEC §9), while the message itself still does.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { main } from '../src/cli.js';
import { memoryOutput, type Context } from '../src/context.js';

test('an error quoting a name with clipboard and title sequences: the message, not the sequences', async () => {
  const io = memoryOutput();
  const c: Context = {
    cwd: mkdtempSync(`${tmpdir()}/wo-cli-`),
    env: {},
    io,
    signal: new AbortController().signal,
  };
  const name = 'plan\x1b]52;c;cHduZWQ=\x07\x1b]0;owned\x07.yaml';
  expect(await main(['validate', name], c)).toBe(2);
  expect(io.stderr).toContain('plan.yaml');
  expect(io.stderr).not.toMatch(/[\x1b\x07]/);
  expect(io.stderr).not.toContain('cHduZWQ=');
});
