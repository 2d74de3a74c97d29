#!/usr/bin/env bash
# Slow member (issue 7): route-reflector clients with the same export policy (one update group),
# one of which stops reading its socket. The others must converge promptly while the stuck one
# is still stuck, and what bgp64d queues toward the stuck one must stay bounded.
#
#   bench/feeder 127.0.0.1 --iBGP--> bgp64d 127.0.0.2 --iBGP--> bench/sink 127.0.1.1-4
#
# all on the loopback of one namespace. The feeder sends a 100k-prefix table, which all four
# sinks read and verify; idle, the four (one export policy) share one update group. Sink 4, which
# has a small receive buffer (--rcvbuf 4096), is then stopped (SIGSTOP); its hold time is long
# (600 s) so that only a send hold timer could end its session. The feeder withdraws 90 % of the
# table: about 1.4 MB of IPv6 withdrawals, far more than the stuck session can absorb (bgp64d's
# output bound of 256 KiB plus the kernel's buffers, which the test caps for the namespace with
# net.ipv4.tcp_wmem max 256 KiB so that the kernel cannot swallow it all).
# Checks: sinks 1-3 settle on the rest of the table and verify it (prefixes, next hops) within
# 30 s while sink 4 is stopped and its session still Established; bgp64d's socket toward sink 4
# holds less than 1 MB (ss Send-Q); sink 4, resumed (SIGCONT), catches up and verifies too.
# When bgp64d accepts a per-neighbor "send-hold-time" (RFC 9687; today the send hold time is
# fixed at max(2 x hold time, 480 s)), the test checks instead that the stuck client is dropped
# by it and the others stay up.
# Bug (issue 7): an update group writes only when every member has room, so the whole group
# moved at the pace of its slowest member and sinks 1-3 stalled with sink 4.
#   B64_STUCK_N         prefixes (default 100000)
#   B64_STUCK_WITHDRAW  share of the table withdrawn (default 0.9)
#   B64_STUCK_DELAY     seconds between the table and the withdrawal (default 8)
. "$(dirname "$0")/lib.sh"
need_bgp64d

N=${B64_STUCK_N:-100000}
C=4
SEND_HOLD=30
need_bench feeder sink gen

step "table: $N prefixes"
gen_table "$T/table.txt" "$N"

caddr() { printf '127.0.1.%d' "$1"; }

# write_conf SEND-HOLD-JSON: the configuration, with SEND-HOLD-JSON ('"send-hold-time": 30'
# or "") in every client; the clients' hold time is 600 s.
write_conf() {
	{
		rr_client 127.0.0.1 30 ipv4-import # the feeder
		for ((i = 1; i <= C; i++)); do
			rr_client "$(caddr $i)" 600 ipv6-export "$1"
		done
	} | bench_conf d >"$(b64_conf d)"
}

step "bgp64d 127.0.0.2: feeder 127.0.0.1, clients 127.0.1.1-$C (one export policy)"
ns_add d
in_ns d sysctl -qw net.ipv4.tcp_wmem="4096 16384 262144" ||
	fail "cannot cap net.ipv4.tcp_wmem in the namespace"
HAVE_SEND_HOLD=no
write_conf "\"send-hold-time\": $SEND_HOLD"
if "$BGP64D" -n -c "$(b64_conf d)" >"$T/check.out" 2>&1; then
	HAVE_SEND_HOLD=yes
	say "bgp64d accepts \"send-hold-time\": the send hold timer is checked ($SEND_HOLD s)"
else
	say "note: bgp64d has no \"send-hold-time\" ($(head -n1 "$T/check.out")); the send hold" \
		"timer (max(2 x 600, 480) s here) is not checked"
	write_conf ""
	"$BGP64D" -n -c "$(b64_conf d)" >"$T/check.out" 2>&1 ||
		fail "configuration refused: $(cat "$T/check.out")"
fi
b64_start d d

WF=${B64_STUCK_WITHDRAW:-0.9}
DELAY=${B64_STUCK_DELAY:-8}
for ((i = 1; i <= C; i++)); do
	extra=()
	[ $i = $C ] && extra=(--rcvbuf 4096)
	bench_sink "c$i" d "$(caddr $i)" "$T/table.txt" --hold 600 --withdraw-fraction "$WF" \
		--expect-count-after-withdraw auto "${extra[@]}"
done
established_clients() { nbr_established d 127.0.1.; }
wait_eq 30 "bgp64d: clients Established" "$C" established_clients

# verified CLIENTS...: the clients (of CLIENTS) whose sink printed "VERIFY ok" at least $want_ok
# times (1: the table after DONE, 2: the rest after the withdrawal, SETTLED).
verified() {
	local i out=""
	for i in "$@"; do
		[ "$(grep -c '^VERIFY ok' "${B64_LOG[c$i]}")" -ge "$want_ok" ] && out+=" $i"
	done
	echo "${out# }"
}
all=$(seq 1 $C | xargs)
others=$(seq 1 $((C - 1)) | xargs)

step "the feeder sends the table ($N prefixes); every client reads it"
bench_feeder feeder d 127.0.0.1 "$T/table.txt" --withdraw-fraction "$WF" \
	--withdraw-delay "$DELAY" --hold-after 0
wait_for 30 "feeder: table sent" grep -q '^SENT_ALL' "${B64_LOG[feeder]}"
want_ok=1
# shellcheck disable=SC2086 # the client numbers are words
wait_eq $((DELAY - 3)) "clients that verified the complete table" "$all" verified $all
sleep 1 # idle: the clients with one export policy form one update group
grep -q '^WITHDRAW_START' "${B64_LOG[feeder]}" &&
	fail "the feeder started its withdrawal before client $C could be stopped (raise B64_STUCK_DELAY)"
kill -STOP "${B64_PID[c$C]}" || fail "cannot stop sink $C"
pass "sink $C stopped (SIGSTOP): it reads nothing from now on"
grep -q 'joins an update group of 4 peers' "${B64_LOG[d]}" &&
	say "(bgp64d's log: the four clients share one update group)"

W=$(awk -v n="$N" -v f="$WF" 'BEGIN { printf "%d", n * f }')
step "the feeder withdraws $W prefixes (the first ${WF} of the table)"
wait_for $((DELAY + 10)) "feeder: withdrawal sent" grep -q '^WITHDRAWN' "${B64_LOG[feeder]}"
t_sent=$SECONDS
want_ok=2
# "promptly": well before a send hold timer could have dropped client 4 and so freed the others
settle=30
[ $HAVE_SEND_HOLD = yes ] && settle=$((SEND_HOLD - 10))
# shellcheck disable=SC2086
wait_eq $settle "clients that verified the rest of the table while client $C is stuck" "$others" \
	verified $others
say "sinks 1-$((C - 1)) settled $((SECONDS - t_sent)) s after the feeder's WITHDRAWN"
for ((i = 1; i < C; i++)); do
	grep -Eq '^VERIFY [^o]' "${B64_LOG[c$i]}" &&
		fail "client $i: $(grep '^VERIFY ' "${B64_LOG[c$i]}" | tr '\n' ' ')"
done
assert_eq "sink $C: still stopped" T "$(ps -o stat= -p "${B64_PID[c$C]}" | cut -c1)"
assert_eq "bgp64d: client $C still Established" Established "$(nbr_state d "$(caddr $C)")"

# sendq: bytes queued in bgp64d's kernel socket toward client C (ss Send-Q).
sendq() {
	in_ns d ss -tnH state established "( sport = :179 and dst $(caddr $C) )" | awk '{print $2; exit}'
}
q=$(sendq)
[ -n "$q" ] || fail "no socket from bgp64d toward $(caddr $C) in ss"
say "bgp64d -> client $C: Send-Q $q bytes; bgp64d RSS $(awk '/VmRSS/ {print $2, $3}' "/proc/${B64_PID[d]}/status")"
[ "$q" -lt 1000000 ] || fail "bgp64d's Send-Q toward the stuck client: expected < 1000000, got $q"
pass "bgp64d's Send-Q toward the stuck client is bounded ($q < 1000000)"

if [ $HAVE_SEND_HOLD = yes ]; then
	step "the stuck client is dropped by the send hold timer ($SEND_HOLD s)"
	wait_for $((SEND_HOLD + 30)) "bgp64d: client $C not Established any more" nbr_down d "$(caddr $C)"
	assert_eq "clients 1-$((C - 1)) still Established" "$others" \
		"$(ctl d show neighbors | jget "words(n['remote_addr'].split('.')[-1] for n in j['neighbors']
			if n['remote_addr'].startswith('127.0.1.') and n['state'] == 'Established')")"
	kill -CONT "${B64_PID[c$C]}" 2>/dev/null
else
	step "sink $C resumes (SIGCONT) and catches up"
	kill -CONT "${B64_PID[c$C]}" || fail "cannot resume sink $C"
	wait_eq 30 "sink $C: the rest of the table verified" "$C" verified $C
	grep -Eq '^VERIFY [^o]' "${B64_LOG[c$C]}" &&
		fail "client $C: $(grep '^VERIFY ' "${B64_LOG[c$C]}" | tr '\n' ' ')"
	assert_eq "bgp64d: client $C Established" Established "$(nbr_state d "$(caddr $C)")"
fi
for ((i = 1; i < C; i++)); do
	alive "c$i" || fail "sink $i exited: $(tail -n3 "${B64_LOG[c$i]}" | tr '\n' ' ')"
done
assert_eq "bgp64d: flaps of clients 1-$((C - 1))" 0 \
	"$(ctl d show neighbors | jget "sum(n['stats']['flaps'] for n in j['neighbors']
		if n['remote_addr'].startswith('127.0.1.') and n['remote_addr'] != '$(caddr $C)')")"
alive d || fail "bgp64d died"
