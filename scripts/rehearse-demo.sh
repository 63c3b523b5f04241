#!/usr/bin/env bash
# The README's second demo: the real Claude Code and Codex at work in tmux sessions, against wo's
# scripted model (wo run --rehearse, docs/rehearsal.md), with no account and no key. Installs the
# pinned agent programs into .agents/ when they are missing (scripts/install-agents.sh), builds wo,
# then rehearses examples/rehearsal.yaml. Watch a worker with `tmux attach -t wt-claude-demo` (or
# `node bin/wo.cjs attach claude-demo`) while it runs; `node bin/wo.cjs clean --force` removes them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-agents.sh
[ -f dist/cli.js ] || npm run build >/dev/null
dir="${WO_AGENTS_DIR:-$PWD/.agents}"
PATH="$dir/anthropic-ai-claude-code-2.1.197/node_modules/.bin:$dir/openai-codex-0.171.0/node_modules/.bin:$PATH"
export PATH
exec node bin/wo.cjs run examples/rehearsal.yaml --rehearse "$@"
