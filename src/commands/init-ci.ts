// `wo init --ci gitlab|buildkite|kubernetes` (SPEC §13): the pipeline that runs a plan as N parallel shard
// jobs (each `wo run --shard auto`, its report folder kept also when it fails) and a merge job that runs
// also when a shard failed. Pure templates: wo's version, the agent package to install and the shard count
// in, the file's text out.

export const PACKAGE = 'worker-orchestrator';

/** What a template is made of: wo's version, the agent's npm package@version, how many shards. */
export interface CiTemplate {
  version: string;
  /** e.g. `@anthropic-ai/claude-code@2.1.197`: the agent the starter plan uses, at its proven version. */
  agentPackage: string;
  shards?: number;
}

/** Where each CI's file goes, from the repository root. */
export const CI_FILES = {
  github: '.github/workflows/wo.yml',
  gitlab: '.gitlab-ci.yml',
  buildkite: '.buildkite/pipeline.yml',
  kubernetes: 'k8s/wo.yaml',
} as const;

export type CiName = keyof typeof CI_FILES;
export const CI_NAMES = Object.keys(CI_FILES) as CiName[];

/** Copies each worker's log into the report folder given as $1 (the worktrees sit beside the checkout). */
const collectLogs = (dir: string): string =>
  `mkdir -p "${dir}/logs"; for log in ../*-worktrees/*/.worker.log; do if [ -f "$log" ]; then cp "$log" "${dir}/logs/$(basename "$(dirname "$log")").log"; fi; done`;

/** Indents every non-empty line by n spaces (a block scalar's body). */
const indent = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l) => (l ? ' '.repeat(n) + l : l))
    .join('\n');

/** GitLab CI: a `parallel:` shard job and a merge job with `when: always`. */
export function gitlabPipeline({ version, agentPackage, shards = 3 }: CiTemplate): string {
  return `# Runs workers.yaml with wo (${PACKAGE}) as ${shards} parallel shard jobs, then merges their reports into
# one (report.html, report.md, JUnit) in a final job. Written by \`wo init --ci gitlab\`; explained in
# https://unpkg.com/${PACKAGE}@${version}/docs/ci-gitlab.md
# Set ANTHROPIC_API_KEY as a masked CI/CD variable. To change the number of shards, change \`parallel\`.
stages:
  - shard
  - report

variables:
  GIT_DEPTH: "0"   # the workers branch from this history

wo-shard:
  stage: shard
  image: node:20-bookworm
  parallel: ${shards}   # sets CI_NODE_INDEX (1-based) and CI_NODE_TOTAL, which --shard auto reads
  timeout: 2h
  cache:
    key: wo-timings
    paths:
      - .wo/timings.json   # durations of earlier runs: shards are balanced by them
    policy: pull           # every shard starts from the same file; the merge job saves the new one
  before_script:
    - apt-get update && apt-get install -y tmux
    - npm install -g ${PACKAGE}@${version} ${agentPackage}
    - git config --global user.name "wo"
    - git config --global user.email "wo@localhost"
  script:
    # Each shard's report goes to a folder of its own: the merge job gets them all side by side.
    - wo run workers.yaml --shard auto --report "wo-report/shard-$CI_NODE_INDEX" --junit "wo-report/shard-$CI_NODE_INDEX/junit.xml"
  after_script:
    - ${collectLogs('wo-report/shard-$CI_NODE_INDEX')}
  artifacts:
    when: always   # a failed shard's report is the one that matters
    paths:
      - wo-report/   # the merge job's JUnit is the pipeline's test report (each worker counted once)
    expire_in: 30 days

wo-report:
  stage: report
  image: node:20-bookworm
  when: always   # runs also when a shard failed
  needs:
    - job: wo-shard
      artifacts: true
  cache:
    key: wo-timings
    paths:
      - .wo/timings.json
    policy: push
  script:
    - npm install -g ${PACKAGE}@${version}
    - wo report merge wo-report --report wo-merged --junit wo-merged/junit.xml
  artifacts:
    when: always
    expose_as: wo report
    paths:
      - wo-merged/
    reports:
      junit: wo-merged/junit.xml
    expire_in: 30 days
`;
}

/** Buildkite: a step with `parallelism:` and a merge step that is allowed to follow a failed one. */
export function buildkitePipeline({ version, agentPackage, shards = 3 }: CiTemplate): string {
  // Every $ doubled: Buildkite fills in $VARIABLES when the pipeline is uploaded, $$ is a $ for the job.
  const shardCommand = `npm install -g ${PACKAGE}@${version} ${agentPackage}
git config --global user.name "wo"
git config --global user.email "wo@localhost"
status=0
wo run workers.yaml --shard auto --report "wo-report/shard-$BUILDKITE_PARALLEL_JOB" --junit "wo-report/shard-$BUILDKITE_PARALLEL_JOB/junit.xml" || status=$?
${collectLogs('wo-report/shard-$BUILDKITE_PARALLEL_JOB')}
exit $status`.replaceAll('$', '$$$$');
  return `# Runs workers.yaml with wo (${PACKAGE}) as ${shards} parallel shard jobs, then merges their reports into
# one (report.html, report.md, JUnit) in a final step. Written by \`wo init --ci buildkite\`; explained in
# https://unpkg.com/${PACKAGE}@${version}/docs/ci-buildkite.md
# The agents need Node.js 20, git and tmux; ANTHROPIC_API_KEY comes from the agent's environment hook or a
# secrets plugin. $$ keeps a $ for the job's shell (Buildkite fills in $VARIABLES at upload, when empty).
# To change the number of shards, change \`parallelism\`.
steps:
  - label: ":robot_face: wo shard %n"
    key: wo-shard
    parallelism: ${shards}   # sets BUILDKITE_PARALLEL_JOB (0-based) and _COUNT, which --shard auto reads
    timeout_in_minutes: 120
    command: |
${indent(shardCommand, 6)}
    # Uploaded whatever the command's exit status: a failed shard's report is the one that matters.
    artifact_paths: "wo-report/**/*"

  - label: ":bar_chart: wo report"
    key: wo-report
    depends_on: wo-shard
    allow_dependency_failure: true   # runs also when a shard failed
    command: |
      npm install -g ${PACKAGE}@${version}
      buildkite-agent artifact download "wo-report/**/*" .
      wo report merge wo-report --report wo-merged --junit wo-merged/junit.xml
    artifact_paths: "wo-merged/**/*"
`;
}

/**
 * Kubernetes: an Indexed Job of shards (one pod per index, each retried on its own) writing to a shared
 * volume, and a merge Job that waits there until every shard has finished, however it finished.
 */
export function kubernetesManifest({ version, agentPackage, shards = 3 }: CiTemplate): string {
  const shardScript = `set -u
out="/reports/$WO_BATCH/shards/shard-$JOB_COMPLETION_INDEX"
rm -rf "$out" && mkdir -p "$out"
# The merge Job waits for a finished mark per shard: written when wo ended (its exit codes fail the index
# for good, see podFailurePolicy) or when this was the index's last attempt.
status=setup
finish() {
  case "$status" in 0|1|2|3|130) echo "$status" > "$out/finished" ;; *)
    if [ "\${WO_INDEX_FAILURES:-0}" -ge 1 ]; then echo "$status" > "$out/finished"; fi ;; esac
}
trap finish EXIT
apt-get update -qq && apt-get install -y -qq tmux >/dev/null || exit
npm install -g ${PACKAGE}@${version} ${agentPackage} || exit
git config --global user.name "wo"
git config --global user.email "wo@localhost"
git clone --quiet "$WO_REPO_URL" /work/repo && cd /work/repo || exit
# Every shard starts from the durations the last merge saved, so that all of them split alike.
mkdir -p .wo && { cp /reports/timings.json .wo/timings.json 2>/dev/null || true; }
status=0
wo run workers.yaml --shard auto --report "$out" --junit "$out/junit.xml" || status=$?
${collectLogs('$out')}
exit "$status"`;
  const mergeScript = `set -u
npm install -g ${PACKAGE}@${version}
dir="/reports/$WO_BATCH"
# Wait until every shard wrote its finished mark (or give up after WO_MERGE_WAIT seconds: the merge
# then names the missing shards).
waited=0
until [ "$(ls "$dir"/shards/shard-*/finished 2>/dev/null | wc -l)" -ge "$WO_SHARD_TOTAL" ] || [ "$waited" -ge "$WO_MERGE_WAIT" ]; do
  sleep 10; waited=$((waited + 10))
done
git init --quiet /work/merge && cd /work/merge || exit
cp /reports/timings.json .wo-timings.json 2>/dev/null || true
# The shards' folders apart from the merged one, so that merging again (a retried pod) reads only them.
wo report merge "$dir/shards" --report "$dir/merged" --junit "$dir/merged/junit.xml" --timings .wo-timings.json
status=$?
cp .wo-timings.json /reports/timings.json 2>/dev/null
exit $status`;
  const common = `          image: node:20-bookworm
          volumeMounts:
            - name: reports
              mountPath: /reports`;
  return `# Runs workers.yaml with wo (${PACKAGE}) as an Indexed Job of ${shards} shards, then merges their reports
# (report.html, report.md, JUnit) on the shared volume. Written by \`wo init --ci kubernetes\`; explained
# in https://unpkg.com/${PACKAGE}@${version}/docs/ci-kubernetes.md
# Before \`kubectl apply -f k8s/wo.yaml\`: set WO_REPO_URL (both Jobs) to a clone URL the pods can read,
# create the secret (kubectl create secret generic wo-secrets --from-literal=anthropic-api-key=...),
# and for a new batch change WO_BATCH and delete the two Jobs of the last one.
# To change the number of shards, change completions, parallelism and WO_SHARD_TOTAL together.
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: wo-reports
spec:
  accessModes:
    - ReadWriteMany   # every shard pod and the merge pod mount it at once (NFS, CephFS, EFS, Filestore…)
  resources:
    requests:
      storage: 1Gi
---
apiVersion: batch/v1
kind: Job
metadata:
  name: wo-shards
  labels:
    app.kubernetes.io/name: wo
spec:
  completionMode: Indexed   # sets JOB_COMPLETION_INDEX (0-based), which --shard auto reads
  completions: ${shards}
  parallelism: ${shards}
  backoffLimitPerIndex: 1     # each shard is retried once on its own; the others go on
  maxFailedIndexes: ${shards}      # a failed shard does not stop the rest: its report still counts
  podFailurePolicy:
    rules:
      # wo's own exit codes (workers not done, bad usage, environment, interrupted) are final: running
      # the shard's agents again would cost as much again. Anything else (a crash) is retried.
      - action: FailIndex
        onExitCodes:
          containerName: shard
          operator: In
          values: [1, 2, 3, 130]
  template:
    metadata:
      labels:
        app.kubernetes.io/name: wo
    spec:
      restartPolicy: Never
      containers:
        - name: shard
${common}
          env:
            - name: WO_SHARD_TOTAL
              value: "${shards}"   # = completions
            - name: WO_BATCH
              value: "1"
            - name: WO_REPO_URL
              value: "https://example.com/your/repository.git"
            - name: WO_INDEX_FAILURES   # failed attempts of this index so far (backoffLimitPerIndex)
              valueFrom:
                fieldRef:
                  fieldPath: metadata.annotations['batch.kubernetes.io/job-index-failure-count']
            - name: ANTHROPIC_API_KEY
              valueFrom:
                secretKeyRef:
                  name: wo-secrets
                  key: anthropic-api-key
          command:
            - bash
            - -c
            - |
${indent(shardScript, 14)}
      volumes:
        - name: reports
          persistentVolumeClaim:
            claimName: wo-reports
---
apiVersion: batch/v1
kind: Job
metadata:
  name: wo-report
  labels:
    app.kubernetes.io/name: wo
spec:
  backoffLimit: 2
  podFailurePolicy:
    rules:
      # The merge's own verdict (workers not done, no reports) is final; a crash is retried.
      - action: FailJob
        onExitCodes:
          containerName: merge
          operator: In
          values: [1, 2, 3]
  template:
    metadata:
      labels:
        app.kubernetes.io/name: wo
    spec:
      restartPolicy: Never
      containers:
        - name: merge
${common}
          env:
            - name: WO_SHARD_TOTAL
              value: "${shards}"
            - name: WO_BATCH
              value: "1"
            - name: WO_MERGE_WAIT
              value: "10800"   # seconds: longer than a shard can take, retries included
          command:
            - bash
            - -c
            - |
${indent(mergeScript, 14)}
      volumes:
        - name: reports
          persistentVolumeClaim:
            claimName: wo-reports
`;
}
