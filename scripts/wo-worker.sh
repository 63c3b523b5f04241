#!/bin/sh
# Runs one worker's agent inside its tmux session (the session's initial program).
# Usage: wo-worker.sh SPEC_FILE — written by src/worker/launch.ts, one entry per line:
#   e<NAME=value>   export a variable          E<file>  export NAME=value read from a file
#   a<argument>     append an argument         A<file>  append an argument read from a file
#   f<argument>     an argument of the program run after the agent exited (F<file>: from a file)
#   o<path>         the agent's stdout (its event stream) is copied to this file, and the pane shows it
#                   rendered by $WO_NODE $WO_RENDER _render-events (O<file>: the path read from a file)
# Nothing here evaluates a task, feature or path: values only ever appear inside double quotes.
# Written in POSIX sh with builtins on the hot path: a Node.js start per worker would cost more
# than everything else wo does for it.

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
# they mean is decided by wo (src/worker/outcome.ts), the one place that decides.
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

# The log is written by tmux (pipe-pane) a moment after the pane prints: print a marker and wait
# until the log has it (every 2 ms, for about a second at most), so that whoever reads the log after
# the exit record sees the agent's last lines.
marker="[wo] the agent exited with code $code ($$)"
printf '\n%s\n' "$marker"
i=0
while [ "$i" -lt 500 ] && ! tail -c 4096 "$WO_WORKTREE/.worker.log" 2>/dev/null | grep -qF "$marker"; do
  sleep 0.002
  i=$((i + 1))
done

if [ -n "$missing" ]; then
  printf '%s\nnot found: %s\nwrapper: %s\n' "$code" "$missing" "$$" > "$WO_EXIT_FILE"
else
  printf '%s\nwrapper: %s\n' "$code" "$$" > "$WO_EXIT_FILE"
fi

# A worker that no runner watches (wo spawn) has its end recorded now, by wo itself.
set --
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    f*) set -- "$@" "${line#f}" ;;
    F*) v=$(cat "${line#F}"; printf x) && set -- "$@" "${v%x}" ;;
  esac
done < "$spec"
[ "$#" -gt 0 ] && "$@"
exit "$code"
