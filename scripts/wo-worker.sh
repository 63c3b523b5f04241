#!/bin/sh
# Runs one worker's agent inside its tmux session (the session's initial program).
# Usage: wo-worker.sh SPEC_FILE — written by src/worker/launch.ts, one entry per line:
#   e<NAME=value>   export a variable          E<file>  export NAME=value read from a file
#   a<argument>     append an argument         A<file>  append an argument read from a file
# Nothing here evaluates a task, feature or path: values only ever appear inside double quotes.
# Written in POSIX sh with builtins on the hot path: a Node.js start per worker would cost more
# than everything else wo does for it.

spec=$1
set --
while IFS= read -r line || [ -n "$line" ]; do
  case $line in
    e*) export "${line#e}" ;;
    E*) v=$(cat "${line#E}"; printf x) && export "${v%x}" ;;
    a*) set -- "$@" "${line#a}" ;;
    A*) v=$(cat "${line#A}"; printf x) && set -- "$@" "${v%x}" ;;
  esac
done < "$spec"

cd "$WO_WORKTREE" || exit 111

# Ctrl-C (sent by wo on a timeout) reaches the agent; the wrapper stays to record the outcome.
# Traps are reset in the child, so the agent still gets the default behaviour.
trap ':' INT TERM

"$@"
code=$?
[ "$code" -eq 127 ] && printf 'wo: %s: command not found (is the agent installed and on PATH?)\n' "$1"

printf '%s\n' "$code" > "$WO_EXIT_FILE"

st=
[ -f "$WO_STATUS_FILE" ] && read -r st < "$WO_STATUS_FILE"
case $st in
  '' | running)
    if [ ! -s "$WO_RESULT_FILE" ]; then
      # The log is written by tmux (pipe-pane) a moment after the pane prints: print a marker, and
      # read the log until the marker is in it (every 2 ms, for at most about a second), so that the
      # result quotes the agent's real last lines. One tail and one awk a look: the awk both finds
      # the marker and writes the result (the last 20 lines, with colour codes, carriage returns,
      # wo's own lines and trailing blank lines left out).
      marker="[wo] the agent exited with code $code ($$)"
      printf '\n%s\n' "$marker"
      tmp="$WO_RESULT_FILE.tmp.$$"
      i=0
      until tail -c 65536 "$WO_WORKTREE/.worker.log" 2>/dev/null | awk -v marker="$marker" \
        -v code="$code" -v give_up="$((i >= 250))" '
          { gsub(/\033\[[0-9;?]*[A-Za-z]/, ""); gsub(/\r/, "") }
          $0 == marker { found = 1; next }
          /^\[wo\] / { next }
          NF == 0 { blank++; next }
          { for (; blank > 0; blank--) line[n++] = ""; line[n++] = $0 }
          END {
            if (!found && !give_up) exit 1
            printf "The agent exited with code %s without writing a result.\n\nLast output:\n\n```\n", code
            for (k = (n > 20 ? n - 20 : 0); k < n; k++) print line[k]
            print "```"
          }' > "$tmp"; do
        sleep 0.002
        i=$((i + 1))
      done
      mv -f "$tmp" "$WO_RESULT_FILE"
    fi
    if [ "$code" -eq 0 ]; then st=done; else st=failed; fi
    printf '%s\n' "$st" > "$WO_STATUS_FILE.tmp.$$" && mv -f "$WO_STATUS_FILE.tmp.$$" "$WO_STATUS_FILE"
    ;;
esac
exit "$code"
