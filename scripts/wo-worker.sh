#!/bin/sh
# Runs one worker's agent inside its tmux session (the session's initial program).
# Usage: wo-worker.sh SPEC_FILE — written by src/session/launch.ts, one entry per line:
#   e<NAME=value>   export a variable          E<file>  export NAME=value read from a file
#   a<argument>     append an argument         A<file>  append an argument read from a file
#   f<argument>     an argument of the program run after the agent exited (F<file>: from a file)
#   o<path>         the agent's stdout (its event stream) is copied to this file, and the pane shows it
#                   rendered by $WO_NODE $WO_RENDER _render-events (O<file>: the path read from a file)
# Nothing here evaluates a task, feature or path: values only ever appear inside double quotes.
# Written in POSIX sh with builtins on the hot path: a Node.js start per worker would cost more
# than everything else wo does for it, and each process here is one more per worker.

spec=$1
out=
set --
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    e*) export "${line#e}" ;;
    E*) v=$(cat "${line#E}"; printf x) && export "${v%x}" ;;
    a*) set -- "$@" "${line#a}" ;;
    A*) v=$(cat "${line#A}"; printf x) && set -- "$@" "${v%x}" ;;
    o*) out=${line#o} ;;
    O*) v=$(cat "${line#O}"; printf x) && out=${v%x} ;;
  esac
done < "$spec"

cd "$WO_WORKTREE" || exit 111

# Ctrl-C (sent by wo on a timeout) reaches the agent; the wrapper stays to record how it exited.
# Traps are reset in the child, so the agent still gets the default behaviour.
trap ':' INT TERM

# This wrapper records facts only (the exit code, and whether the program was there at all); what
# they mean is decided by wo (src/life/outcome.ts), the one place that decides.
missing=
if command -v -- "$1" >/dev/null 2>&1; then
  if [ -n "$out" ]; then
    # The pane still shows the stream; the copy is what wo's adapter reads. The agent's exit code
    # travels through a file, as a pipeline's status is its last command's.
    # A person who attaches reads the stream rendered ($WO_RENDER: `wo _render-events`).
    { "$@"; printf '%s\n' "$?" > "$out.code"; } | tee "$out" | "$WO_NODE" "$WO_RENDER" _render-events
    code=$(cat "$out.code" 2>/dev/null) || code=1
  else
    "$@"
    code=$?
  fi
else
  printf 'wo: %s: command not found (is the agent installed and on PATH?)\n' "$1"
  code=127
  missing=$1
fi

# The line that closes the agent's output in the log. tmux writes the log (pipe-pane) a moment after
# the pane prints, so a reader of the log's last lines waits for this line (src/protocol/lastline.ts),
# not this wrapper: no process runs here between the agent's exit and its exit record.
printf '\n[wo] the agent exited with code %s (%s)\n' "$code" "$$"

if [ -n "$missing" ]; then
  printf '%s\nnot found: %s\nwrapper: %s\n' "$code" "$missing" "$$" > "$WO_EXIT_FILE"
else
  printf '%s\nwrapper: %s\n' "$code" "$$" > "$WO_EXIT_FILE"
fi

# A worker that no runner watches (wo spawn) has its end recorded now, by wo itself. A run's worker
# has none, and wo may have removed the spec already (it holds the environment: launch.ts forgetEnv).
set --
[ -r "$spec" ] && while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    f*) set -- "$@" "${line#f}" ;;
    F*) v=$(cat "${line#F}"; printf x) && set -- "$@" "${v%x}" ;;
  esac
done < "$spec"
[ "$#" -gt 0 ] && "$@"
exit "$code"
