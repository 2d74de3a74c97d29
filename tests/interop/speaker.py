#!/usr/bin/env python3
"""A tiny scriptable BGP speaker for the interop tests (stdlib only).

It opens one session (--connect, or --listen and accept one), answers KEEPALIVEs, and executes
commands read line by line from a FIFO (--cmd), so that a test can send well-formed and
deliberately malformed UPDATEs at chosen moments. Everything that happens is appended to an
events file (--events), one line per event, which the test greps:

    connected LOCAL -> REMOTE
    open-received as=64500 hold=9 id=192.0.2.1 caps=1,2,64,65,...
    established
    update-received withdrawn=[..] nlri=[..] mp_reach=[..] mp_unreach=[..] eor=AFI/SAFI
    notification-received 6/2 data=HEX [message="..."]
    notification-sent 6/2
    closed by peer | closed by us
    done N COMMAND            (command number N has been executed)
    error TEXT

Commands (one per line; PREFIXES is a comma-separated list):
    announce PREFIXES [nh=A.B.C.D] [origin=N] [aspath=A,B,..] [med=N] [lp=N]
             [comm=A:B,..] [lcomm=A:B:C,..]
             [medlen=N]            MED attribute with N value octets (malformed when N != 4)
             [originlen=N]         ORIGIN attribute with N value octets
             [attr=FLAGS:TYPE:HEX] one more raw attribute (may repeat)
             [nlri-hex=HEX]        raw octets appended to the NLRI field
    withdraw PREFIXES
    flood COUNT A.B.C.0 [per=N] [attrsize=N] [ANNOUNCE OPTIONS]
                                  COUNT /24 prefixes from A.B.C.0 on, N per UPDATE (default
                                  1); with attrsize, every UPDATE carries its own unknown
                                  optional transitive attribute (type 99) of that many octets,
                                  so each is a new attribute set; stops at the first
                                  failed write (flood-progress every 10000 prefixes)
    raw TYPE HEX                  a message of TYPE with the body HEX (header added)
    borr [AFI SAFI] | eorr [AFI SAFI]
                                  RFC 7313 Beginning / End of Route Refresh (default 1 1)
    eor                           the IPv4 End-of-RIB
    cork | uncork                 TCP_CORK on/off: what is sent in between leaves in as few
                                  segments as possible, so the peer reads it in one go
    notify CODE SUBCODE [HEX]     send a NOTIFICATION and close
    close                         close the TCP connection without a NOTIFICATION
    sleep SECONDS
    quit

Exit status: 0 after a session that ended (or quit), 1 when no session could be opened.
"""

import argparse
import ipaddress
import os
import socket
import struct
import sys
import threading
import time

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
AS_TRANS = 23456


class Speaker:
    def __init__(self, a):
        self.a = a
        self.sock = None
        self.wlock = threading.Lock()
        self.ev = open(a.events, "a", buffering=1)
        self.established = False
        self.done = threading.Event()
        self.four_octet = True
        self.closing = False

    # ------------------------------------------------------------- events

    def event(self, text):
        self.ev.write(text + "\n")
        self.ev.flush()

    # ------------------------------------------------------------- transport

    def send(self, mtype, body):
        msg = MARKER + struct.pack("!HB", 19 + len(body), mtype) + body
        with self.wlock:
            if self.sock is None:
                return False
            try:
                self.sock.sendall(msg)
            except OSError as e:
                self.event("error send: %s" % e)
                return False
        return True

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def open_session(self):
        a = self.a
        host, port = split_hostport(a.connect or a.listen)
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        deadline = time.time() + a.timeout
        if a.listen:
            ls = socket.socket(fam, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind((host, port))
            ls.listen(1)
            ls.settimeout(a.timeout)
            try:
                self.sock, _ = ls.accept()
            except OSError as e:
                self.event("error accept: %s" % e)
                return False
            ls.close()
        else:
            while True:
                s = socket.socket(fam, socket.SOCK_STREAM)
                if a.bind:
                    s.bind((a.bind, 0))
                s.settimeout(2)
                try:
                    s.connect((host, port))
                    break
                except OSError as e:
                    s.close()
                    if time.time() > deadline:
                        self.event("error connect: %s" % e)
                        return False
                    time.sleep(0.5)
            self.sock = s
        self.sock.settimeout(None)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        l, r = self.sock.getsockname(), self.sock.getpeername()
        self.event("connected %s -> %s" % (l[0], r[0]))
        return True

    # ------------------------------------------------------------- messages

    def send_open(self):
        a = self.a
        caps = b""
        caps += cap(1, struct.pack("!HBB", 1, 0, 1))          # MP IPv4 unicast
        if a.ipv6:
            caps += cap(1, struct.pack("!HBB", 2, 0, 1))      # MP IPv6 unicast
        caps += cap(2, b"")                                   # route refresh
        if a.enhanced_refresh:
            caps += cap(70, b"")                              # enhanced route refresh
        caps += cap(65, struct.pack("!I", a.asn))             # 4-octet AS
        if a.graceful_restart is not None:
            # RFC 4724: R bit (restarted) with --restarted, the restart time, then IPv4
            # (and IPv6) unicast with the F bit: forwarding state preserved.
            flags = 0x8000 if a.restarted else 0
            gr = struct.pack("!H", flags | (a.graceful_restart & 0xfff))
            gr += struct.pack("!HBB", 1, 1, 0x80)
            if a.ipv6:
                gr += struct.pack("!HBB", 2, 1, 0x80)
            caps += cap(64, gr)
        opt = struct.pack("!BB", 2, len(caps)) + caps
        my_as = a.asn if a.asn < 65536 else AS_TRANS
        body = struct.pack("!BHH4sB", 4, my_as, a.hold,
                           socket.inet_aton(a.id), len(opt)) + opt
        self.send(OPEN, body)

    def reader(self):
        while True:
            try:
                hdr = self.recv_exact(19)
            except OSError as e:
                self.event("closed by %s (%s)" % ("us" if self.closing else "peer", e))
                break
            if hdr is None:
                self.event("closed by %s" % ("us" if self.closing else "peer"))
                break
            length, mtype = struct.unpack("!HB", hdr[16:19])
            body = self.recv_exact(length - 19) if length > 19 else b""
            if body is None:
                self.event("closed by peer")
                break
            if mtype == OPEN:
                self.on_open(body)
            elif mtype == KEEPALIVE:
                if not self.established:
                    self.established = True
                    self.event("established")
            elif mtype == UPDATE:
                self.on_update(body)
            elif mtype == NOTIFICATION:
                self.on_notification(body)
                self.event("closed after the NOTIFICATION")
                break
            elif mtype == ROUTE_REFRESH:
                self.event("route-refresh-received %s" % body.hex())
        with self.wlock:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None
        self.done.set()

    def on_open(self, body):
        ver, asn, hold, rid, optlen = struct.unpack("!BHH4sB", body[:10])
        caps = []
        opt = body[10:10 + optlen]
        i = 0
        while i + 2 <= len(opt):
            ptype, plen = opt[i], opt[i + 1]
            val = opt[i + 2:i + 2 + plen]
            if ptype == 2:
                j = 0
                while j + 2 <= len(val):
                    ctype, clen = val[j], val[j + 1]
                    cval = val[j + 2:j + 2 + clen]
                    caps.append(ctype)
                    if ctype == 65 and clen == 4:
                        asn = struct.unpack("!I", cval)[0]
                    j += 2 + clen
            i += 2 + plen
        self.four_octet = 65 in caps
        self.event("open-received as=%d hold=%d id=%s caps=%s" % (
            asn, hold, socket.inet_ntoa(rid), ",".join(str(c) for c in caps)))
        self.send(KEEPALIVE, b"")

    def on_notification(self, body):
        code, sub = (body[0], body[1]) if len(body) >= 2 else (0, 0)
        data = body[2:]
        extra = ""
        if code == 6 and sub in (2, 4) and data:
            n = data[0]
            extra = ' message="%s"' % data[1:1 + n].decode("utf-8", "replace")
        self.event("notification-received %d/%d data=%s%s" % (code, sub, data.hex(), extra))

    def on_update(self, body):
        try:
            wl = struct.unpack("!H", body[:2])[0]
            withdrawn = decode_prefixes(body[2:2 + wl], 4)
            tpal = struct.unpack("!H", body[2 + wl:4 + wl])[0]
            attrs = body[4 + wl:4 + wl + tpal]
            nlri = decode_prefixes(body[4 + wl + tpal:], 4)
            mp_reach, mp_unreach, eor = [], [], None
            types, mp_nh = [], ""
            i = 0
            while i < len(attrs):
                flags, atype = attrs[i], attrs[i + 1]
                if flags & 0x10:
                    alen = struct.unpack("!H", attrs[i + 2:i + 4])[0]
                    val = attrs[i + 4:i + 4 + alen]
                    i += 4 + alen
                else:
                    alen = attrs[i + 2]
                    val = attrs[i + 3:i + 3 + alen]
                    i += 3 + alen
                types.append(str(atype))
                if atype == 14:
                    afi, safi, nhl = struct.unpack("!HBB", val[:4])
                    if nhl >= 16:
                        mp_nh = str(ipaddress.ip_address(val[4:20]))
                    rest = val[4 + nhl + 1:]
                    mp_reach += decode_prefixes(rest, 4 if afi == 1 else 16)
                elif atype == 15:
                    afi, safi = struct.unpack("!HB", val[:3])
                    if len(val) == 3:
                        eor = "%d/%d" % (afi, safi)
                    mp_unreach += decode_prefixes(val[3:], 4 if afi == 1 else 16)
            if not body[4 + wl + tpal:] and not withdrawn and tpal == 0:
                eor = "1/1"
            self.event("update-received withdrawn=[%s] nlri=[%s] mp_reach=[%s] mp_unreach=[%s]%s"
                       " types=[%s] mp_nh=[%s]"
                       % (",".join(withdrawn), ",".join(nlri), ",".join(mp_reach),
                          ",".join(mp_unreach), " eor=" + eor if eor else "",
                          ",".join(types), mp_nh))
        except (struct.error, IndexError, ValueError) as e:
            self.event("update-received unparsed (%s) %s" % (e, body.hex()))

    # ------------------------------------------------------------- commands

    def keepalives(self):
        interval = max(1.0, self.a.hold / 3.0)
        while not self.done.wait(interval):
            self.send(KEEPALIVE, b"")

    def build_update(self, prefixes, kv, raw_attrs):
        a = self.a
        origin = int(kv.get("origin", 0))
        olen = int(kv.get("originlen", 1))
        attrs = attr(0x40, 1, bytes([origin]) + b"\x00" * (olen - 1) if olen >= 1 else b"")
        path = [int(x) for x in kv["aspath"].split(",")] if "aspath" in kv else [a.asn]
        if a.peer_as == a.asn:  # iBGP: empty AS_PATH unless given
            path = [int(x) for x in kv["aspath"].split(",")] if "aspath" in kv else []
        if path:
            if self.four_octet:
                seg = struct.pack("!BB", 2, len(path)) + b"".join(struct.pack("!I", x) for x in path)
            else:
                seg = struct.pack("!BB", 2, len(path)) + b"".join(
                    struct.pack("!H", x if x < 65536 else AS_TRANS) for x in path)
        else:
            seg = b""
        attrs += attr(0x40, 2, seg)
        attrs += attr(0x40, 3, socket.inet_aton(kv.get("nh", a.nexthop)))
        if "med" in kv or "medlen" in kv:
            med = int(kv.get("med", 0))
            mlen = int(kv.get("medlen", 4))
            val = struct.pack("!I", med)
            val = val[4 - mlen:] if mlen <= 4 else val + b"\x00" * (mlen - 4)
            attrs += attr(0x80, 4, val)
        if "lp" in kv:
            attrs += attr(0x40, 5, struct.pack("!I", int(kv["lp"])))
        if "comm" in kv:
            v = b"".join(struct.pack("!HH", *[int(x) for x in c.split(":")])
                         for c in kv["comm"].split(","))
            attrs += attr(0xc0, 8, v)
        if "lcomm" in kv:
            v = b"".join(struct.pack("!III", *[int(x) for x in c.split(":")])
                         for c in kv["lcomm"].split(","))
            attrs += attr(0xc0, 32, v)
        for r in raw_attrs:
            f, t, h = r.split(":")
            attrs += attr(int(f, 0), int(t), bytes.fromhex(h))
        nlri = encode_prefixes(prefixes) + bytes.fromhex(kv.get("nlri-hex", ""))
        return struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri

    def flood(self, count, start, kv, raw_attrs):
        base = struct.unpack("!I", socket.inet_aton(start))[0]
        per = int(kv.pop("per", 1))
        size = int(kv.pop("attrsize", 0))
        sent = 0
        for i in range(0, count, per):
            if self.closing or self.sock is None:
                break
            pfx = ["%s/24" % socket.inet_ntoa(struct.pack("!I", base + (j << 8)))
                   for j in range(i, min(i + per, count))]
            extra = list(raw_attrs)
            if size > 0:
                val = struct.pack("!Q", i).ljust(size, b"\x5a")
                extra.append("0xc0:99:" + val.hex())
            if not self.send(UPDATE, self.build_update(pfx, kv, extra)):
                break
            sent += len(pfx)
            if sent % 10000 < per:
                self.event("flood-progress %d" % sent)
        self.event("flood-sent %d" % sent)

    def run_command(self, n, line):
        words = line.split()
        if not words:
            return True
        cmd, args = words[0], words[1:]
        kv, pos, raw_attrs = {}, [], []
        for w in args:
            if "=" in w:
                k, v = w.split("=", 1)
                if k == "attr":
                    raw_attrs.append(v)
                else:
                    kv[k] = v
            else:
                pos.append(w)
        if cmd == "announce":
            prefixes = pos[0].split(",") if pos else []
            self.send(UPDATE, self.build_update(prefixes, kv, raw_attrs))
        elif cmd == "flood":
            self.flood(int(pos[0]), pos[1], kv, raw_attrs)
        elif cmd == "withdraw":
            w = encode_prefixes(pos[0].split(","))
            self.send(UPDATE, struct.pack("!H", len(w)) + w + struct.pack("!H", 0))
        elif cmd == "eor":
            self.send(UPDATE, struct.pack("!HH", 0, 0))
        elif cmd in ("borr", "eorr"):
            afi, safi = (int(pos[0]), int(pos[1])) if len(pos) >= 2 else (1, 1)
            self.send(ROUTE_REFRESH, struct.pack("!HBB", afi, 1 if cmd == "borr" else 2, safi))
        elif cmd in ("cork", "uncork"):
            with self.wlock:
                if self.sock is not None:
                    self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK,
                                         1 if cmd == "cork" else 0)
        elif cmd == "raw":
            self.send(int(pos[0]), bytes.fromhex(pos[1] if len(pos) > 1 else ""))
        elif cmd == "notify":
            data = bytes.fromhex(pos[2]) if len(pos) > 2 else b""
            self.send(NOTIFICATION, bytes([int(pos[0]), int(pos[1])]) + data)
            self.event("notification-sent %s/%s" % (pos[0], pos[1]))
            self.close()
        elif cmd == "close":
            self.close()
        elif cmd == "sleep":
            time.sleep(float(pos[0]))
        elif cmd == "quit":
            self.event("done %d %s" % (n, line))
            self.close()
            return False
        else:
            self.event("error unknown command: %s" % line)
        self.event("done %d %s" % (n, line))
        return True

    def close(self):
        with self.wlock:
            if self.sock is not None:
                self.closing = True
                try:
                    self.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def commands(self):
        fd = os.open(self.a.cmd, os.O_RDWR)  # RDWR: never sees EOF when a writer leaves
        f = os.fdopen(fd, "r", buffering=1)
        n = 0
        for line in f:
            n += 1
            try:
                if not self.run_command(n, line.strip()):
                    break
            except Exception as e:  # a bad command is reported, the session goes on
                self.event("error command %d %r: %s" % (n, line.strip(), e))
                self.event("done %d %s" % (n, line.strip()))


def cap(code, val):
    return struct.pack("!BB", code, len(val)) + val


def attr(flags, atype, val):
    if len(val) > 255:
        return struct.pack("!BBH", flags | 0x10, atype, len(val)) + val
    return struct.pack("!BBB", flags & ~0x10, atype, len(val)) + val


def encode_prefixes(prefixes):
    out = b""
    for p in prefixes:
        if not p:
            continue
        n = ipaddress.ip_network(p, strict=False)
        nb = (n.prefixlen + 7) // 8
        out += bytes([n.prefixlen]) + n.network_address.packed[:nb]
    return out


def decode_prefixes(buf, alen):
    out = []
    i = 0
    while i < len(buf):
        plen = buf[i]
        nb = (plen + 7) // 8
        raw = buf[i + 1:i + 1 + nb] + b"\x00" * (alen - nb)
        addr = ipaddress.ip_address(raw[:alen])
        out.append("%s/%d" % (addr, plen))
        i += 1 + nb
    return out


def split_hostport(s):
    if s.startswith("["):
        host, _, port = s[1:].partition("]")
        return host, int(port.lstrip(":") or 179)
    if s.count(":") == 1:
        host, port = s.split(":")
        return host, int(port)
    return s, 179


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--connect", help="ADDR[:PORT] ([ADDR]:PORT for IPv6)")
    g.add_argument("--listen", help="ADDR[:PORT]: accept one connection")
    p.add_argument("--bind", help="local address for --connect")
    p.add_argument("--as", dest="asn", type=int, required=True)
    p.add_argument("--peer-as", type=int, required=True)
    p.add_argument("--id", required=True, help="BGP identifier")
    p.add_argument("--hold", type=int, default=9)
    p.add_argument("--nexthop", default="192.0.2.1", help="default NEXT_HOP of announcements")
    p.add_argument("--ipv6", action="store_true", help="also offer MP IPv6 unicast")
    p.add_argument("--graceful-restart", type=int, metavar="SECONDS",
                   help="offer graceful restart (RFC 4724) with this restart time, families "
                        "with forwarding state preserved")
    p.add_argument("--restarted", action="store_true",
                   help="with --graceful-restart: set the Restart State bit")
    p.add_argument("--enhanced-refresh", action="store_true",
                   help="offer enhanced route refresh (RFC 7313)")
    p.add_argument("--cmd", required=True, help="FIFO to read commands from")
    p.add_argument("--events", required=True, help="file to append events to")
    p.add_argument("--timeout", type=float, default=30, help="seconds to get a connection")
    a = p.parse_args()
    s = Speaker(a)
    if not s.open_session():
        return 1
    s.send_open()
    threading.Thread(target=s.keepalives, daemon=True).start()
    threading.Thread(target=s.commands, daemon=True).start()
    s.reader()
    s.done.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
