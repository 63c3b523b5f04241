import { main } from '../src/cli.js';
import { memoryOutput, type Context } from '../src/context.js';

function ctx() {
  const io = memoryOutput();
  const c: Context = { cwd: process.cwd(), env: {}, io, signal: new AbortController().signal };
  return { c, io };
}

describe('cli', () => {
  test('--version prints the package version', async () => {
    const { c, io } = ctx();
    expect(await main(['--version'], c)).toBe(0);
    expect(io.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('an unknown command prints the usage and exits 2', async () => {
    const { c, io } = ctx();
    expect(await main(['bogus'], c)).toBe(2);
    expect(io.stderr).toContain("unknown command 'bogus'");
    expect(io.stderr).toContain('Usage: wo');
  });

  test('an unknown flag exits 2', async () => {
    const { c, io } = ctx();
    expect(await main(['run', '--nope'], c)).toBe(2);
    expect(io.stderr).toContain("unknown option '--nope'");
  });
});
