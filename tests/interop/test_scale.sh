#!/usr/bin/env bash
# Correctness at scale (issue 4 item 6): 100k IPv4 prefixes through bgp64d.
#
#   bench/feeder 127.0.0.1 --iBGP--> bgp64d 127.0.0.2 --iBGP--> bench/sink 127.0.0.3
#
# all on the loopback of one namespace. bench/gen_table.py writes a DFZ-like table (100k
# prefixes, ~12.5k attribute sets, next hops 198.51.100.1-4, some MEDs and large communities).
# bgp64d translates under the well-known prefix 64:ff9b::/96 (the table holds public prefixes
# only) with one next-hop rule, 198.51.100.0/24 -> 2001:db8:64:64::1. The sink checks that the
# IPv6 set it received equals the translated table exactly (prefixes and next hops); the feeder
# then withdraws the first half of the table and the sink checks the remaining half. The sink's
# final set (--dump) is compared once more, independently, with the expected set computed here.
#   B64_SCALE_N       prefixes (default 100000)
#   B64_SCALE_DELAY   seconds between the end of the table and the withdrawal (default 5)
. "$(dirname "$0")/lib.sh"
need_bgp64d

N=${B64_SCALE_N:-100000}
DELAY=${B64_SCALE_DELAY:-5}
need_bench feeder sink gen

step "table: $N prefixes"
gen_table "$T/table.txt" "$N" --med-share 0.3 --large-share 0.3

step "namespace d: feeder 127.0.0.1, bgp64d 127.0.0.2, sink 127.0.0.3 (loopback)"
ns_add d
{
	rr_client 127.0.0.1 30 ipv4-import # the feeder
	rr_client 127.0.0.3 30 ipv6-export # the sink
} | bench_conf d >"$(b64_conf d)"
b64_start d d
bench_sink sink d 127.0.0.3 "$T/table.txt" --withdraw-fraction 0.5 \
	--expect-count-after-withdraw auto --exit-after-done 1 --dump "$T/sink.dump"
wait_eq 20 "bgp64d: sink 127.0.0.3" Established nbr_state d 127.0.0.3
bench_feeder feeder d 127.0.0.1 "$T/table.txt" --withdraw-fraction 0.5 \
	--withdraw-delay "$DELAY" --hold-after 0

ev() { awk -v e="$2" '$1 == e { print $2; exit }' "${B64_LOG[$1]}"; }
sink_has() { grep -q "^$1" "${B64_LOG[sink]}"; }

step "the whole table, translated"
wait_for 20 "feeder: table sent" grep -q '^SENT_ALL' "${B64_LOG[feeder]}"
wait_for $((DELAY - 1)) "sink: DONE ($N IPv6 routes) before the withdrawal starts" sink_has DONE
wait_for 5 "sink: verification after DONE" sink_has VERIFY
first=$(grep -m1 '^VERIFY ' "${B64_LOG[sink]}")
assert_eq "sink: received set = translated table (prefixes, next hops)" "VERIFY ok" "$first"
assert_eq "bgp64d: IPv4 prefixes" "$N" "$(ctl d show summary | jget "j['summary']['prefixes']['ipv4']")"
say "$(awk -v a="$(ev feeder FIRST_UPDATE)" -v d="$(ev sink DONE)" -v s="$(ev feeder SENT_ALL)" \
	'BEGIN { printf "convergence: first UPDATE -> sink DONE %.3f s (bgp64d read the table in %.3f s)", d - a, s - a }')"

step "withdrawal of the first half"
HALF=$((N - N / 2))
wait_for 30 "feeder: withdrawal sent" grep -q '^WITHDRAWN' "${B64_LOG[feeder]}"
wait_for 30 "sink: SETTLED at $HALF routes" sink_has SETTLED
wait_for 5 "sink: exited" bash -c "! kill -0 ${B64_PID[sink]} 2>/dev/null"
stop sink
rc=$?
say "$(grep -E '^(VERIFY|SETTLED|EXIT)' "${B64_LOG[sink]}")"
second=$(grep '^VERIFY ' "${B64_LOG[sink]}" | sed -n 2p)
assert_eq "sink: remaining set = translated second half (prefixes, next hops)" "VERIFY ok" "$second"
assert_eq "sink: exit status" 0 "$rc"
assert_eq "bgp64d: IPv4 prefixes after the withdrawal" "$HALF" \
	"$(ctl d show summary | jget "j['summary']['prefixes']['ipv4']")"
say "$(awk -v w="$(ev feeder WITHDRAW_START)" -v s="$(ev sink SETTLED)" \
	'BEGIN { printf "withdrawal: start -> sink SETTLED %.3f s", s - w }')"

step "independent check of the sink's final set"
diffout=$(python3 - "$T/table.txt" "$T/sink.dump" "$WKP" "$NH6" <<'EOF'
import ipaddress, sys
table, dump, wkp, nh6 = sys.argv[1:]
prefixes = []
for line in open(table):
    if line.startswith("#") or not line.strip():
        continue
    prefixes += line.rstrip("\n").split("\t")[-1].split()
base = int(ipaddress.ip_network(wkp).network_address)
keep = prefixes[len(prefixes) // 2:]
want = {}
for p in keep:
    n = ipaddress.ip_network(p)
    want[str(ipaddress.ip_network((base + int(n.network_address), 96 + n.prefixlen)))] = nh6
got = {}
for line in open(dump):
    f = line.split()
    if len(f) >= 2 and ":" in f[0]:
        got[str(ipaddress.ip_network(f[0]))] = str(ipaddress.ip_address(f[1])) if f[1] != "-" else "-"
    elif f and "." in f[0]:
        print("unexpected IPv4 route in the sink's set: " + line.strip())
missing = sorted(set(want) - set(got))
extra = sorted(set(got) - set(want))
wrong = sorted(p for p in set(want) & set(got) if got[p] != str(ipaddress.ip_address(want[p])))
print("expected=%d received=%d missing=%d extra=%d wrong_next_hop=%d" % (
    len(want), len(got), len(missing), len(extra), len(wrong)))
for k, lst in (("missing", missing), ("extra", extra), ("wrong", wrong)):
    for p in lst[:5]:
        print("  %s %s %s" % (k, p, got.get(p, "")))
EOF
)
say "$diffout"
assert_eq "dump vs expected" "expected=$HALF received=$HALF missing=0 extra=0 wrong_next_hop=0" \
	"$(head -n1 <<<"$diffout")"
alive d || fail "bgp64d died"
stop feeder || true
stop d
