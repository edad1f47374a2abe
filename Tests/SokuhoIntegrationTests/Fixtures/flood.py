#!/usr/bin/env python3
"""Floods sokuhod's control socket as one user, the way an abusive local user would.

usage: flood.py SOCKET MODE COUNT SECONDS
  MODE idle   open COUNT connections and send nothing
       slow   open COUNT connections and send one byte every 0.5 s, never a newline
       half   open COUNT connections, each sending 1 MiB of an unfinished line
Prints one JSON line when the flood is in place: {"opened", "refused", "answers"}, then holds it
for SECONDS (or until stdin closes) and prints a second line: {"closed_by_daemon", "answers"}.
"""
import json, select, socket, sys, time

path, mode, count, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
socks, answers = [], {}
opened = refused = 0
for _ in range(count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError:
        refused += 1
        s.close()
        continue
    opened += 1
    s.setblocking(False)
    socks.append(s)
    if mode == "half":
        # Each connection sends 1 MiB of a line it never ends, then holds it.
        chunk = b'{"op":"status","pad":"' + b"a" * ((1 << 20) - 30)
        sent = 0
        deadline = time.time() + 2
        while sent < len(chunk) and time.time() < deadline:
            try:
                sent += s.send(chunk[sent:])
            except BlockingIOError:
                time.sleep(0.005)
            except OSError:
                break

def drain():
    closed = 0
    for s in socks:
        if s.fileno() < 0:
            closed += 1
            continue
        try:
            data = s.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if data:
            for line in data.split(b"\n"):
                try:
                    code = json.loads(line)["error"]["code"]
                    answers[code] = answers.get(code, 0) + 1
                except Exception:
                    pass
        else:
            closed += 1
            s.close()
    return closed

time.sleep(0.5)
closed = drain()
print(json.dumps({"opened": opened, "refused": refused + answers.get("too_many_connections", 0), "answers": answers}), flush=True)
end = time.time() + seconds
while time.time() < end:
    if select.select([sys.stdin], [], [], 0)[0] and not sys.stdin.read(1):
        break
    if mode == "slow":
        for s in socks:
            if s.fileno() >= 0:
                try:
                    s.send(b"a")
                except OSError:
                    pass
    time.sleep(0.5)
    closed = drain()
print(json.dumps({"closed_by_daemon": closed, "answers": answers}), flush=True)
