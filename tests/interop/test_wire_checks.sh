#!/usr/bin/env bash
# Wire checks (issue 8 item 4) against a live session: speaker.py sends what a careless or
# hostile neighbor might.
#
#   MP_REACH IPv6 with a global next hop of ::, ff02::1 or fe80::1   -> treat-as-withdraw: the
#       prefixes are withdrawn (or never installed), the session stays, no NOTIFICATION
#   classic NEXT_HOP 0.0.0.0 or 224.0.0.5                            -> treat-as-withdraw
#   MP_REACH / MP_UNREACH IPv6 from a neighbor that did not negotiate IPv6 unicast -> ignored
#       (RFC 4760 7): not in `show rib ipv6`, one log line, the session stays
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: d (bgp64d) --- s6 (speaker, IPv4+IPv6), s4 (speaker, IPv4 only)"
ns_add d s6 s4
link d s6 1
link d s4 2
cat >"$(b64_conf d)" <<JSON
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}],
  "translation": {"prefix": "2001:db8:64::/96"},
  "neighbors": [
    $(nbr_json 10.0.1.2 64601 9 ipv4-import,ipv6-import),
    $(nbr_json 10.0.2.2 64602 9 ipv4-import,ipv6-import)
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"}
}
JSON
b64_start d d
link_speaker s6 s6 1 64601 --ipv6
link_speaker s4 s4 2 64602
for s in s6 s4; do wait_for 20 "$s: established" speaker_has $s '^established'; done
wait_eq 10 "bgp64d: neighbor 10.0.1.2" Established nbr_state d 10.0.1.2
wait_eq 10 "bgp64d: neighbor 10.0.2.2" Established nbr_state d 10.0.2.2

# mp_attr AFI NEXT-HOP PREFIX...: the hex of an MP_REACH_NLRI attribute (flags, type, length,
# value) for speaker.py's attr=; mp_unreach_attr AFI PREFIX...: the same for MP_UNREACH_NLRI.
mp_hex() {
	python3 - "$@" <<'PY'
import ipaddress, struct, sys
kind, afi, nh, pfx = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
nlri = b""
for p in pfx:
    n = ipaddress.ip_network(p)
    nlri += bytes([n.prefixlen]) + n.network_address.packed[:(n.prefixlen + 7) // 8]
if kind == "reach":
    nhb = b"".join(ipaddress.ip_address(x).packed for x in nh.split(","))
    v = struct.pack("!HBB", afi, 1, len(nhb)) + nhb + b"\0" + nlri
else:
    v = struct.pack("!HB", afi, 1) + nlri
print("%s" % v.hex())
PY
}
reach6() { printf 'attr=0x80:14:%s' "$(mp_hex reach 2 "$@")"; }
unreach6() { printf 'attr=0x80:15:%s' "$(mp_hex unreach 2 - "$@")"; }
# the native IPv6 routes (show rib ipv6 also lists the translations of IPv4 routes)
rib6() { rib d ipv6 "prefixes()" | tr ' ' '\n' | grep -v '^2001:db8:64::' | xargs; }
rib4() { rib d ipv4 "prefixes()"; }
no_notification() { ! speaker_has "$1" '^notification-received|^closed'; }
stays_up() {
	stays_eq 2 "bgp64d: neighbor $2 after $3" Established nbr_state d "$2"
	no_notification "$1" || fail "$1 received a NOTIFICATION or lost the session: $(speaker_events "$1" '^notification|^closed')"
	pass "$1: no NOTIFICATION, connection open"
}

step "well-formed IPv6 announcements (next hop fd00:1::2, and 2001:db8:1::2 with fe80::2)"
speaker_cmd s6 "announce $(reach6 fd00:1::2 2001:db8:a1::/48 2001:db8:a2::/48 2001:db8:a3::/48)"
speaker_cmd s6 "announce $(reach6 2001:db8:1::2,fe80::2 2001:db8:a4::/48)"
wait_eq 10 "RIB IPv6" "2001:db8:a1::/48 2001:db8:a2::/48 2001:db8:a3::/48 2001:db8:a4::/48" rib6

step "IPv6 next hop :: for a1 (known) and a5 (new): treat-as-withdraw"
speaker_cmd s6 "announce $(reach6 :: 2001:db8:a1::/48 2001:db8:a5::/48)"
wait_eq 10 "RIB IPv6" "2001:db8:a2::/48 2001:db8:a3::/48 2001:db8:a4::/48" rib6
stays_up s6 10.0.1.2 "next hop ::"

step "IPv6 next hop ff02::1 (multicast) for a2: treat-as-withdraw"
speaker_cmd s6 "announce $(reach6 ff02::1 2001:db8:a2::/48)"
wait_eq 10 "RIB IPv6" "2001:db8:a3::/48 2001:db8:a4::/48" rib6

step "IPv6 next hop fe80::1 in the global slot (16 and 32 octets) for a3 and a4: treat-as-withdraw"
speaker_cmd s6 "announce $(reach6 fe80::1 2001:db8:a3::/48)"
speaker_cmd s6 "announce $(reach6 fe80::1,fe80::2 2001:db8:a4::/48)"
wait_eq 10 "RIB IPv6" "" rib6
stays_up s6 10.0.1.2 "next hops ff02::1 and fe80::1"

step "a correct next hop re-announces a1"
speaker_cmd s6 "announce $(reach6 fd00:1::2 2001:db8:a1::/48)"
wait_eq 10 "RIB IPv6" "2001:db8:a1::/48" rib6
assert_eq "2001:db8:a1::/48 next hop" "next_hop=fd00:1::2" "$(rib d ipv6 "summ('2001:db8:a1::/48','next_hop')")"

step "classic NEXT_HOP 0.0.0.0 and 224.0.0.5: treat-as-withdraw"
speaker_cmd s6 "announce 10.61.1.0/24,10.61.2.0/24"
wait_eq 10 "RIB IPv4" "10.61.1.0/24 10.61.2.0/24" rib4
speaker_cmd s6 "announce 10.61.1.0/24 nh=0.0.0.0"
speaker_cmd s6 "announce 10.61.2.0/24,10.61.3.0/24 nh=224.0.0.5"
wait_eq 10 "RIB IPv4" "" rib4
stays_up s6 10.0.1.2 "next hops 0.0.0.0 and 224.0.0.5"
say "bgp64d neighbor 10.0.1.2 counters: $(ctl d show neighbors 10.0.1.2 | jget "nbr('10.0.1.2').get('stats')")"

step "IPv6 NLRI from s4, which did not negotiate IPv6 unicast: ignored (RFC 4760 7)"
log_has d '10\.0\.2\.2 AS64602: Established \(hold 9, ipv4-unicast, 4' ||
	fail "bgp64d should have negotiated IPv4 unicast only with s4"
pass "bgp64d: session with s4 negotiated ipv4-unicast only"
speaker_cmd s4 "announce 10.62.1.0/24 $(reach6 fd00:2::2 2001:db8:b1::/48)"
speaker_cmd s4 "announce $(reach6 fd00:2::2 2001:db8:b2::/48)"
wait_eq 10 "RIB IPv4: the classic NLRI of the same UPDATE is taken" "10.62.1.0/24" rib4
stays_eq 2 "RIB IPv6: nothing from s4" "2001:db8:a1::/48" rib6
speaker_cmd s4 "announce 10.62.2.0/24 $(unreach6 2001:db8:a1::/48)"
wait_eq 10 "RIB IPv4" "10.62.1.0/24 10.62.2.0/24" rib4
assert_eq "RIB IPv6: s4 cannot withdraw s6's a1 through an un-negotiated family" \
	"2001:db8:a1::/48" "$(rib6)"
stays_up s4 10.0.2.2 "un-negotiated IPv6 NLRI"
wait_for 5 "bgp64d logged it once" log_has d '10\.0\.2\.2.*ipv6-unicast NLRI, a family not negotiated'
assert_eq "one log line for the session" 1 "$(grep -c 'a family not negotiated' "${B64_LOG[d]}")"
pass "wire checks"
