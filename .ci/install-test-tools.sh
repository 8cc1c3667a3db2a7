#!/usr/bin/env bash
# Installs, from Debian, the programs the test suite runs besides node, so that no
# test skips in CI that could run (docs/design.md, "Tests"). Idempotent: when every
# program is already there it changes nothing and does not touch the network.
#
#   program            package            tests that need it
#   python3            python3            pty prompts, non-blocking pipes, live OOM kills
#   jsonschema module  python3-jsonschema docs/policy.schema.json checked by a second validator
#   zsh, fish          zsh, fish          completion scripts run in those shells
#   promtool           prometheus         `metrics` output checked by Prometheus' own linter
#   tmux               tmux               the live screen in a real terminal
#   ansible-playbook   ansible            docs/ansible/playbook.yml; the test reads its report
#                                         through the ansible.posix.json callback, which
#                                         ansible-core lacks (~20 s, 17 MB download)
#   groff              groff-base         the man page renders without a warning
#   setpriv, unshare   util-linux         runs as uid 65534, private mount namespaces
#   systemd-analyze    systemd            docs/oomctl-watch.service verifies
#   earlyoom           earlyoom           a real earlyoom kill, in its own PID namespace
#                                         (test/live/killers-live.test.ts); its service is
#                                         never left running
#
# Not Debian, or not root and no sudo: nothing is installed, the tests that need a missing
# program skip and say why.
set -euo pipefail

# Debian package -> a program of it the tests run ("-" for a library).
declare -A PROGRAM=(
  [python3]=python3
  [python3-jsonschema]=-
  [zsh]=zsh
  [fish]=fish
  [prometheus]=promtool
  [tmux]=tmux
  [ansible]=ansible-playbook
  [groff-base]=groff
  [util-linux]=setpriv
  [systemd]=systemd-analyze
  [earlyoom]=earlyoom
)

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]; }

missing=()
for pkg in $(printf '%s\n' "${!PROGRAM[@]}" | sort); do
  installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-tools: every test tool is installed"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "install-test-tools: no apt-get here: not installing ${missing[*]}; the tests that need them skip" >&2
  exit 0
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "install-test-tools: not root: not installing ${missing[*]}; the tests that need them skip" >&2
    exit 0
  fi
fi

echo "install-test-tools: installing ${missing[*]}"
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
# Another apt on the machine holds the lock for a while: wait for it instead of failing.
APT=("${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 -q)
"${APT[@]}" update
"${APT[@]}" install -y --no-install-recommends "${missing[@]}"

# On a machine run by systemd the prometheus package starts (and enables) a
# Prometheus server; the tests need only promtool.
if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
  "${SUDO[@]}" systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi
# earlyoom's service would watch this whole machine and kill test runners; the test runs its own.
if [[ " ${missing[*]} " == *" earlyoom "* ]]; then
  if [ -d /run/systemd/system ]; then "${SUDO[@]}" systemctl disable --now earlyoom.service >/dev/null 2>&1 || true; fi
  "${SUDO[@]}" pkill -x earlyoom >/dev/null 2>&1 || true
fi

still=()
for pkg in "${!PROGRAM[@]}"; do
  prog=${PROGRAM[$pkg]}
  if ! installed "$pkg" || { [ "$prog" != - ] && ! command -v "$prog" >/dev/null; }; then still+=("$pkg"); fi
done
if [ "${#still[@]}" -ne 0 ]; then
  echo "install-test-tools: still missing after the install: ${still[*]}" >&2
  exit 1
fi
echo "install-test-tools: done in $(( $(date +%s) - start )) s"
