#!/usr/bin/env python3
"""A bounded client loop against the metrics endpoint (test_metrics_load.sh).

Usage: metrics_load.py HOST PORT DAEMON-PID

Phases, each a few seconds: an idle-connection flood, slow senders (one header byte every
0.5 s), oversized headers, announced bodies; meanwhile a normal scrape runs every second and
must be answered. Prints "PASS: ..." or "FAIL: ..." lines and the figures; exit status 1 on
the first failure.
"""
import os
import socket
import sys
import threading
import time
import urllib.request

HOST, PORT, PID = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
URL = "http://%s:%d/metrics" % (HOST, PORT)
CAP = 16  # CTL_HTTP_MAX_CONNS
DEADLINE = 5  # CTL_HTTP_REQ_SECS


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def ok(msg):
    print("PASS: " + msg, flush=True)


def fds():
    return len(os.listdir("/proc/%d/fd" % PID))


def scrape(timeout=10):
    t = time.monotonic()
    with urllib.request.urlopen(URL, timeout=timeout) as r:
        body = r.read().decode()
        if r.status != 200 or "bgp64d_prefixes" not in body:
            fail("scrape: status %d, %d bytes" % (r.status, len(body)))
    return time.monotonic() - t, body


class Scraper(threading.Thread):
    """Scrapes every second until stopped; records latencies and errors."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.lat, self.errors = [], []

    def run(self):
        while not self.stop.is_set():
            try:
                self.lat.append(scrape()[0])
            except Exception as e:  # noqa: BLE001 - any failure is what we count
                self.errors.append(repr(e))
            self.stop.wait(1.0)

    def finish(self, what):
        self.stop.set()
        self.join()
        if self.errors or not self.lat:
            fail("%s: scrapes failed: %s" % (what, self.errors[:3]))
        ok("%s: %d scrapes answered, slowest %.3f s" % (what, len(self.lat), max(self.lat)))
        return max(self.lat)


def connect():
    s = socket.create_connection((HOST, PORT), timeout=5)
    s.setblocking(False)
    return s


def closed_by_server(s):
    try:
        return s.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def answer(s, wait=3.0):
    s.setblocking(True)
    s.settimeout(wait)
    data = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    except OSError:
        pass
    return data.split(b"\r\n", 1)[0].decode(errors="replace")


base_fds = fds()
lat0, _ = scrape()
ok("baseline scrape in %.3f s, daemon holds %d fds" % (lat0, base_fds))
figures = {}

# 1. idle flood: 300 connections that never send a byte
sc = Scraper()
sc.start()
idle = []
peak = 0
for i in range(300):
    idle.append(connect())
    if i % 20 == 0:
        peak = max(peak, fds())
time.sleep(1.0)
peak = max(peak, fds())
gone = sum(closed_by_server(s) for s in idle)
# the cap, plus the accepted socket that takes an evicted one's place (the daemon closes
# sockets at once, not at the end of its loop turn) and one of slack
LIMIT = CAP + 2
if peak > base_fds + LIMIT:
    fail("idle flood: daemon fds peaked at %d (base %d, cap %d)" % (peak, base_fds, CAP))
ok("idle flood of 300: daemon fds peak %d (base %d, cap %d)" % (peak, base_fds, CAP))
if gone < 300 - CAP:
    fail("idle flood: only %d of 300 idle connections closed by the daemon" % gone)
ok("idle flood: %d of 300 idle connections closed by the daemon (room for new ones)" % gone)
time.sleep(DEADLINE + 1)
gone = sum(closed_by_server(s) for s in idle)
if gone != 300:
    fail("idle flood: %d of 300 closed after the request deadline" % gone)
ok("idle flood: all 300 closed after the %d s request deadline" % DEADLINE)
for s in idle:
    s.close()
figures["idle_flood_slowest_scrape"] = sc.finish("idle flood")

# 2. slowloris: 40 senders of one header byte every 0.5 s
sc = Scraper()
sc.start()
slow = []
for i in range(40):
    s = connect()
    s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    slow.append([s, time.monotonic(), None])
t_end = time.monotonic() + DEADLINE + 3
while time.monotonic() < t_end and any(x[2] is None for x in slow):
    for x in slow:
        if x[2] is not None:
            continue
        try:
            x[0].send(b"a")
        except OSError:
            x[2] = time.monotonic() - x[1]
            continue
        if closed_by_server(x[0]):
            x[2] = time.monotonic() - x[1]
    peak = max(peak, fds())
    time.sleep(0.5)
if peak > base_fds + LIMIT:
    fail("slowloris: daemon fds peaked at %d (base %d, cap %d)" % (peak, base_fds, CAP))
ok("slowloris: daemon fds peak %d" % peak)
held = [x[2] for x in slow]
if any(h is None for h in held):
    fail("slowloris: %d of 40 slow senders still connected after %d s"
         % (sum(h is None for h in held), DEADLINE + 3))
longest = max(held)
if longest > DEADLINE + 1.5:
    fail("slowloris: a slow sender was held %.1f s (deadline %d s)" % (longest, DEADLINE))
ok("slowloris: all 40 slow senders dropped, the longest held %.1f s (deadline %d s)"
   % (longest, DEADLINE))
for x in slow:
    x[0].close()
figures["slowloris_longest_hold_s"] = longest
figures["slowloris_slowest_scrape"] = sc.finish("slowloris")

# 3. oversized headers: 20 requests with 16 KiB of header -> 431
sc = Scraper()
sc.start()
statuses = []
for i in range(20):
    s = connect()
    s.setblocking(True)
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nX-Big: " + b"x" * 16384 + b"\r\n\r\n")
    except OSError:
        pass  # the daemon may answer and close before it has read everything
    statuses.append(answer(s))
    s.close()
bad = [x for x in statuses if not x.startswith("HTTP/1.1 431")]
if bad:
    fail("oversized headers: %d not answered 431: %s" % (len(bad), bad[:3]))
ok("oversized headers: 20 of 20 answered '%s'" % statuses[0])
figures["oversized_slowest_scrape"] = sc.finish("oversized headers")

# 4. bodies and methods
for req, want in [
    (b"GET /metrics HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 4096, "413"),
    (b"POST /metrics HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", "413"),
    (b"PUT /metrics HTTP/1.1\r\n\r\n", "405"),
    (b"GET /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "413"),
    (b"GET /nothing HTTP/1.1\r\n\r\n", "404"),
]:
    s = connect()
    s.setblocking(True)
    s.sendall(req)
    st = answer(s)
    s.close()
    if not st.startswith("HTTP/1.1 " + want):
        fail("%r: answered %r, want %s" % (req[:40], st, want))
ok("bodies refused (413), other methods (405), other paths (404)")

# 5. afterwards: back to the baseline
time.sleep(1)
lat, body = scrape()
now = fds()
if now > base_fds + 1:
    fail("after the load: daemon holds %d fds (base %d)" % (now, base_fds))
ok("after the load: daemon holds %d fds (base %d), scrape in %.3f s" % (now, base_fds, lat))
for line in body.splitlines():
    if line.startswith("bgp64d_metrics_") and not line.startswith("#"):
        print("  " + line)
figures["daemon_fd_peak"] = peak
figures["daemon_fd_base"] = base_fds
print("FIGURES " + " ".join("%s=%s" % (k, ("%.3f" % v) if isinstance(v, float) else v)
                            for k, v in figures.items()), flush=True)
