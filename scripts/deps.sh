#!/usr/bin/env bash
# Installs what bgp64d needs to build, test and run on Debian 12 (idempotent: quick when
# everything is already there). Run as root.
set -euo pipefail
pkgs=(build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
      libevent-dev libnl-route-3-dev libjansson-dev libcmocka-dev
      iproute2 bird2 frr mandoc python3 procps tayga nftables iputils-ping valgrind
      systemd util-linux)  # systemd-analyze verify, setpriv (tests/interop/test_operator.sh)
missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts packaged daemons where it can; the tests start their own instances.
for svc in bird frr; do
	if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
		systemctl stop "$svc" || true
	fi
done
