// The fixture of the hardening cases that run the built wo: a repository and a tmux server of its
// own for each test, with wo's environment for them (plain CI progress), removed after it.
import { makeRepo, makeTmux, testEnv, type TempRepo, type TempTmux } from '../helpers.js';

export interface RepoWithTmux {
  repo: TempRepo;
  t: TempTmux;
  env: NodeJS.ProcessEnv;
}

/** Registers the fixture's beforeEach and afterEach; `set` is given each test's fixture. */
export function eachRepoWithTmux(set: (f: RepoWithTmux) => void): void {
  let f: RepoWithTmux | undefined;
  beforeEach(() => {
    const repo = makeRepo();
    const t = makeTmux();
    f = { repo, t, env: testEnv(repo.home, { WO_TMUX_SOCKET: t.socket, CI: '1' }) };
    set(f);
  });
  afterEach(() => {
    f?.t.cleanup();
    f?.repo.cleanup();
    f = undefined;
  });
}
