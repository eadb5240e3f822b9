#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Host side of the guest's requests to QEMU: follow the guest's result
channel (a file QEMU writes the second serial port to) and turn each line
    @@DAXTEST qmp cxl-inject-poison DEVICE-ID START LENGTH
into the QMP command cxl-inject-poison on DEVICE-ID (a cxl-type3 device's
id) through the QMP socket, logging each command and answer. Runs until
it is killed (vm-common.sh stops it when the guest ends).
Usage: qmp-watch.py RESULTS-FILE QMP-SOCKET LOG-FILE"""
import json
import os
import socket
import sys
import time

TAG = "@@DAXTEST qmp "


def qmp_connect(path):
    for _ in range(600):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            f = s.makefile("rw")
            json.loads(f.readline())  # the greeting
            f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
            f.flush()
            reply(f)
            return s, f
        except OSError:
            time.sleep(0.2)
    raise SystemExit("qmp-watch: cannot connect to " + path)


def reply(f):
    while True:
        line = f.readline()
        if not line:
            raise SystemExit("qmp-watch: QMP socket closed")
        msg = json.loads(line)
        if "return" in msg or "error" in msg:
            return msg


def main():
    results, sock, logname = sys.argv[1:4]
    log = open(logname, "a", buffering=1)
    conn = None
    while not os.path.exists(results):
        time.sleep(0.2)
    with open(results, "r", errors="replace") as res:
        buf = ""
        while True:
            chunk = res.readline()
            if not chunk:
                time.sleep(0.1)
                continue
            buf += chunk
            if not buf.endswith("\n"):
                continue
            line, buf = buf.strip("\r\n"), ""
            if not line.startswith(TAG):
                continue
            words = line[len(TAG):].split()
            if len(words) != 4 or words[0] != "cxl-inject-poison":
                log.write("unknown request: %s\n" % line)
                continue
            if conn is None:
                conn = qmp_connect(sock)
            cmd = {"execute": "cxl-inject-poison",
                   "arguments": {"path": "/machine/peripheral/" + words[1],
                                 "start": int(words[2], 0), "length": int(words[3], 0)}}
            conn[1].write(json.dumps(cmd) + "\n")
            conn[1].flush()
            log.write("%s -> %s\n" % (json.dumps(cmd), json.dumps(reply(conn[1]))))


if __name__ == "__main__":
    main()
