// The pipelines `wo init --ci gitlab|buildkite|kubernetes` writes (SPEC §13), checked by parsing them: the
// Kubernetes objects against the Kubernetes API schemas (kubernetes-models, offline), GitLab and Buildkite
// structurally (no schema or linter of theirs runs offline from npm), and every shell script in them by
// `bash -n`. The keys that make the design hold: N parallel shards with --shard auto, report folders kept
// also on failure, and a merge that runs also when a shard failed. The Kubernetes scripts also run, with
// stand-ins for the programs they call, to prove the finished marks and the merge's wait.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import {
  buildkitePipeline,
  CI_FILES,
  gitlabPipeline,
  kubernetesManifest,
} from '../../src/commands/init-ci.js';

const AGENT = '@anthropic-ai/claude-code@9.9.9';

/** bash's own syntax check of a script; its complaint, or '' when it parses. */
const bashSyntax = (script: string): string => {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return r.status === 0 ? '' : r.stderr;
};

type GitlabJob = {
  stage: string;
  parallel?: number;
  when?: string;
  needs?: Array<{ job: string; artifacts: boolean }>;
  script: string[];
  before_script?: string[];
  after_script?: string[];
  artifacts: { when: string; paths: string[]; reports?: { junit: string } };
  cache?: { key: string; paths: string[]; policy: string };
};

describe('wo init --ci gitlab', () => {
  const text = gitlabPipeline({ version: '1.2.3', agentPackage: AGENT, shards: 4 });
  const p = parse(text) as Record<string, unknown> & {
    stages: string[];
    'wo-shard': GitlabJob;
    'wo-report': GitlabJob;
  };

  test('N parallel shard jobs running --shard auto into a folder each, kept as artifacts also on failure', () => {
    expect(p.stages).toEqual(['shard', 'report']);
    const shard = p['wo-shard'];
    expect(shard.stage).toBe('shard');
    expect(shard.parallel).toBe(4);
    expect(shard.script.join('\n')).toContain(
      'wo run workers.yaml --shard auto --report "wo-report/shard-$CI_NODE_INDEX" --junit "wo-report/shard-$CI_NODE_INDEX/junit.xml"',
    );
    expect(shard.artifacts.when).toBe('always');
    expect(shard.artifacts.paths).toEqual(['wo-report/']);
    expect(shard.before_script!.join('\n')).toContain(
      'npm install -g worker-orchestrator@1.2.3 @anthropic-ai/claude-code@9.9.9',
    );
    expect(shard.cache).toEqual({ key: 'wo-timings', paths: ['.wo/timings.json'], policy: 'pull' });
  });

  test('a merge job that runs also when a shard failed, with every shard’s artifacts', () => {
    const merge = p['wo-report'];
    expect(merge.stage).toBe('report');
    expect(merge.when).toBe('always');
    expect(merge.needs).toEqual([{ job: 'wo-shard', artifacts: true }]);
    expect(merge.script.join('\n')).toContain(
      'wo report merge wo-report --report wo-merged --junit wo-merged/junit.xml',
    );
    expect(merge.artifacts.when).toBe('always');
    expect(merge.artifacts.paths).toEqual(['wo-merged/']);
    expect(merge.cache!.policy).toBe('push');
  });

  test('only keys GitLab knows for a job, and scripts bash accepts', () => {
    const JOB_KEYS = new Set([
      'stage',
      'image',
      'parallel',
      'timeout',
      'cache',
      'before_script',
      'script',
      'after_script',
      'artifacts',
      'when',
      'needs',
      'variables',
    ]);
    const TOP_KEYS = new Set(['stages', 'variables', 'wo-shard', 'wo-report']);
    expect(Object.keys(p).filter((k) => !TOP_KEYS.has(k))).toEqual([]);
    for (const job of [p['wo-shard'], p['wo-report']]) {
      expect(Object.keys(job).filter((k) => !JOB_KEYS.has(k))).toEqual([]);
      for (const line of [...(job.before_script ?? []), ...job.script, ...(job.after_script ?? [])])
        expect([line, bashSyntax(line)]).toEqual([line, '']);
    }
    expect(CI_FILES.gitlab).toBe('.gitlab-ci.yml');
  });
});

type BuildkiteStep = {
  label: string;
  key: string;
  parallelism?: number;
  command: string;
  artifact_paths: string;
  depends_on?: string;
  allow_dependency_failure?: boolean;
  timeout_in_minutes?: number;
};

describe('wo init --ci buildkite', () => {
  const text = buildkitePipeline({ version: '1.2.3', agentPackage: AGENT, shards: 5 });
  const p = parse(text) as { steps: BuildkiteStep[] };
  /** What the job's shell runs: Buildkite turns $$ into $ at upload. */
  const shell = (command: string) => command.replaceAll('$$', '$');

  test('N parallel shard jobs running --shard auto, their report folders uploaded whatever the exit status', () => {
    expect(Object.keys(p)).toEqual(['steps']);
    const [shard] = p.steps;
    expect(shard!.parallelism).toBe(5);
    expect(shard!.artifact_paths).toBe('wo-report/**/*');
    const cmd = shell(shard!.command);
    expect(cmd).toContain(
      'wo run workers.yaml --shard auto --report "wo-report/shard-$BUILDKITE_PARALLEL_JOB"',
    );
    // The run's exit status is the step's, after the logs were collected.
    expect(cmd).toMatch(/\|\| status=\$\?\n.*\.worker\.log.*\nexit \$status$/m);
    // No single $ left for Buildkite to fill in at upload.
    expect(shard!.command.replaceAll('$$', '')).not.toContain('$');
  });

  test('a merge step that follows a failed shard, downloading every shard’s folder', () => {
    const merge = p.steps[1]!;
    expect(merge.depends_on).toBe('wo-shard');
    expect(merge.allow_dependency_failure).toBe(true);
    expect(merge.command).toContain('buildkite-agent artifact download "wo-report/**/*" .');
    expect(merge.command).toContain('wo report merge wo-report --report wo-merged');
    expect(merge.artifact_paths).toBe('wo-merged/**/*');
  });

  test('only keys Buildkite knows for a command step, and commands bash accepts', () => {
    const KEYS = new Set([
      'label',
      'key',
      'parallelism',
      'timeout_in_minutes',
      'command',
      'artifact_paths',
      'depends_on',
      'allow_dependency_failure',
    ]);
    for (const step of p.steps) {
      expect(Object.keys(step).filter((k) => !KEYS.has(k))).toEqual([]);
      expect(bashSyntax(shell(step.command))).toBe('');
    }
    expect(CI_FILES.buildkite).toBe('.buildkite/pipeline.yml');
  });
});

describe('wo init --ci kubernetes', () => {
  const text = kubernetesManifest({ version: '1.2.3', agentPackage: AGENT, shards: 6 });
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  const [pvc, shards, merge] = docs;

  test('each object is valid against the Kubernetes API schema', () => {
    expect(docs.map((d) => `${d.apiVersion} ${d.kind} ${d.metadata.name}`)).toEqual([
      'v1 PersistentVolumeClaim wo-reports',
      'batch/v1 Job wo-shards',
      'batch/v1 Job wo-report',
    ]);
    expect(() => new PersistentVolumeClaim(pvc as never).validate()).not.toThrow();
    expect(() => new Job(shards as never).validate()).not.toThrow();
    expect(() => new Job(merge as never).validate()).not.toThrow();
    // The schema does find faults: a misspelt completion mode fails.
    expect(() =>
      new Job({ ...shards, spec: { ...shards!.spec, completionMode: 'Indexd' } }).validate(),
    ).toThrow(/completionMode/);
  });

  test('an Indexed Job of N shards, each retried on its own, reports on a shared volume', () => {
    const spec = shards!.spec;
    expect(spec.completionMode).toBe('Indexed');
    expect([spec.completions, spec.parallelism]).toEqual([6, 6]);
    expect(spec.backoffLimitPerIndex).toBe(1);
    expect(spec.maxFailedIndexes).toBe(6);
    // wo's exit codes are final for the index; a crash is retried.
    expect(spec.podFailurePolicy.rules[0]).toEqual({
      action: 'FailIndex',
      onExitCodes: { containerName: 'shard', operator: 'In', values: [1, 2, 3, 130] },
    });
    const c = spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(env.WO_SHARD_TOTAL).toBe('6');
    expect(c.volumeMounts).toEqual([{ name: 'reports', mountPath: '/reports' }]);
    expect(spec.template.spec.volumes).toEqual([
      { name: 'reports', persistentVolumeClaim: { claimName: 'wo-reports' } },
    ]);
    expect(pvc!.spec.accessModes).toEqual(['ReadWriteMany']);
    const script = c.command[2] as string;
    expect(c.command.slice(0, 2)).toEqual(['bash', '-c']);
    expect(script).toContain('wo run workers.yaml --shard auto --report "$out"');
    expect(script).toContain('out="/reports/$WO_BATCH/shards/shard-$JOB_COMPLETION_INDEX"');
    expect(bashSyntax(script)).toBe('');
  });

  test('a merge Job on the same volume that waits for every shard, however it ended', () => {
    const c = merge!.spec.template.spec.containers[0];
    const script = c.command[2] as string;
    expect(script).toContain('ls "$dir"/shards/shard-*/finished');
    expect(script).toContain('wo report merge "$dir/shards" --report "$dir/merged"');
    expect(c.volumeMounts).toEqual([{ name: 'reports', mountPath: '/reports' }]);
    expect(bashSyntax(script)).toBe('');
    expect(CI_FILES.kubernetes).toBe('k8s/wo.yaml');
  });
});

describe('the Kubernetes scripts, run with stand-ins for apt-get, npm, git and wo', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'wo-k8s-'));
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub('apt-get', 'exit 0');
    stub('npm', 'exit 0');
    stub('sleep', `echo "$1" >> "${tmp}/slept"`); // the merge's wait loop counts its own seconds
    // git: clone and init make the folder; config does nothing.
    stub('git', 'case "$1" in clone|init) for a; do d="$a"; done; mkdir -p "$d" ;; esac; exit 0');
    // wo run: writes a report into --report and exits $FAKE_WO_EXIT; wo report merge: records its arguments.
    stub(
      'wo',
      `if [ "$1" = run ]; then
  while [ $# -gt 0 ]; do if [ "$1" = --report ]; then mkdir -p "$2" && echo '{}' > "$2/report.json"; fi; shift; done
  exit "\${FAKE_WO_EXIT:-0}"
fi
echo "$*" > "${tmp}/merged-with"; exit 0`,
    );
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const docs = () =>
    parseAllDocuments(kubernetesManifest({ version: '1.2.3', agentPackage: AGENT, shards: 2 })).map(
      (d) => d.toJS() as { spec: { template: { spec: { containers: Array<{ command: string[] }> } } } },
    );
  /** A Job's script with its absolute folders moved under the temporary folder. */
  const script = (doc: number) =>
    docs()
      [doc]!.spec.template.spec.containers[0]!.command[2]!.replaceAll('/reports', `${tmp}/reports`)
      .replaceAll('/work/', `${tmp}/work/`);
  const run = (doc: number, env: Record<string, string>) =>
    spawnSync('bash', ['-c', script(doc)], {
      cwd: tmp,
      encoding: 'utf8',
      env: {
        PATH: `${join(tmp, 'bin')}:/usr/bin:/bin`,
        HOME: tmp,
        WO_BATCH: 'b1',
        WO_SHARD_TOTAL: '2',
        ...env,
      },
    });
  const mark = (i: number) => join(tmp, 'reports', 'b1', 'shards', `shard-${i}`, 'finished');

  test('a shard whose workers failed is over: its exit code, its report and its finished mark', () => {
    const r = run(1, { JOB_COMPLETION_INDEX: '0', FAKE_WO_EXIT: '1', WO_REPO_URL: 'x' });
    expect(r.status).toBe(1);
    expect(readFileSync(mark(0), 'utf8')).toBe('1\n');
    expect(existsSync(join(tmp, 'reports', 'b1', 'shards', 'shard-0', 'report.json'))).toBe(true);
  });

  test('a crash is left to the retry (no mark), except on the index’s last attempt', () => {
    const first = run(1, {
      JOB_COMPLETION_INDEX: '1',
      FAKE_WO_EXIT: '7',
      WO_REPO_URL: 'x',
      WO_INDEX_FAILURES: '0',
    });
    expect(first.status).toBe(7);
    expect(existsSync(mark(1))).toBe(false);
    const last = run(1, {
      JOB_COMPLETION_INDEX: '1',
      FAKE_WO_EXIT: '7',
      WO_REPO_URL: 'x',
      WO_INDEX_FAILURES: '1',
    });
    expect(last.status).toBe(7);
    expect(readFileSync(mark(1), 'utf8')).toBe('7\n');
  });

  test('the merge waits for every mark, then merges the shards folder (also when a shard failed)', () => {
    run(1, { JOB_COMPLETION_INDEX: '0', FAKE_WO_EXIT: '0', WO_REPO_URL: 'x' });
    run(1, { JOB_COMPLETION_INDEX: '1', FAKE_WO_EXIT: '1', WO_REPO_URL: 'x' });
    const r = run(2, { WO_MERGE_WAIT: '30' });
    expect(r.status).toBe(0);
    expect(existsSync(join(tmp, 'slept'))).toBe(false); // every shard was over: no wait
    expect(readFileSync(join(tmp, 'merged-with'), 'utf8')).toBe(
      `report merge ${tmp}/reports/b1/shards --report ${tmp}/reports/b1/merged --junit ${tmp}/reports/b1/merged/junit.xml --timings .wo-timings.json\n`,
    );
  });

  test('a shard that never finished: the merge gives up after WO_MERGE_WAIT and merges what is there', () => {
    run(1, { JOB_COMPLETION_INDEX: '0', FAKE_WO_EXIT: '0', WO_REPO_URL: 'x' });
    const r = run(2, { WO_MERGE_WAIT: '30' });
    expect(r.status).toBe(0);
    expect(readFileSync(join(tmp, 'slept'), 'utf8')).toBe('10\n10\n10\n'); // waited 30 s, then merged
    expect(existsSync(join(tmp, 'merged-with'))).toBe(true);
  });
});
