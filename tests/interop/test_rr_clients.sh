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
FEEDER=$B64_BUILD/bench/feeder
SINK=$B64_BUILD/bench/sink
GEN=$B64_SRC/bench/gen_table.py
WKP=64:ff9b::/96
NH6=2001:db8:64:64::1
[ -x "$FEEDER" ] || fail "bench feeder not built: $FEEDER"
[ -x "$SINK" ] || fail "bench sink not built: $SINK"
[ -f "$GEN" ] || fail "bench/gen_table.py missing: $GEN"

step "table: $N prefixes"
python3 "$GEN" -n "$N" -o "$T/table.txt" 2>"$T/gen.err" || fail "gen_table.py: $(cat "$T/gen.err")"
say "$(head -n1 "$T/table.txt")"

caddr() { printf '127.0.1.%d' "$1"; }

step "bgp64d 127.0.0.2: feeder 127.0.0.1, $C clients 127.0.1.1-$C ($DISTINCT with distinct link-local next hops)"
ns_add d
{
	cat <<EOF
{
  "router-id": "127.0.0.2",
  "local-as": 64500,
  "listen": [{"address": "127.0.0.2", "port": 179}],
  "translation": {
    "prefix": "$WKP",
    "next-hops": [{"ipv4": "198.51.100.0/24", "ipv6": "$NH6"}],
    "unknown-next-hop": "reject",
    "eor-wait": 5
  },
  "neighbors": [
    {"address": "127.0.0.1", "remote-as": 64500, "passive": true, "hold-time": 30,
     "route-reflector-client": true,
     "families": {"ipv4": {"import": true, "export": false}, "ipv6": {"import": false, "export": false}}}
EOF
	for ((i = 1; i <= C; i++)); do
		ll=""
		[ $i -le $DISTINCT ] && ll=$(printf '"ipv6-link-local-next-hop": "fe80::64:%x", ' "$i")
		printf '    ,{"address": "%s", "remote-as": 64500, "passive": true, "hold-time": 30,\n' \
			"$(caddr $i)"
		printf '     %s"route-reflector-client": true,\n' "$ll"
		printf '     "families": {"ipv4": {"import": false, "export": false}, "ipv6": {"import": false, "export": true}}}\n'
	done
	cat <<EOF
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF
} >"$(b64_conf d)"
"$BGP64D" -n -c "$(b64_conf d)" >"$T/check.out" 2>&1 || fail "configuration refused: $(cat "$T/check.out")"
b64_start d d

# sink_start NAME CLIENT: a sink for client number CLIENT, verifying the translated table.
sink_start() {
	local a
	a=$(caddr "$2")
	spawn "$1" d "$SINK" --connect 127.0.0.2:179 --bind "$a" --id "$a" --hold 30 \
		--table "$T/table.txt" --xlat6 "$WKP" --nexthop6 "$NH6" --timeout 30
}
declare -A SINKNAME=()
for ((i = 1; i <= C; i++)); do
	SINKNAME[$i]=c$i
	sink_start "c$i" "$i"
done

# established_clients: how many of the clients bgp64d shows Established.
established_clients() {
	ctl d show neighbors | jget "sum(1 for n in j['neighbors']
		if n['remote_addr'].startswith('127.0.1.') and n['state'] == 'Established')"
}
wait_eq 30 "bgp64d: clients Established before the table" "$C" established_clients

step "the feeder sends the table; client $RESET is reset meanwhile"
spawn feeder d "$FEEDER" --connect 127.0.0.2:179 --bind 127.0.0.1 --id 127.0.0.1 --hold 30 \
	--table "$T/table.txt" --timeout 30
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
