#!/usr/bin/env bash
# The test command (README): installs dependencies, builds from scratch with gcc, runs every
# test through ctest (unit, fuzz-corpus replay, interop with real BIRD and FRR), then the unit
# tests, corpora and interop tests again with everything built under ASan+UBSan (clang), a
# short libFuzzer run of every target, the clang-format and install checks and the manual page
# lint. Exits non-zero on the first failure.
#   FUZZ_SECONDS=N   seconds per fuzz target (default 20; 0 skips fuzzing)
#   SKIP_INTEROP=1   leave out the interop tests (they need root and network namespaces)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n=== %s\n' "$*"; }

step "dependencies"
scripts/deps.sh

step "build (gcc, warnings as errors)"
rm -rf build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc -DBGP64_WERROR=ON \
	>/dev/null
cmake --build build -j"$jobs"

# The README's build lines for users (Release and Debug, gcc, no -Werror by default): both
# must build; here with -Werror so that a warning only -O3 or -O0 shows is caught too.
for type in Release Debug; do
	step "build for users: $type (gcc)"
	rm -rf "build-$type"
	cmake -S . -B "build-$type" -DCMAKE_BUILD_TYPE="$type" -DCMAKE_C_COMPILER=gcc \
		-DBGP64_WERROR=ON >/dev/null
	cmake --build "build-$type" -j"$jobs"
	"build-$type/bgp64d" -n -c etc/bgp64d.json
	rm -rf "build-$type"
done

step "tests"
if [ "${SKIP_INTEROP:-0}" = 1 ]; then
	ctest --test-dir build --output-on-failure -j"$jobs" -LE interop
else
	ctest --test-dir build --output-on-failure -j"$jobs" -LE interop
	ctest --test-dir build --output-on-failure -L interop
fi

step "unit tests and corpora under ASan+UBSan (clang)"
rm -rf build-asan
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	-DBGP64_SANITIZE=ON -DBGP64_FUZZ=ON -DBGP64_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs" -L unit
if [ "${SKIP_INTEROP:-0}" != 1 ]; then
	step "interop tests against the ASan+UBSan daemon"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir build-asan --output-on-failure -L interop
fi

secs=${FUZZ_SECONDS:-20}
if [ "$secs" -gt 0 ]; then
	step "libFuzzer, ${secs}s per target"
	for f in build-asan/tests/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f"); target=${name#fuzz_}
		corpus=$(mktemp -d)
		cp -r "tests/fuzz/$target.in/." "$corpus/"
		echo "--- $name"
		"$f" -max_total_time="$secs" -max_len=70000 -print_final_stats=0 \
			-artifact_prefix="$top/build-asan/crash-$target-" "$corpus" 2>&1 | tail -n 3
		rc=${PIPESTATUS[0]}
		rm -rf "$corpus"
		if [ "$rc" -ne 0 ]; then
			echo "fuzzer $name failed (rc $rc); reproducer in build-asan/" >&2
			exit 1
		fi
	done
fi

step "formatting (clang-format, .clang-format)"
bad=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' | while read -r f; do
	clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"
done)
if [ -n "$bad" ]; then
	echo "not formatted (run clang-format -i):" $bad >&2
	exit 1
fi

step "install"
dest=$(mktemp -d)
DESTDIR="$dest" cmake --install build >/dev/null
for f in sbin/bgp64d sbin/bgp64ctl man8/bgp64d.8 man8/bgp64ctl.8 man5/bgp64d.json.5 \
	etc/bgp64d.json system/bgp64d.service sysusers.d/bgp64d.conf; do
	if [ -z "$(find "$dest" -path "*/$f" -print -quit)" ]; then
		echo "install: */$f missing" >&2
		exit 1
	fi
done
"$(find "$dest" -path '*/sbin/bgp64d')" -n -c "$(find "$dest" -path '*/etc/bgp64d.json')"
rm -rf "$dest"

step "manual pages"
for m in man/*.[0-9]; do
	out=$(mandoc -T lint -W warning "$m" 2>&1 || true)
	if [ -n "$out" ]; then
		echo "$out" >&2
		exit 1
	fi
done
echo "all tests passed"
