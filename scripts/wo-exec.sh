#!/bin/sh
# Starts git and tmux for `wo run`, so that the runner does not fork itself (a Node.js process of
# tens of megabytes) once per call: this shell forks in a fraction of the time.
# Usage: wo-exec.sh DIR — requests arrive on standard input, one entry per line:
#   c<folder>     the folder to run in          a<argument>   append an argument (the first: the program)
#   r<id>         run it in the background; its output goes to DIR/<id>.o and DIR/<id>.e, and
#                 "<id> <exit code>" is printed on standard output when it has ended
# Nothing here evaluates an argument or a path: values only ever appear inside double quotes.

dir=$1
cwd=.
set --
while IFS= read -r line; do
  case $line in
    c*) cwd=${line#c} ;;
    a*) set -- "$@" "${line#a}" ;;
    r*)
      id=${line#r}
      {
        if cd "$cwd" 2>"$dir/$id.e"; then
          "$@" </dev/null >"$dir/$id.o" 2>"$dir/$id.e"
          code=$?
        else
          code=126
        fi
        printf '%s %s\n' "$id" "$code"
      } &
      cwd=.
      set --
      ;;
  esac
done
