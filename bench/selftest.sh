#!/usr/bin/env bash
# selftest.sh - checks the bench tools against each other, and optionally through BIRD.
#
#   bench/selftest.sh [-n PREFIXES] [-B BINDIR] [-p PORT] [--bird]
#
# 1. gen_table.py writes a table of N prefixes (default 100000) into a temporary directory.
# 2. IPv4: feeder --listen, sink --connect --verify-ipv4; the feeder then withdraws 10 %,
#    the sink waits for SETTLED and verifies the rest.
# 3. IPv6: the feeder sends the RFC 6052 translation itself (--xlat6), the sink checks it the
#    way it checks bgp64d (--xlat6 --nexthop6), with the same withdrawal.
#    Then the same with an RFC 2545 next hop (global + link-local, --nexthop6-ll), and once more
#    through the multi-session mode of the sink (--sessions 1, as bench/fanout uses it).
# 4. --bird: BIRD 2 as an iBGP route reflector on 127.0.0.2:1179 between feeder (127.0.0.1)
#    and sink (127.0.0.3), IPv4, with the withdrawal.
# Prints one line per check (first UPDATE sent -> DONE, withdrawal started -> SETTLED); exits 1
# on a failure.
# BINDIR holds the feeder and sink executables (default: build-bench/bench of the repository).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
n=100000
bindir="$here/../build-bench/bench"
port=11179
bird=0
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-B) bindir=$2; shift 2 ;;
	-p) port=$2; shift 2 ;;
	--bird) bird=1; shift ;;
	*) echo "usage: $0 [-n PREFIXES] [-B BINDIR] [-p PORT] [--bird]" >&2; exit 2 ;;
	esac
done
for t in feeder sink; do
	[ -x "$bindir/$t" ] || { echo "selftest: $bindir/$t missing (build the bench targets)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/bgp64-bench-selftest.XXXXXX)
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

table=$work/table.txt
python3 "$here/gen_table.py" -n "$n" -o "$table" 2>"$work/gen.err"
echo "table: $(cat "$work/gen.err")"

# event time of EVENT in a log: first field after the name
at() { awk -v e="$2" '$1 == e { print $2; exit }' "$1"; }

# report NAME FEEDER_LOG SINK_LOG SINK_STATUS
report() {
	local t0 t_done settled
	t0=$(at "$2" FIRST_UPDATE)
	t_done=$(at "$3" DONE)
	settled=$(at "$3" SETTLED)
	if [ "$4" -ne 0 ] || ! grep -Eq '^VERIFY ([0-9]+ )?ok' "$3" ||
		grep -Eq '^VERIFY ([0-9]+ )?missing' "$3"; then
		echo "$1: FAILED (sink status $4)"
		grep -E '^(VERIFY|SESSION_DOWN|NOTIFICATION|EXIT)' "$3" | sed 's/^/    /'
		fail=1
		return
	fi
	awk -v n="$1" -v a="$t0" -v d="$t_done" -v s="$settled" -v w="$(at "$2" WITHDRAW_START)" \
		'BEGIN { printf "%s: ok, DONE %.3f s after the first UPDATE", n, d - a;
			 if (s != "") printf ", SETTLED %.3f s after the withdrawal started", s - w;
			 printf "\n" }'
}

fail=0
wd="--withdraw-fraction 0.1"

# run NAME FEEDER_ARGS SINK_ARGS: feeder listens, sink connects
run() {
	local f=$work/$1.feeder s=$work/$1.sink st=0
	# shellcheck disable=SC2086
	"$bindir/feeder" --table "$table" --listen "127.0.0.1:$port" $wd --withdraw-delay 1 \
		--exit-after 2 $2 >"$f" 2>&1 &
	pids+=($!)
	# shellcheck disable=SC2086
	"$bindir/sink" --connect "127.0.0.1:$port" --table "$table" $wd \
		--expect-count-after-withdraw auto --exit-after-done 0.2 $3 >"$s" 2>&1 || st=$?
	wait "${pids[-1]}" 2>/dev/null || true
	report "$1" "$f" "$s" "$st"
}

run ipv4 "" "--verify-ipv4"
x6="--xlat6 64:ff9b::/96 --nexthop6 2001:db8::1"
run xlat6 "$x6" "$x6"
x6ll="$x6 --nexthop6-ll fe80::1"
run xlat6-ll "$x6ll" "$x6ll"

f=$work/sessions.feeder s=$work/sessions.sink st=0
# shellcheck disable=SC2086
"$bindir/feeder" --table "$table" --listen "127.0.0.1:$port" $x6ll --exit-after 2 >"$f" 2>&1 &
pids+=($!)
# shellcheck disable=SC2086
"$bindir/sink" --sessions 1 --connect "127.0.0.1:$port" --bind 127.0.1.1 --table "$table" $x6ll \
	--exit-after-done 0.2 >"$s" 2>&1 || st=$?
wait "${pids[-1]}" 2>/dev/null || true
report sessions "$f" "$s" "$st"

if [ "$bird" = 1 ]; then
	if ! command -v bird >/dev/null && [ ! -x /usr/sbin/bird ]; then
		echo "bird: not installed, skipped"
	else
		birdbin=$(command -v bird || echo /usr/sbin/bird)
		cat >"$work/bird.conf" <<-EOF
			log "$work/bird.log" { info, warning, error, fatal };
			router id 127.0.0.2;
			protocol device { }
			protocol bgp feeder {
				local 127.0.0.2 port 1179 as 64500; neighbor 127.0.0.1 as 64500;
				passive on; hold time 180; rr client; rr cluster id 127.0.0.2;
				ipv4 { import all; export all; };
			}
			protocol bgp sink {
				local 127.0.0.2 port 1179 as 64500; neighbor 127.0.0.3 as 64500;
				passive on; hold time 180; rr client; rr cluster id 127.0.0.2;
				ipv4 { import all; export all; };
			}
		EOF
		"$birdbin" -f -c "$work/bird.conf" -s "$work/bird.ctl" -P "$work/bird.pid" &
		pids+=($!)
		f=$work/bird.feeder s=$work/bird.sink st=0
		# shellcheck disable=SC2086
		"$bindir/sink" --connect 127.0.0.2:1179 --bind 127.0.0.3 --table "$table" --verify-ipv4 \
			$wd --expect-count-after-withdraw auto --exit-after-done 0.2 --timeout 30 \
			>"$s" 2>&1 &
		spid=$!
		sleep 0.5
		# shellcheck disable=SC2086
		"$bindir/feeder" --table "$table" --connect 127.0.0.2:1179 --bind 127.0.0.1 $wd \
			--withdraw-delay 2 --exit-after 2 --timeout 30 >"$f" 2>&1 &
		pids+=($!)
		wait "$spid" || st=$?
		report "bird-rr" "$f" "$s" "$st"
	fi
fi
exit "$fail"
