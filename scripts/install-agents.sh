#!/usr/bin/env bash
# Installs the agent programs the tests prove wo against, at the pinned versions, into .agents/
# (kept out of git and out of node_modules, so `npm ci` and the quick start never download them).
# Runs only what is missing: a second run is instant. The pins are the versions SPEC §1's presets
# were proven with (each agent's install facts in src/agents/ name the same ones; a test checks).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${WO_AGENTS_DIR:-$PWD/.agents}"
pins=("@anthropic-ai/claude-code@2.1.197" "@openai/codex@0.171.0")
declare -A bin=(["@anthropic-ai/claude-code"]=claude ["@openai/codex"]=codex)
for pin in "${pins[@]}"; do
  name="${pin%@*}"
  version="${pin##*@}"
  slug="${name#@}"
  prefix="$dir/${slug//\//-}-$version"
  if [ -f "$prefix/.installed" ]; then
    continue
  fi
  echo "agents: installing $pin into $prefix"
  rm -rf "$prefix"
  mkdir -p "$prefix"
  # Install scripts of dependencies stay off; the program's own postinstall (Claude Code copies its
  # native binary into place) is run by name below, and only if it has one.
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock --ignore-scripts "$pin" >/dev/null
  if [ -f "$prefix/node_modules/$name/install.cjs" ]; then
    (cd "$prefix/node_modules/$name" && node install.cjs >/dev/null)
  fi
  "$prefix/node_modules/.bin/${bin[$name]}" --version
  touch "$prefix/.installed"
done
