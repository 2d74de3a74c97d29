#!/usr/bin/env bash
# Export policies and update groups (issue 9 item 3): neighbors whose export policies are equal
# in content share one update group - one computation, the same bytes - whatever the policies'
# names, and a reload that changes one moves only the neighbors concerned, with no reset.
#
#   bench/feeder 127.0.0.1 --iBGP--> bgp64d 127.0.0.2 --iBGP--> 7 x bench/sink 127.0.1.1-7
#
# Clients 1-3 export through policy "a", 4-5 through "b" (the same rule: MED 10), 6 through "c"
# (MED 20), 7 without policy: 3 groups for them (+ the feeder's). Each sink verifies the whole
# translated table. The hits of "a" and "b" together equal the table size: the five clients'
# routes were decided once. Reload 1 gives "c" MED 10: client 6 joins the group of five (2
# groups + 1). Reload 2 moves client 1 to a new policy "d": it leaves (3 + 1). No flap.
#   B64_PG_N  prefixes (default 5000)
. "$(dirname "$0")/lib.sh"
need_bgp64d
need_bench feeder sink gen

N=${B64_PG_N:-5000}
C=7
step "table: $N prefixes"
gen_table "$T/table.txt" "$N"
ns_add d

caddr() { printf '127.0.1.%d' "$1"; }

# write_conf MED-OF-C POLICY-OF-CLIENT-1
write_conf() {
	{
		rr_client 127.0.0.1 30 ipv4-import
		for ((i = 1; i <= C; i++)); do rr_client "$(caddr $i)" 30 ipv6-export; done
	} | bench_conf d >"$T/base.json"
	python3 - "$T/base.json" "$1" "$2" >"$(b64_conf d)" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
med = lambda m: {"rules": [{"name": "med", "action": "accept", "set": {"med": m}}]}
cfg["policies"] = {"a": med(10), "b": med(10), "c": med(int(sys.argv[2])), "d": med(30)}
pol = {"127.0.1.1": sys.argv[3], "127.0.1.2": "a", "127.0.1.3": "a", "127.0.1.4": "b",
       "127.0.1.5": "b", "127.0.1.6": "c"}
for n in cfg["neighbors"]:
    if n["address"] in pol:
        n["families"]["ipv6"]["export-policy"] = pol[n["address"]]
json.dump(cfg, sys.stdout, indent=1)
EOF
}
write_conf 20 a
"$BGP64D" -n -c "$(b64_conf d)" >"$T/check.out" 2>&1 || fail "configuration refused: $(cat "$T/check.out")"
b64_start d d
for ((i = 1; i <= C; i++)); do bench_sink "c$i" d "$(caddr $i)" "$T/table.txt"; done
wait_eq 30 "bgp64d: clients Established" "$C" nbr_established d 127.0.1.
exports() { ctl d show summary | jget "j['summary']['exports']['$1']"; }
wait_eq 20 "update groups before the table: {1-5} (a = b), {6} (c), {7} (none)" \
	3 exports update_groups

step "the table"
bench_feeder feeder d 127.0.0.1 "$T/table.txt"
verified() {
	local i k=0
	for ((i = 1; i <= C; i++)); do grep -q '^VERIFY ok' "${B64_LOG[c$i]}" && k=$((k + 1)); done
	echo $k
}
wait_eq 45 "sinks with the complete translated table" "$C" verified
hits() { ctl d show summary | jget "sum(p['rules'][0]['hits'] for p in j['summary']['policies'] if p['name'] in '$1'.split())"; }
assert_eq "hits of a + b: each route decided once for the five clients" "$N" "$(hits "a b")"
assert_eq "hits of c" "$N" "$(hits c)"
wait_eq 10 "update groups after the table (the feeder's too)" 4 exports update_groups

step "reload 1: \"c\" becomes equal to \"a\" and \"b\""
write_conf 10 a
ctl d reload >/dev/null || fail "bgp64ctl reload failed"
wait_eq 20 "client 6 joined the group of five" 3 exports update_groups
log_has d '127.0.1.6.*export policy changed' || fail "bgp64d: client 6's export change not logged"
pass "client 6's export policy change logged"

step "reload 2: client 1 gets policy \"d\""
write_conf 10 d
ctl d reload >/dev/null || fail "bgp64ctl reload failed"
wait_eq 20 "client 1 left for a group of its own" 4 exports update_groups
stays_eq 3 "every sink still holds the complete table" "$C" verified
for ((i = 1; i <= C; i++)); do
	alive "c$i" || fail "client $i: sink exited: $(tail -n3 "${B64_LOG[c$i]}" | tr '\n' ' ')"
	grep -Eq '^VERIFY [^o]' "${B64_LOG[c$i]}" && fail "client $i: $(grep '^VERIFY ' "${B64_LOG[c$i]}" | tr '\n' ' ')"
done
pass "no sink saw a wrong set"
assert_eq "bgp64d: no client flapped" 0 \
	"$(ctl d show neighbors | jget "sum(n['stats']['flaps'] for n in j['neighbors'] if n['remote_addr'].startswith('127.0.1.'))")"
alive d || fail "bgp64d died"
stop d
