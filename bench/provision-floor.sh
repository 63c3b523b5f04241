#!/bin/sh
# The provisioning floor: the least work that gets N agents started in their own worktrees of a large
# repository, in plain POSIX sh (issue 13; bench/provision.js runs it beside `wo run`).
#
#   usage: bench/provision-floor.sh N DIR MARKS [LINK]     (run from the repository's main checkout)
#
# Per worker i, in one loop: `git worktree add --no-checkout -b floor/w<i> DIR/w<i>` — serial, because
# git's worktree metadata and refs need it, and it is cheap without a checkout — and then, in the
# background so that the checkouts of all workers run in parallel: `git reset --hard -q` in the
# worktree (the checkout `git worktree add` itself would run), a symbolic link DIR/w<i>/LINK to the
# main checkout's LINK (the dependency folder, e.g. node_modules), and `tmux new-session -d` whose
# command is the agent: it writes `date +%s%N` (the agent's start, in ns) to MARKS/w<i>. The script
# returns when every session has been created; the agents' starts are read from MARKS.
#
# Environment: FLOOR_SOCKET  tmux socket name (tmux -L); default wo-pfloor-<pid>. The server is left
#                            running (exit-empty off, so it outlives the short agents): the caller
#                            kills it (`tmux -L SOCKET kill-server`).
#              FLOOR_JOBS    at most this many checkouts at once (default: all N; the oldest is
#                            waited for first, as they are of the same size).
#              FLOOR_SPARSE  space-separated folders: worker i checks out only the i-th (cycled) in
#                            git's cone mode (`git sparse-checkout set --cone`, in the serial loop,
#                            since it writes the shared .git/config the first time).
set -eu

N=${1:?usage: provision-floor.sh N DIR MARKS [LINK]}
DIR=${2:?usage: provision-floor.sh N DIR MARKS [LINK]}
MARKS=${3:?usage: provision-floor.sh N DIR MARKS [LINK]}
LINK=${4:-}
SOCK=${FLOOR_SOCKET:-wo-pfloor-$$}
SPARSE=${FLOOR_SPARSE:-}
JOBS=${FLOOR_JOBS:-$N}
ROOT=$(git rev-parse --show-toplevel)

tm() { tmux -L "$SOCK" "$@"; }
tm start-server \; set-option -g exit-empty off
mkdir -p "$DIR" "$MARKS"

# The checkouts running, oldest first. `wait PID` fails the script (set -e) when that checkout failed.
running=''
n=0
i=1
while [ "$i" -le "$N" ]; do
  wt="$DIR/w$i"
  if [ "$n" -ge "$JOBS" ]; then
    # shellcheck disable=SC2086 # word splitting of the pid list is meant
    set -- $running
    wait "$1"
    shift
    running="$*"
    n=$((n - 1))
  fi
  git worktree add -q --no-checkout -b "floor/w$i" "$wt"
  if [ -n "$SPARSE" ]; then
    # shellcheck disable=SC2086 # word splitting of the folder list is meant
    set -- $SPARSE
    k=$(((i - 1) % $# + 1))
    eval "folder=\${$k}"
    git -C "$wt" sparse-checkout set --cone "$folder"
  fi
  (
    cd "$wt"
    git reset --hard -q
    [ -z "$LINK" ] || ln -s "$ROOT/$LINK" "$LINK"
    tm new-session -d -s "w$i" -c "$wt" "date +%s%N > '$MARKS/w$i'"
  ) &
  running="$running $!"
  n=$((n + 1))
  i=$((i + 1))
done
for p in $running; do wait "$p"; done
