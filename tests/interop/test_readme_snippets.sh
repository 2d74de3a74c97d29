#!/usr/bin/env bash
# The README's configuration snippets load as written (issue 10 item 5), each into the daemon it
# is for, and the deployment they describe comes up.
#
# Read from README.md (the first fenced block after a marker line):
#   "The shipped example"            the full bgp64d.json: `bgp64d -n` accepts it
#   "bgp64d configuration (neighbors part"   the translation and neighbors of the deployment
#                                    section: with only router-id, local-as, fib and the control
#                                    socket around it, bgp64d runs it at 192.0.2.1
#   "Border A, BIRD 2"               BIRD's session part: with only a router id and the device
#                                    protocol around it, BIRD runs it at 192.0.2.10
#   "Border B, FRR"                  FRR's frr.conf, unchanged, in bgpd at 192.0.2.20
# The three are on one LAN (a bridge) as in the README's picture; bgp64d must see both borders
# Established and each border must see bgp64d Established with both address families. The BIRD
# snippet without its "direct;" must be refused (what a new user hit, so the check can fail).
. "$(dirname "$0")/lib.sh"
need_bgp64d
README=$B64_SRC/README.md

# snippet MARKER: the first fenced code block after the first README line containing MARKER.
snippet() {
	python3 - "$README" "$1" <<'EOF'
import sys
lines = open(sys.argv[1]).read().split("\n")
start = next((i for i, l in enumerate(lines) if sys.argv[2] in l), None)
if start is None:
    sys.exit("README.md: no line with %r" % sys.argv[2])
i = next((k for k in range(start + 1, len(lines)) if lines[k].startswith("```")), None)
if i is None:
    sys.exit("README.md: no code block after %r" % sys.argv[2])
end = next(k for k in range(i + 1, len(lines)) if lines[k].startswith("```"))
print("\n".join(lines[i + 1:end]))
EOF
}

step "the snippets, read from README.md"
full=$(snippet "The shipped example") || fail "$full"
part=$(snippet "bgp64d configuration (neighbors part") || fail "$part"
bird=$(snippet "Border A, BIRD 2") || fail "$bird"
frr=$(snippet "Border B, FRR") || fail "$frr"
for v in full part bird frr; do
	say "--- $v"
	say "${!v}"
done

step "the shipped example loads into bgp64d (bgp64d -n)"
printf '%s\n' "$full" >"$T/full.json"
out=$("$BGP64D" -n -c "$T/full.json" 2>&1)
assert_eq "bgp64d -n on the README's example: exit status" 0 "$?"
[ -z "$out" ] || say "$out"

step "the deployment: bgp64d 192.0.2.1, BIRD border 192.0.2.10, FRR border 192.0.2.20 on one LAN"
ns_add sw d a b
ip -n "$(ns sw)" link add br0 type bridge
ip -n "$(ns sw)" link set br0 up
for n in d a b; do
	ip link add lan netns "$(ns "$n")" type veth peer name "p-$n" netns "$(ns sw)" ||
		fail "veth $n"
	ip -n "$(ns sw)" link set "p-$n" master br0 up
	ip -n "$(ns "$n")" link set lan up
done
addr_add d lan 192.0.2.1/24
addr_add a lan 192.0.2.10/24
addr_add b lan 192.0.2.20/24

cat >"$(b64_conf d)" <<EOF
{
  "router-id": "192.0.2.1",
  "local-as": 64500,
$part,
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
EOF
cat >"$T/a.conf" <<EOF
log stderr all;
router id 192.0.2.10;
protocol device {}
$bird
EOF
printf '%s\n' "$frr" >"$T/b.conf"

# the snippet as a new user first had it, without "direct;": BIRD refuses it
grep -v '^[[:space:]]*direct;' "$T/a.conf" >"$T/a-nodirect.conf"
if out=$(bird -p -c "$T/a-nodirect.conf" 2>&1); then
	fail "BIRD accepted the border snippet without direct;"
fi
assert_match "BIRD without direct;" "Multihop BGP cannot use direct gateway mode" "$out"
out=$(bird -p -c "$T/a.conf" 2>&1) || fail "BIRD refuses the README's border snippet: $out"
pass "BIRD parses the README's border snippet (bird -p)"
out=$("$BGP64D" -n -c "$(b64_conf d)" 2>&1) || fail "bgp64d refuses the README's deployment part: $out"
pass "bgp64d -n accepts the README's deployment part"

bird_start a a
frr_start b b
b64_start d d
wait_eq 60 "bgp64d: BIRD border 192.0.2.10" Established nbr_state d 192.0.2.10
wait_eq 60 "bgp64d: FRR border 192.0.2.20" Established nbr_state d 192.0.2.20
wait_eq 10 "BIRD: session bgp64d" Established bird_proto_state a bgp64d
wait_eq 10 "FRR: neighbor 192.0.2.1" Established frr_peer_state b 192.0.2.1
assert_eq "BIRD: channels up" "ipv4=UP ipv6=UP" "$(birdc_q a show protocols all bgp64d |
	awk '/Channel ipv4/ {c="ipv4"} /Channel ipv6/ {c="ipv6"} /^ *State:/ && c {printf "%s%s=%s", s, c, $2; s=" "; c=""}')"
assert_eq "FRR: address families negotiated" "ipv4Unicast ipv6Unicast" \
	"$(vty b "show bgp neighbors 192.0.2.1 json" | jget "words(k for k, v in j['192.0.2.1']['neighborCapabilities']['multiprotocolExtensions'].items() if 'advertisedAndReceived' in v)")"
if log_has b '[Ee]rror|[Uu]nknown command'; then
	fail "FRR logged a configuration error: $(grep -E '[Ee]rror|[Uu]nknown command' "${B64_LOG[b]}" | head -n 3)"
fi
pass "FRR loaded the README's frr.conf without an error"
