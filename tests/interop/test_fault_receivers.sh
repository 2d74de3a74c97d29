#!/usr/bin/env bash
# Proof under faults (issue 8 item 6): receivers that read slowly or not at all cost the daemon
# no memory to speak of, the stuck one is dropped by the send hold timer, and a receiver with a
# 3 s hold time never loses its session; then `show rib ipv6` of the table grows the RSS by less
# than 16 MiB and starves no session.
#
#   feeder 127.0.0.1 --iBGP--> bgp64d 127.0.0.2 --iBGP--> fast 127.0.1.1 (hold 3 s)
#                                               --------> slow 127.0.1.2 (reads 64 KiB/s)
#                                               --------> stuck 127.0.1.3 (stops reading as the
#                                                         table arrives; send-hold-time 10 s)
#
# Two namespaces with the same daemon configuration (and net.ipv4.tcp_wmem capped at 256 KiB): "d" with the three receivers, "f" (fresh)
# with the fast one only. Both get the same table of B64_FAULT_N prefixes (50k: well under a
# minute in CI; the issue's figure is 1M). The RSS of both daemons is sampled every 0.2 s from
# the feeder's start until the slow receiver holds the whole table: d's peak may exceed f's by
# less than 10 % plus the 1 MiB of queued output each laggard may hold by design (at 50k the
# fixed 2 MiB is most of the difference; both the KiB and the % are printed). The slow and the fast receivers verify the translated table; the stuck one is
# dropped within send-hold-time + 5 s of the table's end, the others stay; the fast receiver's
# session never goes down on either side, and the largest gap between two messages it received
# is printed. Then, in d, `bgp64ctl show rib ipv6` (the whole translated table, streamed) runs
# 5 times while the RSS is sampled: it may grow by less than 16 MiB, the fast receiver keeps
# its session. The figures are printed on lines starting with "FIGURE".
. "$(dirname "$0")/lib.sh"
need_bgp64d

N=${B64_FAULT_N:-50000}
SEND_HOLD=10
RATE=65536
need_bench feeder sink gen

step "table: $N prefixes"
gen_table "$T/table.txt" "$N" --med-share 0.3 --large-share 0.3

conf() {
	{
		rr_client 127.0.0.1 30 ipv4-import # the feeder
		rr_client 127.0.1.1 3 ipv6-export  # fast, hold 3 s
		rr_client 127.0.1.2 30 ipv6-export # slow
		rr_client 127.0.1.3 600 ipv6-export "\"send-hold-time\": $SEND_HOLD" # stuck
	} | bench_conf "$1"
}
rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/${B64_PID[$1]}/status"; }
# sample NAME FILE: appends the VmRSS of bgp64d NAME (KiB) to FILE every 0.2 s (background).
sample() {
	local pid=${B64_PID[$1]}
	while [ -r "/proc/$pid/status" ]; do
		awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" >>"$2"
		sleep 0.2
	done
}
peak() { sort -n "$1" | tail -n1; }
flaps() { ctl "$1" show neighbors | jget "nbr('$2')['stats']['flaps']"; }
is_asan() { grep -qa AddressSanitizer "$BGP64D"; }

for n in f d; do
	ns_add "$n"
	# the kernel's send buffers capped at 256 KiB (as in test_stuck_client.sh): else the
	# whole table fits in them, nothing waits in bgp64d and no send hold timer can run
	in_ns "$n" sysctl -qw net.ipv4.tcp_wmem="4096 16384 262144" ||
		fail "cannot cap net.ipv4.tcp_wmem in the namespace"
	conf "$n" >"$(b64_conf "$n")"
	b64_start "$n" "$n"
	bench_sink "fast-$n" "$n" 127.0.1.1 "$T/table.txt" --hold 3 --verify-at-exit
done
bench_sink slow d 127.0.1.2 "$T/table.txt" --read-rate $RATE --rcvbuf 65536 --verify-at-exit
bench_sink stuck d 127.0.1.3 "$T/table.txt" --hold 600 --rcvbuf 4096
for n in f d; do
	wait_eq 20 "bgp64d $n: fast receiver" Established nbr_state "$n" 127.0.1.1
done
wait_eq 20 "bgp64d d: slow receiver" Established nbr_state d 127.0.1.2
wait_eq 20 "bgp64d d: stuck receiver" Established nbr_state d 127.0.1.3
rss0_f=$(rss_kib f)
rss0_d=$(rss_kib d)

step "the table arrives; the stuck receiver stops reading as it starts"
sample f "$T/rss-f" &
sf=$!
sample d "$T/rss-d" &
sd=$!
kill -STOP "${B64_PID[stuck]}" || fail "cannot stop the stuck receiver"
t_stop=$SECONDS
bench_feeder feeder-f f 127.0.0.1 "$T/table.txt"
bench_feeder feeder-d d 127.0.0.1 "$T/table.txt"
for n in f d; do
	wait_for 40 "fast receiver $n: DONE ($N routes)" grep -q '^DONE' "${B64_LOG[fast-$n]}"
done
t_done=$SECONDS
say "fast receivers done $((t_done - t_stop)) s after the start"

step "the stuck receiver is dropped by the send hold timer ($SEND_HOLD s)"
wait_for $((SEND_HOLD + 20)) "bgp64d d: stuck receiver not Established any more" nbr_down d 127.0.1.3
t_drop=$SECONDS
say "FIGURE stuck receiver dropped $((t_drop - t_stop)) s after it stopped reading" \
	"($((t_drop - t_done)) s after the fast receiver had the table; send-hold-time $SEND_HOLD s)"
log_has d '127\.0\.1\.3.*[Ss]end hold' || say "note: bgp64d's log line for the drop: $(grep '127.0.1.3' "${B64_LOG[d]}" | tail -n2 | tr '\n' ' ')"
kill -CONT "${B64_PID[stuck]}" 2>/dev/null || true
assert_eq "bgp64d d: fast receiver still Established" Established "$(nbr_state d 127.0.1.1)"
assert_eq "bgp64d d: slow receiver still Established" Established "$(nbr_state d 127.0.1.2)"

step "the slow receiver ($RATE bytes/s) gets the whole table"
wait_for 90 "slow receiver: DONE ($N routes)" grep -q '^DONE' "${B64_LOG[slow]}"
t_slow=$SECONDS
say "FIGURE slow receiver done $((t_slow - t_stop)) s after the start"
sleep 1
kill "$sf" "$sd" 2>/dev/null
wait "$sf" "$sd" 2>/dev/null
pf=$(peak "$T/rss-f")
pd=$(peak "$T/rss-d")
# 10 %, plus the output each of the two laggards may hold by design (bgp64d.json(5),
# send-hold-time: "at most 1 MiB of queued output"), which at this scale is most of the
# difference and at 1M prefixes about 1 %
limit=$((pf * 110 / 100 + 2 * 1024))
say "FIGURE RSS peak with the fast receiver only (f): $pf KiB (idle before: $rss0_f KiB)"
say "FIGURE RSS peak with fast + slow + stuck (d):   $pd KiB (idle before: $rss0_d KiB)," \
	"$(awk -v a="$pd" -v b="$pf" 'BEGIN { printf "%+.1f %%", (a - b) * 100 / b }')"
if is_asan; then
	say "note: bgp64d is built with ASan (freed memory stays in quarantine): RSS not compared"
elif [ "$pd" -lt "$limit" ]; then
	pass "RSS peak with slow and stuck receivers $pd KiB < fresh peak $pf KiB + 10 % + 2 x 1 MiB"
else
	fail "RSS peak with slow and stuck receivers $pd KiB >= $limit KiB (fresh $pf KiB + 10 % + 2 x 1 MiB)"
fi

step "show rib ipv6 of the whole table, 5 times, while the 3 s receiver holds its session"
rm -f "$T/rss-show"
before=$(rss_kib d)
sample d "$T/rss-show" &
ss_pid=$!
t0=$(date +%s.%N)
for i in 1 2 3 4 5; do
	ctl d show rib ipv6 >"$T/rib6.json" || fail "show rib ipv6 failed"
done
t1=$(date +%s.%N)
sleep 0.5
kill "$ss_pid" 2>/dev/null
wait "$ss_pid" 2>/dev/null
routes=$(jget "count()" <"$T/rib6.json")
ps=$(peak "$T/rss-show")
grow=$((ps - before))
say "FIGURE show rib ipv6: $routes routes, 5 runs in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s," \
	"RSS $before KiB before, peak $ps KiB (+$grow KiB)"
[ "$routes" -ge "$N" ] || fail "show rib ipv6: $routes routes, expected at least $N"
if is_asan; then
	say "note: ASan build: RSS growth not compared"
elif [ "$grow" -lt 16384 ]; then
	pass "show rib ipv6 grows the RSS by $grow KiB < 16 MiB"
else
	fail "show rib ipv6 grows the RSS by $grow KiB >= 16 MiB"
fi

step "no session starved: the 3 s hold-time receiver never went down"
for n in f d; do
	assert_eq "bgp64d $n: fast receiver flaps" 0 "$(flaps "$n" 127.0.1.1)"
	assert_eq "bgp64d $n: fast receiver Established" Established "$(nbr_state "$n" 127.0.1.1)"
	stop "fast-$n" || true
	grep -q '^SESSION_DOWN' "${B64_LOG[fast-$n]}" &&
		fail "fast receiver $n: $(grep '^SESSION_DOWN' "${B64_LOG[fast-$n]}")"
	assert_eq "fast receiver $n: final set = translated table" "VERIFY ok" \
		"$(grep '^VERIFY ' "${B64_LOG[fast-$n]}" | tail -n1)"
	say "FIGURE fast receiver $n (hold 3 s): largest gap between messages received" \
		"$(awk '$1 == "RX_GAP_MAX" { print $3 }' "${B64_LOG[fast-$n]}") s"
done
assert_eq "bgp64d d: slow receiver flaps" 0 "$(flaps d 127.0.1.2)"
stop slow || true
assert_eq "slow receiver: final set = translated table" "VERIFY ok" \
	"$(grep '^VERIFY ' "${B64_LOG[slow]}" | tail -n1)"
alive d || fail "bgp64d d died"
alive f || fail "bgp64d f died"
