#!/usr/bin/env bash
# bgp64d under valgrind (issue 8 item 6): one scenario through the daemon's main paths, with no
# memory error and no leak.
#
#   s1 (speaker, eBGP AS 64601, IPv4 source) --- d (bgp64d under valgrind) --- s2 (speaker,
#   route-reflector client, receives the translations)
#
# s1 announces IPv4 routes (translated and exported to s2), a malformed UPDATE (treat-as-
# withdraw), a bad IPv6 next hop and IPv6 NLRI it did not negotiate, a withdrawal; bgp64ctl
# asks for every show command and a route refresh; a scrape of /metrics; SIGHUP reloads a
# changed next-hop rule; s1 leaves (its routes are flushed and withdrawn at s2); SIGTERM. Then
# valgrind's report must say 0 errors, and 0 bytes definitely, indirectly or possibly lost
# (--errors-for-leak-kinds=definite,indirect,possible). What valgrind reports as still
# reachable at exit (the attribute interning tables and pool slabs, module-global, kept for
# reuse) is printed, not counted as a leak. About 40 s (valgrind runs bgp64d 20-50 times slower).
. "$(dirname "$0")/lib.sh"
need_bgp64d
command -v valgrind >/dev/null || fail "valgrind not installed (scripts/deps.sh)"
if grep -qa AddressSanitizer "$BGP64D"; then
	say "note: bgp64d is built with ASan, which valgrind cannot run: skipped"
	exit 0
fi

step "topology: s1 (10.0.1.2, AS 64601) --- d (bgp64d under valgrind) --- s2 (10.0.2.2, RR client)"
ns_add d s1 s2
link d s1 1
link d s2 2
XP=2001:db8:64::/96 # the well-known prefix would refuse documentation prefixes (RFC 6052 3.1)
write_conf() {
	cat >"$(b64_conf d)" <<JSON
{
  "router-id": "10.0.1.1", "local-as": 64500,
  "listen": [{"address": "10.0.1.1"}, {"address": "10.0.2.1"}],
  "translation": {"prefix": "$XP",
    "next-hops": [{"ipv4": "10.0.1.2/32", "ipv6": "$1"}], "eor-wait": 1},
  "neighbors": [
    $(nbr_json 10.0.1.2 64601 9 ipv4-import,ipv6-import),
    $(rr_client 10.0.2.2 9 ipv6-export)
  ],
  "fib": {"enabled": false},
  "control": {"socket": "$(b64_sock d)"},
  "metrics": {"listen": "10.0.2.1:9179"}
}
JSON
}
write_conf fd00:1::64
VG="$T/valgrind.log"
B64_WRAP="valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
--errors-for-leak-kinds=definite,indirect,possible --num-callers=30 --log-file=$VG"
export B64_WRAP
b64_start d d
link_speaker s1 s1 1 64601
link_speaker s2 s2 2 64500 --ipv6
for s in s1 s2; do wait_for 60 "$s: established" speaker_has $s '^established'; done

X1=$(xlat96 $XP 192.0.2.0/24)
X2=$(xlat96 $XP 198.51.100.0/24)
X3=$(xlat96 $XP 203.0.113.0/24)
step "announcements, translated and exported"
speaker_cmd s1 "announce 192.0.2.0/24,198.51.100.0/24,203.0.113.0/24 med=5 comm=64601:1 lcomm=64601:1:1"
wait_for 60 "s2: $X3 announced" speaker_has s2 "mp_reach=\[[^]]*$X3"
speaker_cmd s1 "announce 198.51.100.0/24 origin=5" # treat-as-withdraw
speaker_cmd s1 "announce 10.1.0.0/16 nh=224.0.0.5" # bad next hop: treat-as-withdraw
mp6=$(python3 -c 'import ipaddress, struct
nh = ipaddress.ip_address("fe80::1").packed
print((struct.pack("!HBB", 2, 1, 16) + nh + b"\0" + bytes([32]) + bytes.fromhex("20010db8")).hex())')
speaker_cmd s1 "announce attr=0x80:14:$mp6" # IPv6, not negotiated by s1: ignored
wait_for 60 "s2: $X2 withdrawn (treat-as-withdraw)" speaker_has s2 "mp_unreach=\[[^]]*$X2"
speaker_cmd s1 "withdraw 192.0.2.0/24"
wait_for 60 "s2: $X1 withdrawn" speaker_has s2 "mp_unreach=\[[^]]*$X1"

step "every show command, a route refresh, a metrics scrape"
for c in "show summary" "show neighbors" "show neighbors 10.0.1.2" "show rib" "show rib ipv4" \
	"show rib ipv6" "show rib ipv4 203.0.113.0/24 longer" "show nexthops" "show fib" \
	"show translation 203.0.113.7" "show translation $X3" "neighbor 10.0.2.2 refresh"; do
	# shellcheck disable=SC2086 # the command's words
	ctl d $c >"$T/ctl.out" 2>&1 || fail "bgp64ctl $c: $(head -n3 "$T/ctl.out")"
done
pass "every show command answered"
page=$(in_ns s2 python3 -c '
import urllib.request
print(urllib.request.urlopen("http://10.0.2.1:9179/metrics", timeout=20).read().decode())')
grep -q '^bgp64d_prefixes{family="ipv4"} 1$' <<<"$page" || fail "metrics: $(head -c 300 <<<"$page")"
pass "metrics scraped"

step "reload (SIGHUP) with another translator address"
write_conf fd00:1::65
kill -HUP "${B64_PID[d]}"
wait_for 60 "s2: $X3 re-announced via fd00:1::65" speaker_has s2 "mp_reach=\[[^]]*$X3.*mp_nh=\[fd00:1::65"

step "s1 leaves: its routes are flushed and withdrawn at s2"
speaker_cmd s1 "notify 6 2"
wait_for 60 "s2: $X3 withdrawn" speaker_has s2 "mp_unreach=\[[^]]*$X3"
# every path gone; what is still interned belongs to the update group's export cache (a bounded
# cache of the last exports' attribute sets, emptied by the idle trim after many withdrawals
# and at exit)
attr_held() { ctl d show summary | jget "'%d sets, %d blobs' % (j['summary']['attribute_sets'], j['summary']['attribute_blobs'])"; }
paths_left() { ctl d show summary | jget "j['summary']['paths']"; }
wait_eq 30 "bgp64d: paths left" 0 paths_left
say "interned after the flush: $(attr_held)"

step "SIGTERM: exit status 0, valgrind's report clean"
rc=0
stop d TERM || rc=$?
i=0
while [ $i -lt 100 ] && ! grep -q 'ERROR SUMMARY' "$VG"; do
	sleep 0.1
	i=$((i + 1))
done
sed -n '/HEAP SUMMARY/,$p' "$VG" | sed 's/^==[0-9]*== //'
assert_eq "bgp64d under valgrind: exit status (99: errors or leaks)" 0 "$rc"
assert_match "valgrind: no error" 'ERROR SUMMARY: 0 errors' "$(grep 'ERROR SUMMARY' "$VG")"
for kind in "definitely lost" "indirectly lost" "possibly lost"; do
	v=$(grep "$kind:" "$VG" | sed 's/.*lost: //')
	[ -z "$v" ] && v="0 bytes in 0 blocks (none reported)"
	assert_match "valgrind: $kind" '^0 bytes in 0 blocks' "$v"
done
# still reachable at exit: only the attribute interning tables and slabs (attr.c), nothing else
other=$(python3 - "$VG" <<'PY'
import re, sys
blocks = re.split(r"\n==\d+== \n", open(sys.argv[1]).read())
print(sum(1 for b in blocks if "still reachable in loss record" in b and "attr.c" not in b))
PY
)
assert_eq "valgrind: still-reachable records from anything but the attribute tables" 0 "$other"
say "FIGURE valgrind: $(grep 'ERROR SUMMARY' "$VG" | sed 's/^==[0-9]*== //'); still reachable:" \
	"$(grep 'still reachable:' "$VG" | sed 's/.*reachable: //')"
