#!/usr/bin/env bash
# Route reflector restart (issue 7): 200 route-reflector clients are Established before the IPv4
# source sends its table, and every one of them must end with the complete translated table.
#
#   bench/feeder 127.0.0.1 --iBGP--> bgp64d 127.0.0.2 --iBGP--> 200 x bench/sink 127.0.1.x
#
# all on the loopback of one namespace. Clients 1-29 each have their own
# "ipv6-link-local-next-hop" (fe80::64:N), so their export policies all differ; the others
# share one policy: 30 distinct policies, more than the 15 export groups the RIB had room for.
# The last client is reset (bgp64ctl neighbor ... reset) while the table is being exported, its sink
# reconnects and must end complete too. Each sink verifies its IPv6 set against the RFC 6052
# translation of the table (prefixes and next hops: VERIFY ok).
# Bug (issue 7): only the first 15 export groups got a RIB export id; the other clients got
# nothing but End-of-RIB ("too many export groups (max 15)" in the log).
#   B64_RR_N        prefixes (default 20000)
#   B64_RR_CLIENTS  clients (default 200)
#   B64_RR_POLICIES export policies (default 30: clients 1-29 get distinct link-local next hops)
. "$(dirname "$0")/lib.sh"
need_bgp64d

N=${B64_RR_N:-20000}
C=${B64_RR_CLIENTS:-200}
# clients 1..DISTINCT get distinct link-local next hops, the rest share one policy
DISTINCT=$((${B64_RR_POLICIES:-30} - 1))
RESET=$C # the client that is reset while the table is exported
need_bench feeder sink gen

step "table: $N prefixes"
gen_table "$T/table.txt" "$N"

caddr() { printf '127.0.1.%d' "$1"; }

step "bgp64d 127.0.0.2: feeder 127.0.0.1, $C clients 127.0.1.1-$C ($DISTINCT with distinct link-local next hops)"
ns_add d
{
	rr_client 127.0.0.1 30 ipv4-import # the feeder
	for ((i = 1; i <= C; i++)); do
		ll=""
		[ $i -le $DISTINCT ] && ll=$(printf '"ipv6-link-local-next-hop": "fe80::64:%x"' "$i")
		rr_client "$(caddr $i)" 30 ipv6-export "$ll"
	done
} | bench_conf d >"$(b64_conf d)"
"$BGP64D" -n -c "$(b64_conf d)" >"$T/check.out" 2>&1 || fail "configuration refused: $(cat "$T/check.out")"
b64_start d d

# sink_start NAME CLIENT: a sink for client number CLIENT, verifying the translated table.
sink_start() {
	bench_sink "$1" d "$(caddr "$2")" "$T/table.txt"
}
declare -A SINKNAME=()
for ((i = 1; i <= C; i++)); do
	SINKNAME[$i]=c$i
	sink_start "c$i" "$i"
done

# established_clients: how many of the clients bgp64d shows Established.
established_clients() { nbr_established d 127.0.1.; }
wait_eq 30 "bgp64d: clients Established before the table" "$C" established_clients

step "the feeder sends the table; client $RESET is reset meanwhile"
bench_feeder feeder d 127.0.0.1 "$T/table.txt"
# mid-way: as soon as the feeder has started sending (polled every 20 ms)
for ((k = 0; k < 1000; k++)); do
	grep -q '^FIRST_UPDATE' "${B64_LOG[feeder]}" && break
	sleep 0.02
done
grep -q '^FIRST_UPDATE' "${B64_LOG[feeder]}" || fail "feeder: no FIRST_UPDATE after 20s"
pass "feeder: first UPDATE sent"
ctl d neighbor "$(caddr "$RESET")" reset "issue 7 test" >"$T/reset.out" 2>&1 ||
	fail "bgp64ctl neighbor reset: $(cat "$T/reset.out")"
wait_for 20 "client $RESET: its session went down (sink exited)" \
	bash -c "! kill -0 ${B64_PID[c$RESET]} 2>/dev/null"
say "client $RESET before the reset: $(grep -E '^(DONE|COUNT|NOTIFICATION|SESSION_DOWN)' "${B64_LOG[c$RESET]}" | tr '\n' ' ')"
SINKNAME[$RESET]=c${RESET}r
sink_start "c${RESET}r" "$RESET"
wait_for 20 "feeder: table sent" grep -q '^SENT_ALL' "${B64_LOG[feeder]}"

step "every client ends with the complete translated table"
# complete: how many clients' (current) sinks verified the whole translated set, and which
# did not.
complete() {
	local i k=0 out=""
	for ((i = 1; i <= C; i++)); do
		if grep -q '^VERIFY ok' "${B64_LOG[${SINKNAME[$i]}]}"; then
			k=$((k + 1))
		else
			out+=" $i"
		fi
	done
	if [ -n "$out" ]; then echo "$k (incomplete:$out)"; else echo "$k"; fi
}
t0=$SECONDS
wait_eq 45 "clients with the complete translated table (of $C)" "$C" complete
say "all $C complete $((SECONDS - t0)) s after the feeder's SENT_ALL"
for ((i = 1; i <= C; i++)); do
	n=${SINKNAME[$i]}
	alive "$n" || fail "client $i: sink exited: $(tail -n3 "${B64_LOG[$n]}" | tr '\n' ' ')"
	if grep -Eq '^VERIFY [^o]' "${B64_LOG[$n]}"; then
		fail "client $i: $(grep '^VERIFY ' "${B64_LOG[$n]}" | tr '\n' ' ')"
	fi
done
pass "every sink is connected and verified its set exactly (no missing, extra or wrong next hop)"
assert_eq "bgp64d: IPv4 prefixes" "$N" "$(ctl d show summary | jget "j['summary']['prefixes']['ipv4']")"
assert_eq "bgp64d: clients Established" "$C" "$(established_clients)"
assert_eq "bgp64d: flaps of the clients other than $RESET" 0 \
	"$(ctl d show neighbors | jget "sum(n['stats']['flaps'] for n in j['neighbors']
		if n['remote_addr'].startswith('127.0.1.') and n['remote_addr'] != '$(caddr "$RESET")')")"
stays_eq 2 "clients still complete (nothing withdrawn afterwards)" "$C" complete
alive d || fail "bgp64d died"
POLICIES=$((DISTINCT + 1))
exports() { ctl d show summary | jget "j['summary']['exports']['$1']"; }
wait_eq 20 "bgp64d: the clients joined into one update group per export policy (+ the feeder's)" \
	$((POLICIES + 1)) exports update_groups
assert_eq "bgp64d: established peers in update groups" $((C + 1)) "$(exports peers)"
assert_eq "bgp64d: no reader catching up" 0 "$(exports catching_up)"
wait_eq 10 "bgp64d: change journal trimmed (everything read)" 0 exports journal_ipv4
