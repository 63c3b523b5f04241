// Two runners taking the run lock at the same moment, as separate processes (the lock tells runners
// apart by pid): exactly one may win. Runs the built lock module (npm test builds first).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK = new URL('../dist/lock.js', import.meta.url).href;

// Loads the module, says "ready", spins until the go file appears, then tries once. A winner holds
// the lock until its stdin closes, so the loser cannot find it dead and take it over.
const RACER = `
import { existsSync } from 'node:fs';
const { acquireRunLock } = await import(${JSON.stringify(LOCK)});
const [path, go, id] = process.argv.slice(1);
process.stdout.write('ready\\n');
while (!existsSync(go));
try {
  const lock = await acquireRunLock(path, id);
  process.stdout.write('won ' + (lock.orphanRunId ?? '-') + '\\n');
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => lock.release().then(() => process.exit(0)));
} catch (e) {
  process.stdout.write('lost ' + e.name + '\\n');
  process.exit(0);
}
`;

interface Racer {
  child: ChildProcess;
  lines: string[];
  exited: Promise<unknown>;
}

function racer(path: string, go: string, id: string): Racer {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RACER, path, go, id], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  return { child, lines, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

async function until(fn: () => boolean, what: string) {
  const deadline = Date.now() + 20000;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One race between two processes; their answers, e.g. ['lost SafetyError', 'won -']. */
async function race(dir: string, round: number, before?: () => void): Promise<string[]> {
  const path = join(dir, `run-${round}.lock`);
  const go = join(dir, `go-${round}`);
  before?.call(null);
  const racers = [racer(path, go, `a${round}`), racer(path, go, `b${round}`)];
  try {
    await until(() => racers.every((r) => r.lines[0] === 'ready'), 'both racers to be ready');
    writeFileSync(go, '');
    await until(() => racers.every((r) => r.lines.length > 1), 'both answers');
    return racers.map((r) => r.lines[1]!).sort();
  } finally {
    for (const r of racers) r.child.stdin!.end();
    await Promise.all(racers.map((r) => r.exited));
  }
}

describe('two runners race for the run lock', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wo-lock-race-'));
    mkdirSync(dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('for a free lock: exactly one wins, every time', async () => {
    for (let round = 0; round < 8; round++)
      expect(await race(dir, round)).toEqual(['lost SafetyError', 'won -']);
  });

  test("for a dead runner's lock: exactly one takes it over, every time", async () => {
    for (let round = 100; round < 108; round++) {
      const stale = () =>
        writeFileSync(
          join(dir, `run-${round}.lock`),
          JSON.stringify({ pid: 2 ** 22 + 1, run_id: 'dead', started_at: '2026-11-28T07:00:00.000Z' }),
        );
      expect(await race(dir, round, stale)).toEqual(['lost SafetyError', 'won dead']);
    }
  });
});
