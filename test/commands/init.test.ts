// wo init: a starter plan that validates, a GitHub workflow with the shard matrix and the merge job (the other
// CIs' pipelines: init-ci.test.ts),
// the schema modeline for a local or global install, and never an overwrite (exit 2, nothing written).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { main } from '../../src/cli.js';
import { memoryOutput } from '../../src/context.js';
import { githubWorkflow, schemaLocation, starterPlan } from '../../src/commands/init.js';
import { makeRepo, testEnv, type TempRepo } from '../helpers.js';

async function wo(repo: TempRepo, args: string[], cwd = repo.root) {
  const io = memoryOutput();
  const code = await main(args, { cwd, env: testEnv(repo.home), io, signal: new AbortController().signal });
  return { code, stdout: io.stdout, stderr: io.stderr };
}

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; if?: string };
type Workflow = {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<
    string,
    { needs?: string; if?: string; strategy?: { matrix: { shard: number[] } }; steps: Step[] }
  >;
};

describe('wo init', () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = makeRepo();
  });
  afterEach(() => repo.cleanup());

  test('writes a starter plan that wo validate accepts, with a schema URL when wo is not installed locally', async () => {
    const res = await wo(repo, ['init']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('wrote workers.yaml');
    const text = readFileSync(join(repo.root, 'workers.yaml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(
      /^# yaml-language-server: \$schema=https:\/\/unpkg\.com\/worker-orchestrator@\d+\.\d+\.\d+[^/]*\/schemas\/workers\.schema\.json$/,
    );
    const valid = await wo(repo, ['validate']);
    expect([valid.code, valid.stdout.trim()]).toEqual([0, 'ok: 3 workers in workers.yaml']);
    expect(text).toMatch(/^ {2}agent: claude /m);
    expect(existsSync(join(repo.root, '.github'))).toBe(false);
  });

  test('never overwrites: exit 2, the file untouched; an unknown --ci names the choices', async () => {
    writeFileSync(join(repo.root, 'workers.yaml'), 'mine\n');
    const again = await wo(repo, ['init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('workers.yaml already exists: wo init never overwrites');
    expect(readFileSync(join(repo.root, 'workers.yaml'), 'utf8')).toBe('mine\n');
    const bad = await wo(repo, ['init', '--ci', 'jenkins']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are github, gitlab, buildkite, kubernetes');
  });

  test.each([
    ['github', '.github/workflows/wo.yml'],
    ['gitlab', '.gitlab-ci.yml'],
    ['buildkite', '.buildkite/pipeline.yml'],
    ['kubernetes', 'k8s/wo.yaml'],
  ])('--ci %s next to an existing plan writes only %s, once', async (ci, file) => {
    writeFileSync(join(repo.root, 'workers.yaml'), 'mine\n');
    const res = await wo(repo, ['init', '--ci', ci]);
    expect([res.code, res.stdout]).toEqual([
      0,
      `wrote ${file}\nNext: edit the workers, then \`wo validate\` and \`wo run\`.\n`,
    ]);
    expect(readFileSync(join(repo.root, 'workers.yaml'), 'utf8')).toBe('mine\n');
    const text = readFileSync(join(repo.root, file), 'utf8');
    expect(text).toContain('--shard');
    expect(text).toContain(`wo init --ci ${ci}`);
    // The pipeline is never overwritten either.
    writeFileSync(join(repo.root, file), 'edited\n');
    const again = await wo(repo, ['init', '--ci', ci]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${file} already exists: wo init never overwrites`);
    expect(readFileSync(join(repo.root, file), 'utf8')).toBe('edited\n');
  });

  test('--ci gitlab in a fresh repository writes the starter plan (headless agent) and the pipeline at the root', async () => {
    mkdirSync(join(repo.root, 'sub'));
    const res = await wo(repo, ['init', '--ci', 'gitlab'], join(repo.root, 'sub'));
    expect(res.code).toBe(0);
    expect(readFileSync(join(repo.root, 'sub', 'workers.yaml'), 'utf8')).toMatch(
      /^ {2}agent: claude-print /m,
    );
    expect(existsSync(join(repo.root, '.gitlab-ci.yml'))).toBe(true);
  });

  test('--ci github writes the workflow at the repository root, from a subfolder too', async () => {
    mkdirSync(join(repo.root, 'sub'));
    const res = await wo(repo, ['init', '--ci', 'github'], join(repo.root, 'sub'));
    expect(res.code).toBe(0);
    expect(existsSync(join(repo.root, 'sub', 'workers.yaml'))).toBe(true);
    // nobody attaches to a session in CI: the starter plan's agent is the headless one there
    expect(readFileSync(join(repo.root, 'sub', 'workers.yaml'), 'utf8')).toMatch(
      /^ {2}agent: claude-print /m,
    );
    const valid = await wo(repo, ['validate', 'workers.yaml'], join(repo.root, 'sub'));
    expect(valid.code).toBe(0);
    const wf = parse(readFileSync(join(repo.root, '.github', 'workflows', 'wo.yml'), 'utf8')) as Workflow;
    expect(Object.keys(wf.jobs)).toEqual(['rehearse', 'shard', 'report']);
    expect(wf.jobs.shard!.strategy!.matrix.shard).toEqual([1, 2, 3]);
    const runs = (job: string) => wf.jobs[job]!.steps.map((s) => s.run ?? '').join('\n');
    expect(runs('shard')).toContain('wo run workers.yaml --shard ${{ matrix.shard }}/$WO_SHARDS');
    expect(runs('shard')).toContain('--pr');
    const upload = wf.jobs.shard!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with).toEqual({ name: 'wo-report-${{ matrix.shard }}', path: 'wo-report/' });
    expect(upload.if).toBe('always()');
    expect(wf.jobs.report!.needs).toBe('shard');
    expect(wf.jobs.report!.if).toBe("always() && github.event_name != 'pull_request'");
    // A pull request that changes the plan is rehearsed, for $0, and runs no real shard.
    expect(wf.on).toMatchObject({ pull_request: { paths: ['workers.yaml'] } });
    expect(wf.jobs.rehearse!.if).toBe("github.event_name == 'pull_request'");
    expect(wf.jobs.shard!.if).toBe("github.event_name != 'pull_request'");
    expect(runs('rehearse')).toContain('wo run workers.yaml --rehearse');
    expect(runs('rehearse')).toMatch(/@anthropic-ai\/claude-code@[\d.]+ @openai\/codex@[\d.]+\n/);
    expect(runs('rehearse')).not.toContain('--push');
    expect(wf.jobs.report!.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!.with).toEqual({
      pattern: 'wo-report-*',
      path: 'shards',
    });
    expect(runs('report')).toContain('wo report merge shards --report wo-merged');
    expect(wf.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
  });

  test('the workflow passes a workflow linter (action-validator: the SchemaStore schema, offline)', () => {
    const file = join(repo.root, 'wo.yml');
    const lint = (text: string) => {
      writeFileSync(file, text);
      const bin = new URL('../../node_modules/.bin/action-validator', import.meta.url).pathname;
      return spawnSync(bin, [file], { encoding: 'utf8' });
    };
    const good = lint(githubWorkflow('0.1.0'));
    // It cannot check path globs (the rehearsal's pull_request.paths) and says so; nothing else.
    const said = (good.stdout + good.stderr).replace(
      /^WARNING: Glob validation is not yet supported\..*\n/m,
      '',
    );
    expect([good.status, said]).toEqual([0, '']);
    // The linter does find faults: the same workflow with a misspelt key fails.
    const bad = lint(githubWorkflow('0.1.0').replace('runs-on:', 'runz-on:'));
    expect(bad.status).not.toBe(0);
  });
});

describe('templates', () => {
  test('the workflow keeps the matrix and WO_SHARDS in step', () => {
    const wf = parse(githubWorkflow('1.2.3', 5)) as Workflow & { env: Record<string, unknown> };
    expect(wf.env.WO_SHARDS).toBe(5);
    expect(wf.jobs.shard!.strategy!.matrix.shard).toEqual([1, 2, 3, 4, 5]);
    expect(githubWorkflow('1.2.3')).toMatch(
      /npm install -g worker-orchestrator@1\.2\.3 @anthropic-ai\/claude-code@\d+\.\d+\.\d+\n/,
    );
  });

  test('a local install gets the modeline of its installed schema', () => {
    const root = makeRepo();
    try {
      expect(schemaLocation(root.root, '1.0.0')).toBe(
        'https://unpkg.com/worker-orchestrator@1.0.0/schemas/workers.schema.json',
      );
      mkdirSync(join(root.root, 'node_modules', 'worker-orchestrator', 'schemas'), { recursive: true });
      writeFileSync(
        join(root.root, 'node_modules', 'worker-orchestrator', 'schemas', 'workers.schema.json'),
        '{}',
      );
      expect(schemaLocation(root.root, '1.0.0')).toBe(
        './node_modules/worker-orchestrator/schemas/workers.schema.json',
      );
      expect(starterPlan('./x.json', '1.0.0').split('\n')[0]).toBe(
        '# yaml-language-server: $schema=./x.json',
      );
    } finally {
      root.cleanup();
    }
  });
});
