// What an agent says of its login (issue 12: `wo doctor` says how each agent reaches its model), read
// from the programs' own answers:
//   Claude Code 2.1.197 `claude auth status` prints JSON: {"loggedIn", "authMethod" (none, api_key,
//     api_key_helper, oauth_token, claude.ai, third_party), "apiProvider" (firstParty, bedrock, vertex…),
//     "apiKeySource"?, and for claude.ai "email", "orgName", "subscriptionType"}; exit 1 when logged out.
//   Codex 0.171 `codex login status` prints "Logged in using ChatGPT", "API key configured - sk-…" or
//     "Not logged in" (on stderr, with warnings before it); exit 1 when logged out.
// Never the secret itself: an API key is named by where it comes from, never shown.

export interface LoginFacts {
  loggedIn: boolean;
  /** How, in words, e.g. "a claude.ai max subscription (ana@example.com)" or "an API key (ANTHROPIC_API_KEY)". */
  how?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `claude auth status`'s answer. */
export function claudeLogin(stdout: string, exitCode: number): LoginFacts {
  let j: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (parsed && typeof parsed === 'object') j = parsed as Record<string, unknown>;
  } catch {
    return { loggedIn: exitCode === 0 }; // an answer of another shape: only its exit code says anything
  }
  const loggedIn = typeof j.loggedIn === 'boolean' ? j.loggedIn : exitCode === 0;
  if (!loggedIn) return { loggedIn };
  const method = str(j.authMethod);
  const provider = str(j.apiProvider);
  const via = provider && provider !== 'firstParty' ? ` through ${provider}` : '';
  const source = str(j.apiKeySource);
  let how: string | undefined;
  if (method === 'claude.ai') {
    const plan = str(j.subscriptionType);
    const who = [str(j.email), str(j.orgName)].filter(Boolean).join(', ');
    how = `a claude.ai ${plan ? `${plan} ` : ''}subscription${who ? ` (${who})` : ''}`;
  } else if (method === 'api_key') how = `an API key${source ? ` (${source})` : ''}`;
  else if (method === 'api_key_helper') how = 'an API key from its apiKeyHelper';
  else if (method === 'oauth_token') how = `an OAuth token${source ? ` (${source})` : ''}`;
  else if (method === 'third_party') how = `a third-party provider${provider ? ` (${provider})` : ''}`;
  else if (method) how = method;
  return { loggedIn, ...(how && { how: `${how}${method === 'third_party' ? '' : via}` }) };
}

/** `codex login status`'s answer (stdout and stderr together). */
export function codexLogin(output: string, exitCode: number): LoginFacts {
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => /^(logged in|api key|not logged in)/i.test(l));
  if (!line) return { loggedIn: exitCode === 0 };
  if (/^not logged in/i.test(line)) return { loggedIn: false };
  if (/chatgpt/i.test(line)) return { loggedIn: true, how: 'a ChatGPT account' };
  if (/^api key/i.test(line)) return { loggedIn: true, how: 'an API key saved by `codex login`' };
  return { loggedIn: exitCode === 0, how: line.replace(/\s+-\s+\S+$/, '') };
}

/**
 * The provider a Codex config.toml selects (top-level `model_provider`) and the key variable its
 * `[model_providers.<name>]` table names (`env_key`); none selected: Codex's own OpenAI provider.
 * Read line by line: the two keys wo needs, not TOML in general.
 */
export function codexProviderKey(config: string): { provider?: string; envKey?: string } {
  let table = '';
  let provider: string | undefined;
  const keys = new Map<string, string>();
  for (const raw of config.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      table = header[1]!.replace(/"/g, '');
      continue;
    }
    const kv = /^([A-Za-z_]+)\s*=\s*["']([^"']*)["']$/.exec(line);
    if (!kv) continue;
    if (table === '' && kv[1] === 'model_provider') provider = kv[2];
    const own = /^model_providers\.(.+)$/.exec(table);
    if (own && kv[1] === 'env_key') keys.set(own[1]!, kv[2]!);
  }
  const envKey = provider !== undefined ? keys.get(provider) : undefined;
  return { ...(provider !== undefined && { provider }), ...(envKey !== undefined && { envKey }) };
}

/** How to let Codex reach its model, naming the key variable its configured provider reads. */
export function codexLoginHint(config: string): string {
  const { provider, envKey } = codexProviderKey(config);
  if (envKey)
    return `run \`codex login\`, or set ${envKey}, the API key variable its provider "${provider}" names (env_key in its config.toml)`;
  if (provider && provider !== 'openai')
    return `run \`codex login\`, or give its provider "${provider}" the key it needs (its config.toml names no env_key)`;
  return 'run `codex login`, or set OPENAI_API_KEY';
}
