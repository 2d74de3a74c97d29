#!/usr/bin/env bash
# Quick start, main job: installs what it needs, builds, and shows bgp64d doing its job on real
# packets, in private network namespaces: an IPv6-only host reaches an IPv4-only server through
# the translator (Tayga) beside the border router (BIRD) with the best IPv4 path, as chosen by
# two redundant bgp64d route reflectors; the border fails over when its upstream withdraws the
# server's prefix, and the host keeps its reach when one bgp64d is killed. An IPv4-only client
# reaches an IPv6-only server the other way (SIIT-DC, RFC 7757).
#
# The scenario is tests/interop/test_e2e.sh (also a ctest test: ctest -L e2e); this script runs
# it with plain-word output. Every address is from a documentation or private range and nothing
# leaves the namespaces. Everything created is removed at the end, on Ctrl-C and on failure.
#
#   ./scripts/demo.sh          show everything, then keep it running until Ctrl-C
#   ./scripts/demo.sh --once   show everything and exit
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
once=0
case "${1:-}" in
--once) once=1 ;;
"") ;;
*)
	echo "usage: demo.sh [--once]" >&2
	exit 2
	;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (it creates network namespaces)" >&2
	exit 1
fi

scripts/deps.sh
echo "building bgp64d in build/ ..."
buildlog=$(mktemp /tmp/bgp64-demo-build.XXXXXX)
trap 'rm -f "$buildlog"' EXIT
if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
	cmake --build build -j"$(nproc)"; } >"$buildlog" 2>&1; then
	cat "$buildlog" >&2
	echo "demo.sh: the build failed" >&2
	exit 1
fi
rm -f "$buildlog"
trap - EXIT

exec env B64_DEMO=1 B64_DEMO_ONCE=$once BGP64D="$top/build/bgp64d" \
	BGP64CTL="$top/build/bgp64ctl" BGP64_SRC="$top" BGP64_BUILD="$top/build" \
	bash "$top/tests/interop/test_e2e.sh"
