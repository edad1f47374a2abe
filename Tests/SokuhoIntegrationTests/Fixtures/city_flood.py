#!/usr/bin/env python3
"""Floods sokuho-city's listener the way an unauthenticated network client would.

usage: city_flood.py PORT MODE COUNT SECONDS [MID]
  MODE slow    open COUNT connections, each sending an unfinished request head one byte per second
       bodies  open COUNT connections, each sending webhook headers that pass the header checks
               (an id, a current timestamp, a well-formed v1 signature) and a declared 1 MiB body,
               then the body but its last byte, and holding it
       slowbody  the same headers, then the body one byte per second
       sticky  a GET with a one-byte body that is answered before the byte is sent, then the byte,
               then a POST whose 100,000-byte body is trickled one byte per second
Prints one JSON line when the flood is in place: {"opened", "refused"}, then holds it for SECONDS
(or until stdin closes) and prints a second line: {"closed_by_server", "answers"} where answers
counts the HTTP status codes the server sent.
"""
import base64, json, os, select, socket, sys, time

port, mode, count, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
# Optional MID: also print {"closed_by_server", "answers"} after MID seconds (before the end).
mid = float(sys.argv[5]) if len(sys.argv) > 5 else None
socks, answers, closed = [], {}, 0
opened = refused = 0
head_slow = b"POST /hook HTTP/1.1\r\nHost: city\r\nX-Slow: " + b"a" * 200
for i in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        refused += 1
        s.close()
        continue
    opened += 1
    if mode in ("bodies", "slowbody"):
        sig = base64.b64encode(os.urandom(32)).decode()
        head = (
            "POST /hook HTTP/1.1\r\nHost: city\r\nContent-Type: application/json\r\n"
            f"webhook-id: msg_flood_{i}\r\nwebhook-timestamp: {int(time.time())}\r\n"
            f"webhook-signature: v1,{sig}\r\nContent-Length: {1 << 20}\r\n\r\n"
        ).encode()
        s.settimeout(2)
        try:
            s.sendall(head + (b"x" * ((1 << 20) - 1) if mode == "bodies" else b""))
        except OSError:
            pass
    if mode == "sticky":
        s.settimeout(5)
        try:
            s.sendall(b"GET /login HTTP/1.1\r\nHost: city\r\nContent-Length: 1\r\n\r\n")
            got = b""
            while b"\r\n\r\n" not in got:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            s.sendall(b"x")
            s.sendall(b"POST /login HTTP/1.1\r\nHost: city\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n")
        except OSError:
            pass
        time.sleep(0.2)
        try:
            s.setblocking(False)
            while s.recv(65536):
                pass
        except (BlockingIOError, OSError):
            pass
    s.setblocking(False)
    socks.append([s, 1 if mode == "sticky" else 0, b""])

print(json.dumps({"opened": opened, "refused": refused}), flush=True)

def poll():
    global closed
    for entry in socks:
        s = entry[0]
        if s is None:
            continue
        try:
            data = s.recv(65536)
            if not data:
                closed += 1
                s.close()
                entry[0] = None
                continue
            entry[2] += data
            if entry[2].startswith(b"HTTP/1.1 ") and len(entry[2]) >= 12 and not entry[1]:
                code = entry[2][9:12].decode()
                answers[code] = answers.get(code, 0) + 1
                entry[1] = 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
            entry[0] = None

start = time.time()
end = start + seconds
sent = 0
while time.time() < end:
    if mid is not None and time.time() - start >= mid:
        poll()
        print(json.dumps({"closed_by_server": closed, "answers": answers}), flush=True)
        mid = None
    if select.select([sys.stdin], [], [], 0)[0] and not sys.stdin.readline():
        break
    poll()
    if mode in ("slow", "slowbody", "sticky"):
        for entry in socks:
            if entry[0] is not None:
                try:
                    entry[0].send(b"x" if mode in ("slowbody", "sticky") else head_slow[sent % len(head_slow):sent % len(head_slow) + 1])
                except OSError:
                    pass
        sent += 1
        time.sleep(1)
    else:
        time.sleep(0.2)
poll()
print(json.dumps({"closed_by_server": closed, "answers": answers}), flush=True)
for entry in socks:
    if entry[0] is not None:
        entry[0].close()
