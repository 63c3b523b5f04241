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
