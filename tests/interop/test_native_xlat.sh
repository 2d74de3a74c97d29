#!/usr/bin/env bash
# Native IPv6 vs translated (issue 7 "decisions stay right"): an IPv6 prefix that exists both as
# the translation of an IPv4 best path and as a native IPv6 route goes out as whichever wins the
# decision process, re-decided when EITHER side changes: here the IPv4 side changes (its AS
# path grows, then shrinks again) while the native route stays as it is.
. "$(dirname "$0")/lib.sh"
need_bgp64d

step "topology: s1 (IPv4 source, AS 64601), s2 (native IPv6, AS 64602) --- d --- r (RR client)"
ns_add d s1 s2 r
link d s1 1
link d s2 2
link d r 3
XP=2001:db8:64::/96
cat >"$(b64_conf d)" <<JSON
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}, {"address": "10.0.3.1"}],
  "translation": {"prefix": "$XP",
    "next-hops": [{"ipv4": "10.0.1.2/32", "ipv6": "fd00:1::99"}], "eor-wait": 2},
  "neighbors": [
    $(nbr_json 10.0.1.2 64601 9 ipv4-import),
    $(nbr_json 10.0.2.2 64602 9 ipv6-import),
    $(rr_client 10.0.3.2 9 ipv6-export)
  ],
  "control": {"socket": "$(b64_sock d)"}
}
JSON
b64_start d d
link_speaker sp1 s1 1 64601 --ipv6
link_speaker sp2 s2 2 64602 --ipv6
link_speaker spr r 3 64500 --ipv6
for s in sp1 sp2 spr; do wait_for 20 "$s: established" speaker_has $s '^established'; done

V4=198.51.100.0/24
V6=$(xlat96 $XP $V4)
# s2's native route of the same IPv6 prefix, AS path 64602 64602 64602, next hop fd00:2::2:
# an UPDATE with ORIGIN, AS_PATH and MP_REACH (raw, speaker.py announces IPv4 only).
native_hex=$(python3 - "$V6" <<'PY'
import ipaddress, struct, sys
net = ipaddress.ip_network(sys.argv[1])
nlri = bytes([net.prefixlen]) + net.network_address.packed[:(net.prefixlen + 7) // 8]
mp = struct.pack("!HBB", 2, 1, 16) + ipaddress.ip_address("fd00:2::2").packed + b"\0" + nlri
path = struct.pack("!BB", 2, 3) + struct.pack("!III", 64602, 64602, 64602)
attrs = bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, len(path)]) + path
attrs += bytes([0x90, 14]) + struct.pack("!H", len(mp)) + mp
print((struct.pack("!HH", 0, len(attrs)) + attrs).hex())
PY
)
speaker_cmd sp2 "raw 2 $native_hex"
speaker_cmd sp1 "announce $V4 aspath=64601"
wait_for 20 "r: $V6 announced" speaker_has spr "mp_reach=\[[^]]*$V6"
last_nh() { speaker_events spr "mp_reach=\[[^]]*$V6" | tail -n1 | sed 's/.*mp_nh=\[\([^],]*\).*/\1/'; }
wait_eq 10 "r: the translated route wins (AS path 1 < 3): next hop the translator" \
	fd00:1::99 last_nh

step "the IPv4 path grows to 5 ASes: the native route (3) wins, without a change on its side"
speaker_cmd sp1 "announce $V4 aspath=64601,1,2,3,4"
wait_eq 20 "r: the native route, next hop fd00:2::2" fd00:2::2 last_nh

step "the IPv4 path shrinks again: the translated route is back"
speaker_cmd sp1 "announce $V4 aspath=64601"
wait_eq 20 "r: the translated route again" fd00:1::99 last_nh

step "the IPv4 route is withdrawn: the native route stays the only one"
speaker_cmd sp1 "withdraw $V4"
wait_eq 20 "r: the native route" fd00:2::2 last_nh
