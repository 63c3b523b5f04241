// The one place where precedence is decided, key by key, for every command (SPEC §3):
// command-line flags > the worker's own fields > the plan's defaults > the config's defaults > built-in DEFAULTS.
import { PRESETS } from './presets.js';
import { parseDuration } from './duration.js';
import type { ConfigFile, PlanFile, WorkerDefaults } from './schema-types.js';
import {
  DEFAULTS,
  INTEGRATION_BRANCH,
  type AgentDef,
  type IntegrateSettings,
  type ResolvedPlan,
  type ResolvedSettings,
  type WorkerSpec,
} from './types.js';

/** Flags that override the plan (already checked). */
export interface PlanFlags {
  concurrency?: number;
  timeout?: string;
}

export interface ResolveInput {
  /** Absolute path of the plan file. */
  file: string;
  plan: PlanFile;
  config: ConfigFile;
  configFile?: string;
  flags: PlanFlags;
  env: NodeJS.ProcessEnv;
}

/** The fields a worker may take from a weaker source. */
type Layer = WorkerDefaults;

const BUILT_IN: Required<Pick<Layer, 'agent' | 'retries' | 'setup' | 'copy' | 'link' | 'rate_limit_wait'>> = {
  agent: DEFAULTS.agent,
  retries: DEFAULTS.retries,
  setup: [],
  copy: [],
  link: [],
  rate_limit_wait: DEFAULTS.rateLimitWait,
};

/** The first value that is set, strongest first. */
function first<T>(...values: (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined);
}

/** What resolveSettings merges: a command without a plan (spawn, status, …) gives the config alone. */
export interface SettingsInput {
  config: ConfigFile;
  /** The plan's settings, when the command has a plan (wo run). */
  plan?: Pick<PlanFile, 'concurrency' | 'defaults' | 'worktrees' | 'agents'>;
  flags?: Pick<PlanFlags, 'concurrency'>;
  env: NodeJS.ProcessEnv;
}

/** Copies, so that no caller can change the presets or the parsed files through the settings. */
const copyAgent = (a: AgentDef): AgentDef => ({
  ...a,
  command: [...a.command],
  ...(a.env && { env: { ...a.env } }),
});

/** A file's agents as wo uses them; one that follows an adapter finishes as that preset does (claude: by its status file). */
const customAgents = (agents: ConfigFile['agents']): Record<string, AgentDef> =>
  Object.fromEntries(
    Object.entries(agents ?? {}).map(([name, a]) => [
      name,
      copyAgent({ ...a, exitsWhenDone: a.adapter ? PRESETS[a.adapter]!.exitsWhenDone : true }),
    ]),
  );

/**
 * The settings every command opens the repository with: built-in defaults < the config file < the
 * plan < flags. `wo run` and `wo spawn` see the same agents (a config agent's adapter included).
 */
export function resolveSettings(input: SettingsInput): ResolvedSettings {
  const { config, plan = {}, flags = {} } = input;
  const socket = input.env.WO_TMUX_SOCKET || config.tmux?.socket;
  const base = first(plan.defaults?.base, config.defaults?.base);
  // As a worker's: the stronger defaults that name a model decide, `models` over `model`.
  const named = [plan.defaults, config.defaults].find(
    (d) => d?.models !== undefined || d?.model !== undefined,
  );
  const model = named?.models?.[0] ?? named?.model;
  const presets = Object.fromEntries(Object.entries(PRESETS).map(([name, a]) => [name, copyAgent(a)]));
  return {
    concurrency: first(flags.concurrency, plan.concurrency, config.concurrency) ?? DEFAULTS.concurrency,
    worktrees: {
      dir: first(plan.worktrees?.dir, config.worktrees?.dir) ?? DEFAULTS.worktreesDir,
      branch: first(plan.worktrees?.branch, config.worktrees?.branch) ?? DEFAULTS.branch,
    },
    // Presets, then the config's agents, then the plan's: the plan's win.
    agents: { ...presets, ...customAgents(config.agents), ...customAgents(plan.agents) },
    tmux: { ...(socket && { socket }), prefix: config.tmux?.prefix ?? DEFAULTS.sessionPrefix },
    report: { ...(config.report?.dir !== undefined && { dir: config.report.dir }) },
    defaults: {
      agent: first(plan.defaults?.agent, config.defaults?.agent) ?? DEFAULTS.agent,
      ...(model !== undefined && { model }),
      ...(base !== undefined && { base }),
      env: { ...config.defaults?.env, ...plan.defaults?.env },
    },
  };
}

/** Merges a valid plan, its config and the flags into the model the rest of wo uses. */
export function resolvePlan(input: ResolveInput): ResolvedPlan {
  const { plan, config, flags } = input;
  const flagLayer: Layer = { ...(flags.timeout !== undefined && { timeout: flags.timeout }) };
  const planDefaults: Layer = plan.defaults ?? {};
  const configDefaults: Layer = config.defaults ?? {};
  const settings = resolveSettings({ config, plan, flags, env: input.env });

  const workers = plan.workers.map((w, index): WorkerSpec => {
    // Strongest first: flags, the worker, the plan's defaults, the config's defaults, built-in.
    const layers: Layer[] = [flagLayer, w, planDefaults, configDefaults, BUILT_IN];
    const pick = <K extends keyof Layer>(key: K): Layer[K] => first(...layers.map((l) => l[key]));
    const timeout = pick('timeout');
    const setup = pick('setup') ?? [];
    const base = pick('base');
    const verify = pick('verify');
    const maxCost = pick('max_cost_usd');
    // The strongest source that names a model decides; within one, `models` is over `model`.
    const named = layers.find((l) => l.models !== undefined || l.model !== undefined);
    const models = named?.models;
    const model = models?.[0] ?? named?.model;
    return {
      feature: w.feature,
      task: w.task,
      agent: pick('agent') ?? DEFAULTS.agent,
      ...(model !== undefined && { model }),
      ...(models !== undefined && { models: [...models] }),
      ...(base !== undefined && { base }),
      needs: [...new Set(w.needs ?? [])],
      ...(timeout !== undefined && { timeoutMs: parseDuration(timeout) }),
      retries: pick('retries') ?? DEFAULTS.retries,
      ...(maxCost !== undefined && { maxCostUsd: maxCost }),
      setup: typeof setup === 'string' ? [setup] : [...setup],
      copy: [...(pick('copy') ?? [])],
      link: [...(pick('link') ?? [])],
      // Per worker only: a sparse checkout is about what one task needs to see.
      sparse: [...new Set(w.sparse ?? [])],
      rateLimitWaitMs: parseDuration(pick('rate_limit_wait') ?? DEFAULTS.rateLimitWait),
      ...(verify !== undefined && { verify }),
      // env merges variable by variable, weakest first so that stronger sources win.
      env: Object.assign({}, ...layers.map((l) => l.env ?? {}).reverse()) as Record<string, string>,
      index,
      ...(w.best_of !== undefined && w.best_of > 1 && { bestOf: w.best_of }),
      ...(w.agents !== undefined && { tryAgents: [...w.agents] }),
      ...(w.judge !== undefined && { judge: w.judge }),
      ...(w.until === 'first' && { until: 'first' as const }),
    };
  });

  return {
    file: input.file,
    ...(input.configFile !== undefined && { configFile: input.configFile }),
    ...settings,
    workers,
    ...(plan.max_run_cost_usd !== undefined && { maxRunCostUsd: plan.max_run_cost_usd }),
    ...(plan.remote !== undefined && { remote: plan.remote }),
    ...(plan.integrate && {
      integrate: resolveIntegrate(plan.integrate, flagLayer, planDefaults, configDefaults),
    }),
    // What `wo integrate` uses for a plan without `integrate:` (SPEC §10's defaults).
    integrateDefaults: resolveIntegrate(plan.integrate ?? {}, flagLayer, planDefaults, configDefaults),
  };
}

/** `integrate:` with its defaults (SPEC §10): verify and agent from the defaults, an empty verify is none. */
function resolveIntegrate(i: NonNullable<PlanFile['integrate']>, ...layers: Layer[]): IntegrateSettings {
  const verify = i.verify ?? first(...layers.map((l) => l.verify));
  const timeout = first(...layers.map((l) => l.timeout));
  return {
    branch: i.branch ?? INTEGRATION_BRANCH,
    ...(i.base !== undefined && { base: i.base }),
    ...(verify !== undefined && verify.trim() !== '' && { verify }),
    onConflict: i.on_conflict ?? 'skip',
    agent: i.agent ?? first(...layers.map((l) => l.agent)) ?? DEFAULTS.agent,
    ...(timeout !== undefined && { timeoutMs: parseDuration(timeout) }),
  };
}
