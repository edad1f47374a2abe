"""A real local HTTP endpoint for the escalation tests.

Usage: endpoint.py DIR
  Reads the secret from DIR/secret, binds 127.0.0.1 on a free port (or DIR/port-request), writes
  the port to DIR/port, and answers every POST according to DIR/mode (ok, 500, 429, 410, slow);
  a 200 answer carries the content of DIR/answer when that file exists.
  Every attempt is appended to DIR/attempts.jsonl with its headers, body and whether the
  reference Python verifier (PyPI standardwebhooks) accepted the signature.
"""
import json, os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

d = sys.argv[1]
secret = open(os.path.join(d, "secret")).read().strip()
try:
    from standardwebhooks import Webhook
    verifier = Webhook(secret)
except ImportError:
    verifier = None


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(n)
        try:
            mode = open(os.path.join(d, "mode")).read().strip()
        except FileNotFoundError:
            mode = "ok"
        verified = None
        if verifier is not None:
            try:
                verifier.verify(body, {k.lower(): v for k, v in self.headers.items()})
                verified = True
            except Exception as e:  # the reference verifier's verdict
                verified = "rejected: %s" % e
        rec = {"id": self.headers.get("webhook-id"), "timestamp": self.headers.get("webhook-timestamp"),
               "signature": self.headers.get("webhook-signature"), "body": body.decode("utf-8", "replace"),
               "mode": mode, "verified": verified, "at": time.time()}
        with open(os.path.join(d, "attempts.jsonl"), "a") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if mode == "slow":
            time.sleep(3)
        status = {"ok": 200, "500": 500, "429": 429, "410": 410, "slow": 200}.get(mode, 200)
        out = b'{"ok":true}' if status == 200 else b'{"error":"test"}'
        answer = os.path.join(d, "answer")
        if status == 200 and os.path.exists(answer):
            out = open(answer, "rb").read()  # e.g. {"instructions": [...]} for the instruction tests
        extra = "Retry-After: 1\r\n" if status == 429 else ""
        self.wfile.write(("HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n" % (status, len(out), extra)).encode() + out)
        self.wfile.flush()

    def log_message(self, *a):
        pass


port = 0
try:
    port = int(open(os.path.join(d, "port-request")).read())
except FileNotFoundError:
    pass
srv = ThreadingHTTPServer(("127.0.0.1", port), H)
with open(os.path.join(d, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
srv.serve_forever()
