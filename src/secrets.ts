// Secrets kept out of what wo keeps of a screen (SPEC §1 Live states, §9): a dialog that shows an
// API key's tail ("Detected a custom API key … sk-ant-…0123456789") must not land in a report.

/** The names of environment variables whose values are taken as secrets. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i;
/** The shortest part of a secret that is masked: shorter runs are too common to mean the secret. */
const MIN_PART = 8;
/** Key-shaped words masked whatever the environment says (`sk-…`, GitHub tokens). */
const KEY_SHAPED = /\b(?:sk-[A-Za-z0-9_-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,})/g;

export const MASK = '••••••';

/** The secret values of an environment: those of variables named like secrets, long enough to mean one. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([k, v]) => SECRET_NAME.test(k) && typeof v === 'string' && v.length >= MIN_PART)
    .map(([, v]) => v!);
}

/**
 * `text` with every secret of `env` masked, and every part of one at least MIN_PART characters long
 * (a dialog shows a key's tail, a prompt its start), and key-shaped words whatever their source.
 */
export function maskSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let out = text;
  for (const secret of secretValues(env)) {
    // Longest parts first, so that a whole key is one mask, not several.
    for (let len = secret.length; len >= MIN_PART; len--)
      for (let start = 0; start + len <= secret.length; start++) {
        const part = secret.slice(start, start + len);
        if (out.includes(part)) out = out.split(part).join(MASK);
      }
  }
  return out.replace(KEY_SHAPED, MASK);
}
