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

  describe('an unexpected error (not a WoError) ends with how to report it', () => {
    // Writing the version is the first thing `wo --version` does: an output that throws stands in for a bug.
    function broken(env: NodeJS.ProcessEnv) {
      const { c, io } = ctx();
      const bug = new TypeError('cannot read properties of undefined');
      c.env = env;
      c.io = {
        ...io,
        out: () => {
          throw bug;
        },
      };
      return { c, io, bug };
    }

    test('the message and the line saying how to report it; exit 1', async () => {
      const { c, io, bug } = broken({});
      expect(await main(['--version'], c)).toBe(1);
      expect(io.stderr).toBe(
        'wo: unexpected error: cannot read properties of undefined\n' +
          'This is a bug in wo: please report it with the command you ran and this message (run it again with WO_DEBUG=1 to add the stack).\n',
      );
      expect(io.stderr).not.toContain(bug.stack!.split('\n')[1]!);
    });

    test('WO_DEBUG adds the stack', async () => {
      const { c, io, bug } = broken({ WO_DEBUG: '1' });
      expect(await main(['--version'], c)).toBe(1);
      expect(io.stderr).toContain(bug.stack!);
      expect(io.stderr.trimEnd().split('\n').at(-1)).toBe(
        'This is a bug in wo: please report it with the command you ran and this message.',
      );
    });
  });

  test('an unknown flag exits 2', async () => {
    const { c, io } = ctx();
    expect(await main(['run', '--nope'], c)).toBe(2);
    expect(io.stderr).toContain("unknown option '--nope'");
  });
});
