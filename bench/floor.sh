#!/bin/sh
# The floor: the least work a fan-out of N workers at concurrency C needs, in plain POSIX sh.
#
#   usage: bench/floor.sh N C [TASK]        (run from inside a git repository)
#
# Per worker: one `git worktree add -b`, one `tmux new-session -d` whose command is the task followed
# by `tmux wait-for -S done-<i>`, and an event-driven wait (`tmux wait-for done-<i>`) for it. At most C
# sessions are live at once: before starting worker i (> C) the script waits for worker i-C — with
# tasks of equal length that is the one due to finish first, so the window never idles.
# `git worktree add` runs serially, in the same loop (as wo does: it serialises worktree creation too,
# because concurrent adds trip over git's lock files). Nothing polls, nothing sleeps.
#
# Environment: FLOOR_SOCKET  tmux socket name (tmux -L); default wo-floor-<pid>. The server is
#                            killed at the end, and on any exit.
#              FLOOR_DIR     where the worktrees go; default ../<repo>-floor-worktrees
set -eu

N=${1:?usage: floor.sh N C [TASK]}
C=${2:?usage: floor.sh N C [TASK]}
TASK=${3:-sleep 0.2}
SOCK=${FLOOR_SOCKET:-wo-floor-$$}
ROOT=$(git rev-parse --show-toplevel)
DIR=${FLOOR_DIR:-$ROOT/../$(basename "$ROOT")-floor-worktrees}

tm() { tmux -L "$SOCK" "$@"; }
# On any exit: end the server and remove its socket file (tmux leaves it behind).
trap 'tm kill-server 2>/dev/null || true; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"' EXIT
trap 'exit 130' INT TERM

# A server that outlives its sessions: a `wait-for -S` sent while nobody waits is remembered by the
# server (the next wait returns at once), but only while the server runs.
tm start-server \; set-option -g exit-empty off

i=1
while [ "$i" -le "$N" ]; do
  [ "$i" -gt "$C" ] && tm wait-for "done-$((i - C))"
  git worktree add -q -b "floor/w$i" "$DIR/w$i"
  tm new-session -d -s "floor-w$i" -c "$DIR/w$i" "$TASK; tmux -L '$SOCK' wait-for -S done-$i"
  i=$((i + 1))
done

j=$((N - C + 1))
[ "$j" -lt 1 ] && j=1
while [ "$j" -le "$N" ]; do
  tm wait-for "done-$j"
  j=$((j + 1))
done
