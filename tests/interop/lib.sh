# shellcheck shell=bash
#
# Shared code of the interop tests (tests/interop/test_*.sh): network namespaces joined by veth
# pairs, real BIRD 2 and FRR bgpd instances, bgp64d itself, and assertions that print what they
# checked. Sourced by every test; needs root, iproute2, bird2, frr and python3.
#
# Everything a test creates lives under names unique to its process: namespaces are
# "b64-<pid>-<name>", files are in one temporary directory ($T). A trap on EXIT stops every
# process the test started (by recorded pid, then whatever is left inside its own namespaces),
# deletes the namespaces and the directory, and prints the daemons' logs when the test failed.
#
# Environment (set by ctest, see tests/CMakeLists.txt):
#   BGP64D, BGP64CTL   the binaries under test
#   BGP64_SRC          the source tree;  BGP64_BUILD  the build tree (for bench/feeder, bench/sink)
#   B64_KEEP=1         keep the temporary directory (and print its path) for a post-mortem
#   B64_VERBOSE=1      trace the test (set -x)
#   B64_QUIET_PASS=1   count the checks that pass without printing them (the demo)
#
# Addressing: link N between namespaces A and B gives A 10.0.N.1/24 + fd00:N::1/64 and
# B 10.0.N.2/24 + fd00:N::2/64 (IPv6 without DAD so it is usable at once).

set -uo pipefail
[ "${B64_VERBOSE:-0}" = 1 ] && set -x

B64_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
B64_SRC=${BGP64_SRC:-$(cd "$B64_DIR/../.." && pwd)}
B64_BUILD=${BGP64_BUILD:-$B64_SRC/build}
BGP64D=${BGP64D:-$B64_BUILD/bgp64d}
BGP64CTL=${BGP64CTL:-$B64_BUILD/bgp64ctl}
BIRD=${BIRD:-/usr/sbin/bird}
BIRDC=${BIRDC:-/usr/sbin/birdc}
FRR_BGPD=${FRR_BGPD:-/usr/lib/frr/bgpd}
VTYSH=${VTYSH:-/usr/bin/vtysh}
JCHECK="python3 $B64_DIR/jcheck.py"

B64_TEST=$(basename "${0%.sh}")
B64_TAG="b64-$$"
T=$(mktemp -d "/tmp/$B64_TAG-$B64_TEST.XXXXXX")
chmod 755 "$T"

declare -a B64_NS=()          # namespaces created (full names)
declare -A B64_PID=()         # process name -> pid
declare -A B64_LOG=()         # process name -> log file
declare -a B64_LOGORDER=()    # process names in start order (for the failure dump)
declare -a B64_DAEMONS=()     # bgp64d instances (their state is dumped on failure)
declare -a B64_BIRDS=()       # BIRD instances (same)
B64_CHECKS=0
B64_FAILED=0

# ---------------------------------------------------------------- reporting

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }

pass() {
	B64_CHECKS=$((B64_CHECKS + 1))
	[ "${B64_QUIET_PASS:-0}" = 1 ] || printf 'PASS: %s\n' "$*"
}

# fail MESSAGE: the test is over; the EXIT trap prints the logs and cleans up.
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	B64_FAILED=1
	exit 1
}

# skip MESSAGE: a prerequisite is missing (exit 77, which ctest may be told to count as skip).
skip() {
	printf 'SKIP: %s\n' "$*" >&2
	exit 77
}

# ---------------------------------------------------------------- polling and assertions

# wait_for TIMEOUT DESCRIPTION CMD...: poll CMD (every 0.3 s) until it succeeds.
wait_for() {
	local timeout=$1 desc=$2
	shift 2
	local end=$((SECONDS + timeout))
	while :; do
		if "$@" >/dev/null 2>&1; then
			pass "$desc"
			return 0
		fi
		[ $SECONDS -ge $end ] && break
		sleep 0.3
	done
	fail "$desc (not true after ${timeout}s: $*)"
}

# wait_eq TIMEOUT DESCRIPTION EXPECTED CMD...: poll until CMD prints EXPECTED.
wait_eq() {
	local timeout=$1 desc=$2 want=$3
	shift 3
	local end=$((SECONDS + timeout)) got
	while :; do
		got=$("$@" 2>&1)
		if [ "$got" = "$want" ]; then
			pass "$desc = $want"
			return 0
		fi
		[ $SECONDS -ge $end ] && break
		sleep 0.3
	done
	fail "$desc: expected [$want], got [$got] after ${timeout}s"
}

# stays_eq SECONDS DESCRIPTION EXPECTED CMD...: CMD prints EXPECTED during the whole period.
stays_eq() {
	local period=$1 desc=$2 want=$3
	shift 3
	local end=$((SECONDS + period)) got
	while :; do
		got=$("$@" 2>&1)
		[ "$got" = "$want" ] || fail "$desc: expected [$want] to hold for ${period}s, got [$got]"
		[ $SECONDS -ge $end ] && break
		sleep 0.5
	done
	pass "$desc = $want (held ${period}s)"
}

# assert_eq DESCRIPTION EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1 = $2"
	else
		fail "$1: expected [$2], got [$3]"
	fi
}

# assert_match DESCRIPTION EXTENDED-REGEX ACTUAL
assert_match() {
	if [[ $3 =~ $2 ]]; then
		pass "$1 ~ /$2/"
	else
		fail "$1: expected a match of /$2/, got [$3]"
	fi
}

# assert_line DESCRIPTION EXTENDED-REGEX TEXT: some line of TEXT matches REGEX.
assert_line() {
	if grep -Eq -- "$2" <<<"$3"; then
		pass "$1: a line matches /$2/"
	else
		fail "$1: no line matches /$2/ in:
$3"
	fi
}

# log_has NAME REGEX: the log of process NAME has a line matching REGEX (grep -E).
log_has() {
	grep -Eq -- "$2" "${B64_LOG[$1]}"
}

# ---------------------------------------------------------------- namespaces and links

ns() { printf '%s-%s' "$B64_TAG" "$1"; }

# ns_add NAME...: create namespaces (loopback up, IPv6 forwarding off, no DAD).
ns_add() {
	local n full
	for n in "$@"; do
		full=$(ns "$n")
		ip netns add "$full" || fail "ip netns add $full"
		B64_NS+=("$full")
		ip -n "$full" link set lo up
		ip netns exec "$full" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 >/dev/null 2>&1 || true
	done
}

# in_ns NAME CMD...: run CMD inside namespace NAME.
in_ns() {
	local n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}

# link A B N: veth pair between namespaces A and B ("to-B" in A, "to-A" in B) with
# 10.0.N.1/24, fd00:N::1/64 on A and 10.0.N.2/24, fd00:N::2/64 on B.
link() {
	local a=$1 b=$2 n=$3
	local ia="to-$b" ib="to-$a"
	ip link add "${ia:0:15}" netns "$(ns "$a")" type veth peer name "${ib:0:15}" \
		netns "$(ns "$b")" || fail "veth $a-$b"
	ip -n "$(ns "$a")" addr add "10.0.$n.1/24" dev "${ia:0:15}"
	ip -n "$(ns "$b")" addr add "10.0.$n.2/24" dev "${ib:0:15}"
	ip -n "$(ns "$a")" addr add "fd00:$n::1/64" dev "${ia:0:15}" nodad
	ip -n "$(ns "$b")" addr add "fd00:$n::2/64" dev "${ib:0:15}" nodad
	ip -n "$(ns "$a")" link set "${ia:0:15}" up
	ip -n "$(ns "$b")" link set "${ib:0:15}" up
}

# addr_add NAME IFACE ADDR/LEN: one more address (IPv6 without DAD).
addr_add() {
	if [[ $3 == *:* ]]; then
		ip -n "$(ns "$1")" addr add "$3" dev "$2" nodad
	else
		ip -n "$(ns "$1")" addr add "$3" dev "$2"
	fi
}

# ---------------------------------------------------------------- processes

# spawn NAME NS CMD...: start CMD in namespace NS in the background, output to $T/NAME.log.
# `ip netns exec` execs the command, so the recorded pid is the daemon's own.
spawn() {
	local name=$1 n=$2
	shift 2
	local log="$T/$name.log"
	: >"$log"
	ip netns exec "$(ns "$n")" "$@" >>"$log" 2>&1 </dev/null &
	B64_PID[$name]=$!
	B64_LOG[$name]=$log
	[[ " ${B64_LOGORDER[*]} " == *" $name "* ]] || B64_LOGORDER+=("$name")
}

# alive NAME: the process is still running.
alive() {
	local p=${B64_PID[$1]:-}
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null
}

# stop NAME [SIGNAL]: signal the process (TERM by default), wait up to 10 s (then KILL) and
# return its exit status.
stop() {
	local name=$1 sig=${2:-TERM} p=${B64_PID[$1]:-} i rc
	[ -n "$p" ] || return 0
	kill -s "$sig" "$p" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		say "note: $name (pid $p) did not exit on SIG$sig within 10s, killing it"
		kill -KILL "$p" 2>/dev/null
	fi
	wait "$p" 2>/dev/null
	rc=$?
	unset "B64_PID[$name]"
	return $rc
}

# ---------------------------------------------------------------- bgp64d

# b64_conf NAME: the path where a test writes the JSON configuration of bgp64d instance NAME.
b64_conf() { printf '%s/%s.json' "$T" "$1"; }
b64_sock() { printf '%s/%s.sock' "$T" "$1"; }

need_bgp64d() {
	[ -x "$BGP64D" ] || fail "bgp64d binary not found at $BGP64D (set BGP64D)"
	[ -x "$BGP64CTL" ] || fail "bgp64ctl binary not found at $BGP64CTL (set BGP64CTL)"
}

# b64_start NAME NS [ARGS...]: start bgp64d (debug logging) with $(b64_conf NAME) in NS and wait
# for its control socket. With B64_WRAP set (words, e.g. "valgrind --log-file=F"), bgp64d runs
# under that command, and the wait is 60 s instead of 10.
b64_start() {
	local name=$1 n=$2 tries=100
	shift 2
	need_bgp64d
	[[ " ${B64_DAEMONS[*]} " == *" $name "* ]] || B64_DAEMONS+=("$name")
	rm -f "$(b64_sock "$name")"
	local -a wrap=()
	[ -n "${B64_WRAP:-}" ] && read -ra wrap <<<"$B64_WRAP" && tries=600
	spawn "$name" "$n" "${wrap[@]}" "$BGP64D" -d -c "$(b64_conf "$name")" "$@"
	local i
	for ((i = 0; i < tries; i++)); do
		[ -S "$(b64_sock "$name")" ] && return 0
		alive "$name" || fail "bgp64d $name exited at start-up (see its log)"
		sleep 0.1
	done
	fail "bgp64d $name: no control socket $(b64_sock "$name") after $((tries / 10))s"
}

# ctl NAME ARGS...: bgp64ctl against instance NAME (the unix socket is reachable from any
# namespace).
ctl() {
	local name=$1
	shift
	"$BGP64CTL" -s "$(b64_sock "$name")" "$@"
}

# jq-like queries on JSON read from stdin: jget 'PYTHON-EXPRESSION' (see jcheck.py).
jget() { $JCHECK "$@"; }

# rib NAME FAMILY EXPR: evaluate EXPR (jcheck.py helpers) on `show rib FAMILY` of NAME.
rib() { ctl "$1" show rib "$2" | jget "$3"; }
# nbr_state NAME ADDR: the FSM state of neighbor ADDR as bgp64d shows it.
nbr_state() { ctl "$1" show neighbors | jget "nbr('$2')['state']"; }
# nbr_down NAME ADDR: true when bgp64d shows neighbor ADDR in a state other than Established.
nbr_down() {
	local s
	s=$(nbr_state "$1" "$2") || return 1
	[ -n "$s" ] && [ "$s" != Established ] && [[ $s != \<* ]]
}

# xlat96 NSP/96 IPV4-PREFIX: the RFC 6052 IPv6 prefix of IPV4-PREFIX under a /96 prefix.
xlat96() {
	python3 -c 'import ipaddress as i, sys
p = i.ip_network(sys.argv[1]); v = i.ip_network(sys.argv[2])
assert p.prefixlen == 96
print("%s/%d" % (i.ip_address(int(p.network_address) + int(v.network_address)), 96 + v.prefixlen))' "$1" "$2"
}

# ---------------------------------------------------------------- neighbor entries

# fam_json SPEC: the "families" object of a neighbor. SPEC lists what is on, separated by commas
# or spaces, among ipv4-import, ipv4-export, ipv6-import, ipv6-export ("" or "none": all off).
fam_json() {
	local -A on=([ipv4-import]=false [ipv4-export]=false [ipv6-import]=false [ipv6-export]=false)
	local -a words=()
	local w
	IFS=', ' read -ra words <<<"$1"
	for w in "${words[@]}"; do
		[ "$w" = none ] && continue
		if [ -z "${on[$w]:-}" ]; then
			printf 'fam_json: unknown family/direction "%s" in "%s"\n' "$w" "$1" >&2
			return 1
		fi
		on[$w]=true
	done
	printf '{"ipv4": {"import": %s, "export": %s}, "ipv6": {"import": %s, "export": %s}}' \
		"${on[ipv4-import]}" "${on[ipv4-export]}" "${on[ipv6-import]}" "${on[ipv6-export]}"
}

# nbr_json ADDR REMOTE-AS HOLD FAMILIES [EXTRA-JSON]: one passive bgp64d neighbor entry, on one
# line: hold time HOLD, families as in fam_json, EXTRA-JSON (members, no trailing comma) inserted
# before "families".
nbr_json() {
	local fam
	fam=$(fam_json "$4") || return 1
	printf '{"address": "%s", "remote-as": %s, "passive": true, "hold-time": %s, %s"families": %s}\n' \
		"$1" "$2" "$3" "${5:+$5, }" "$fam"
}

# rr_client ADDR HOLD FAMILIES [EXTRA-JSON]: nbr_json of an iBGP (AS 64500) route-reflector client.
rr_client() {
	nbr_json "$1" 64500 "$2" "$3" "\"route-reflector-client\": true${4:+, $4}"
}

# ---------------------------------------------------------------- bench topology
#
# The loopback topology of the scale tests, in one namespace: bench/feeder(s) on 127.0.0.1 (and
# other 127.0.0.x) send IPv4 tables (bench/gen_table.py: public prefixes, next hops
# 198.51.100.1-4) to bgp64d on 127.0.0.2, which translates them under $WKP with one next-hop rule
# 198.51.100.0/24 -> $NH6 and sends them to bench/sink(s) as IPv6; all iBGP (AS 64500), all
# route-reflector clients, fib disabled.

BENCH_FEEDER=$B64_BUILD/bench/feeder
BENCH_SINK=$B64_BUILD/bench/sink
BENCH_GEN=$B64_SRC/bench/gen_table.py
WKP=64:ff9b::/96
NH6=2001:db8:64:64::1

# need_bench TOOL...: fail unless the bench tools (feeder, sink, gen) are there.
need_bench() {
	local t
	for t in "$@"; do
		case $t in
		feeder) [ -x "$BENCH_FEEDER" ] || fail "bench feeder not built: $BENCH_FEEDER" ;;
		sink) [ -x "$BENCH_SINK" ] || fail "bench sink not built: $BENCH_SINK" ;;
		gen) [ -f "$BENCH_GEN" ] || fail "bench/gen_table.py missing: $BENCH_GEN" ;;
		*) fail "need_bench: unknown tool $t" ;;
		esac
	done
}

# gen_table FILE N [gen_table.py ARGS...]: a table of N prefixes in FILE; prints its first line.
gen_table() {
	local out=$1 n=$2
	shift 2
	python3 "$BENCH_GEN" -n "$n" "$@" -o "$out" 2>"$T/gen.err" ||
		fail "gen_table.py: $(cat "$T/gen.err")"
	say "$(head -n1 "$out")"
}

# bench_conf NAME [NH6 [LISTEN-ADDR...]]: print the configuration of bgp64d NAME in the bench
# topology, with the neighbor entries read from stdin (one a line: rr_client, nbr_json). NH6
# replaces $NH6 in the next-hop rule; bgp64d also listens on the LISTEN-ADDRs (port 179).
bench_conf() {
	local name=$1 nh6=${2:-$NH6} listen='{"address": "127.0.0.2", "port": 179}' a
	shift $(($# < 2 ? $# : 2))
	for a in "$@"; do listen+=", {\"address\": \"$a\", \"port\": 179}"; done
	cat <<EOF
{
  "router-id": "127.0.0.2",
  "local-as": 64500,
  "listen": [$listen],
  "translation": {
    "prefix": "$WKP",
    "next-hops": [{"ipv4": "198.51.100.0/24", "ipv6": "$nh6"}],
    "unknown-next-hop": "reject",
    "eor-wait": 5
  },
  "neighbors": [
EOF
	sed 's/^/    /; $!s/$/,/'
	cat <<EOF
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock "$name")"}
}
EOF
}

# bench_sink NAME NS ADDR TABLE [ARGS...]: bench/sink on ADDR connecting to bgp64d 127.0.0.2,
# verifying the translation of TABLE under $WKP with next hop $NH6. Hold time and timeout 30 s;
# ARGS come last, so they may change those (--hold 600).
bench_sink() {
	local name=$1 n=$2 a=$3 table=$4
	shift 4
	spawn "$name" "$n" "$BENCH_SINK" --connect 127.0.0.2:179 --bind "$a" --id "$a" --hold 30 \
		--timeout 30 --table "$table" --xlat6 "$WKP" --nexthop6 "$NH6" "$@"
}

# bench_feeder NAME NS ADDR TABLE [ARGS...]: bench/feeder on ADDR sending TABLE to bgp64d
# 127.0.0.2. Hold time and timeout 30 s; ARGS come last.
bench_feeder() {
	local name=$1 n=$2 a=$3 table=$4
	shift 4
	spawn "$name" "$n" "$BENCH_FEEDER" --connect 127.0.0.2:179 --bind "$a" --id "$a" --hold 30 \
		--timeout 30 --table "$table" "$@"
}

# nbr_established NAME ADDR-PREFIX: how many neighbors whose address starts with ADDR-PREFIX
# bgp64d NAME shows Established.
nbr_established() {
	ctl "$1" show neighbors | jget "sum(1 for n in j['neighbors']
		if n['remote_addr'].startswith('$2') and n['state'] == 'Established')"
}

# ---------------------------------------------------------------- BIRD

bird_sock() { printf '%s/%s.bird.ctl' "$T" "$1"; }

# bird_start NAME NS [EXTRA-ARGS]: BIRD in the foreground with $T/NAME.conf (log to stderr).
bird_start() {
	local name=$1 n=$2
	shift 2
	"$BIRD" -p -c "$T/$name.conf" >"$T/$name.parse" 2>&1 ||
		{ cat "$T/$name.parse" >&2; fail "BIRD $name: configuration rejected"; }
	rm -f "$(bird_sock "$name")"
	[[ " ${B64_BIRDS[*]} " == *" $name "* ]] || B64_BIRDS+=("$name")
	spawn "$name" "$n" "$BIRD" -f -c "$T/$name.conf" -s "$(bird_sock "$name")" "$@"
	local i
	for ((i = 0; i < 100; i++)); do
		birdc_q "$name" show status >/dev/null 2>&1 && return 0
		alive "$name" || fail "BIRD $name exited at start-up (see its log)"
		sleep 0.1
	done
	fail "BIRD $name: control socket not answering after 10s"
}

# birdc_q NAME CMD...: one birdc command, its output without the "BIRD x.y ready." banner.
birdc_q() {
	local name=$1
	shift
	"$BIRDC" -s "$(bird_sock "$name")" "$@" | sed '1{/^BIRD .* ready\.$/d}'
}

# bird_proto_state NAME PROTO: "Established", "Active", "Idle", ... (BGP state of a protocol).
bird_proto_state() {
	birdc_q "$1" show protocols all "$2" | sed -n 's/^ *BGP state: *//p' | head -n1
}

# bird_down NAME PROTO: the BGP protocol PROTO of BIRD NAME is not Established.
bird_down() {
	local s
	s=$(bird_proto_state "$1" "$2") || return 1
	[ -n "$s" ] && [ "$s" != Established ]
}

# bird_last_error NAME PROTO: BIRD's "Last error" of protocol PROTO ("" if none).
bird_last_error() {
	birdc_q "$1" show protocols all "$2" | sed -n 's/^ *Last error: *//p' | head -n1
}

# bird_q NAME EXPR [birdc "show route all" arguments]: EXPR (jcheck.py helpers) on BIRD's routes.
bird_q() {
	local name=$1 expr=$2
	shift 2
	birdc_q "$name" show route all "$@" | $JCHECK --from-bird "$expr"
}

# ---------------------------------------------------------------- FRR bgpd

frr_dir() { printf '%s/%s.frr' "$T" "$1"; }

# frr_start NAME NS: FRR bgpd (no zebra) with $T/NAME.conf, vty socket in $(frr_dir NAME).
# Extra arguments go to bgpd.
frr_start() {
	local name=$1 n=$2
	shift 2
	local d
	d=$(frr_dir "$name")
	mkdir -p "$d"
	chmod 755 "$d"
	rm -f "$d/bgpd.vty" "$d/bgpd.pid"
	spawn "$name" "$n" "$FRR_BGPD" -Z -S -P 0 -f "$T/$name.conf" -i "$d/bgpd.pid" \
		--vty_socket "$d" --log stdout --log-level debug "$@"
	local i
	for ((i = 0; i < 100; i++)); do
		vty "$name" 'show version' >/dev/null 2>&1 && return 0
		alive "$name" || fail "FRR bgpd $name exited at start-up (see its log)"
		sleep 0.1
	done
	fail "FRR $name: vty socket not answering after 10s"
}

# vty NAME 'COMMAND'...: vtysh against bgpd of instance NAME only.
vty() {
	local name=$1 args=() c
	shift
	for c in "$@"; do args+=(-c "$c"); done
	"$VTYSH" --vty_socket "$(frr_dir "$name")" -d bgpd "${args[@]}"
}

# frr_peer_state NAME ADDR: FRR's state of neighbor ADDR ("Established", "Active", ...).
frr_peer_state() {
	vty "$1" "show bgp neighbors $2 json" | $JCHECK "j['$2']['bgpState']"
}

# frr_q NAME AFI EXPR: EXPR (jcheck.py helpers) on FRR's AFI (ipv4|ipv6) unicast table.
frr_q() {
	vty "$1" "show bgp $2 unicast json detail" | $JCHECK --from-frr "$3"
}

# ---------------------------------------------------------------- speaker.py

# speaker_start NAME NS ARGS...: speaker.py with a command FIFO $T/NAME.fifo and events in
# $T/NAME.events (see speaker.py for ARGS and commands).
speaker_start() {
	local name=$1 n=$2
	shift 2
	rm -f "$T/$name.fifo"
	mkfifo "$T/$name.fifo"
	: >"$T/$name.events"
	spawn "$name" "$n" python3 "$B64_DIR/speaker.py" --cmd "$T/$name.fifo" \
		--events "$T/$name.events" "$@"
}

# link_speaker NAME NS N AS [ARGS...]: speaker_start of a speaker with AS on link N (10.0.N.2,
# its own next hop) connecting to bgp64d (AS 64500) at 10.0.N.1.
link_speaker() {
	local name=$1 n=$2 l=$3 as=$4
	shift 4
	speaker_start "$name" "$n" --connect "10.0.$l.1" --as "$as" --peer-as 64500 --id "10.0.$l.2" \
		--nexthop "10.0.$l.2" "$@"
}

# speaker_cmd NAME COMMAND: hand one command to the speaker and wait (10 s) until it ran.
speaker_cmd() {
	local name=$1 cmd=$2 n i
	n=$(($(grep -c '^done ' "$T/$name.events") + 1))
	alive "$name" || fail "speaker $name is not running (cannot: $cmd)"
	# shellcheck disable=SC2016 # $1 and $2 belong to the inner shell
	timeout 5 sh -c 'printf "%s\n" "$1" >"$2"' _ "$cmd" "$T/$name.fifo" ||
		fail "speaker $name: cannot hand over: $cmd"
	for ((i = 0; i < 100; i++)); do
		grep -q "^done $n " "$T/$name.events" && return 0
		alive "$name" || return 0
		sleep 0.1
	done
	fail "speaker $name: command not executed within 10s: $cmd"
}

# speaker_has NAME REGEX: the speaker logged a matching event (grep -E).
speaker_has() { grep -Eq -- "$2" "$T/$1.events"; }
# speaker_events NAME REGEX: the matching events.
speaker_events() { grep -E -- "$2" "$T/$1.events"; }

# ---------------------------------------------------------------- cleanup

b64_dump_logs() {
	local name f
	for name in "${B64_DAEMONS[@]}"; do
		alive "$name" || continue
		printf '\n----- bgp64ctl show neighbors / show rib of %s (first 150 lines each)\n' "$name"
		ctl "$name" show neighbors 2>&1 | python3 -m json.tool 2>/dev/null | head -n 150
		# a large table (the scale tests) takes long to render and says little: skip it
		local np
		np=$(ctl "$name" show summary 2>/dev/null |
			$JCHECK "sum(j['summary']['prefixes'].values())" 2>/dev/null) || np=0
		if [ "${np:-0}" -gt 10000 ]; then
			printf '(%s prefixes: show rib not dumped)\n' "$np"
			continue
		fi
		for f in ipv4 ipv6; do
			ctl "$name" show rib "$f" 2>&1 | python3 -c 'import json, sys
for r in json.load(sys.stdin).get("rib", []): print(json.dumps(r, sort_keys=True))' 2>&1 |
				head -n 150
		done
	done
	for name in "${B64_LOGORDER[@]}"; do
		f=${B64_LOG[$name]}
		[ -s "$f" ] || continue
		# the path only when it outlives the test (B64_KEEP)
		if [ "${B64_KEEP:-0}" = 1 ]; then
			printf '\n----- log of %s (%s), last 80 lines\n' "$name" "$f"
		else
			printf '\n----- log of %s, last 80 lines\n' "$name"
		fi
		tail -n 80 "$f"
	done
	for name in "${B64_BIRDS[@]}"; do
		alive "$name" || continue
		printf '\n----- BIRD %s: show status, show protocols, show route (first 60 lines)\n' "$name"
		birdc_q "$name" show status 2>&1
		birdc_q "$name" show protocols 2>&1
		birdc_q "$name" show route 2>&1 | head -n 60
	done
	for f in "$T"/*.events; do
		[ -s "$f" ] || continue
		printf '\n----- %s\n' "$(basename "$f")"
		tail -n 40 "$f"
	done
}

b64_cleanup() {
	local rc=$? name p n i
	trap - EXIT INT TERM
	set +x
	if [ $rc -ne 0 ] || [ $B64_FAILED -ne 0 ]; then
		b64_dump_logs >&2
	fi
	for name in "${!B64_PID[@]}"; do
		p=${B64_PID[$name]}
		kill -TERM "$p" 2>/dev/null
	done
	for ((i = 0; i < 30; i++)); do
		local left=0
		for name in "${!B64_PID[@]}"; do
			kill -0 "${B64_PID[$name]}" 2>/dev/null && left=1
		done
		[ $left = 0 ] && break
		sleep 0.1
	done
	for name in "${!B64_PID[@]}"; do
		kill -KILL "${B64_PID[$name]}" 2>/dev/null
	done
	# Anything else still inside our namespaces (e.g. a daemon that forked) was started by us.
	for n in "${B64_NS[@]}"; do
		for p in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	wait 2>/dev/null
	for n in "${B64_NS[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	if [ "${B64_KEEP:-0}" = 1 ]; then
		printf 'kept %s\n' "$T" >&2
	else
		rm -rf "$T"
	fi
	if [ $rc -eq 0 ]; then
		printf '\n%s: all %d checks passed\n' "$B64_TEST" "$B64_CHECKS"
	elif [ $rc -ne 77 ]; then
		printf '\n%s: FAILED (rc %d) after %d passed checks\n' "$B64_TEST" "$rc" "$B64_CHECKS" >&2
	fi
	exit $rc
}
trap b64_cleanup EXIT
trap 'fail "interrupted"' INT TERM

[ "$(id -u)" -eq 0 ] || skip "interop tests need root (network namespaces)"

# Namespaces left by an earlier run that was killed before its trap ran (ctest's timeout uses
# SIGKILL): named b64-<pid>-* after a process that no longer exists.
for b64_n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^b64-[0-9]+-' || true); do
	b64_p=${b64_n#b64-}
	b64_p=${b64_p%%-*}
	if ! kill -0 "$b64_p" 2>/dev/null; then
		for b64_q in $(ip netns pids "$b64_n" 2>/dev/null); do kill -KILL "$b64_q" 2>/dev/null; done
		ip netns del "$b64_n" 2>/dev/null
	fi
done
unset b64_n b64_p b64_q
