// An agent program's version, from what its --version prints. The versions each agent is proven with
// are its install facts (src/agents/<name>.ts, `install.proven`).

/** The first x.y.z in a program's --version output. */
export function parseVersion(text: string): string | undefined {
  return /(\d+\.\d+\.\d+)/.exec(text)?.[1];
}
