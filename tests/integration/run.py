#!/usr/bin/python3
"""
run.py - the integration suite runner: real `panoptes serve` processes on
loopback, driven over HTTP, checked against VirusTotal API v3 (VT-API.md).

    /usr/bin/python3 tests/integration/run.py --bin build/panoptes --logdir DIR
        [--only SUBSTRING] [--keep] [--list]

Runs every test_*(ctx, t) function of every tests/integration/test_*.py
module, in file order then definition order.  Output is TAP ("ok N - name",
"not ok N - name", "# ..." diagnostics, the plan "1..N" last); the exit
status is 1 when anything failed.  Each server's stderr goes to
DIR/srv-<name>.log; a failing test function prints the tail of the logs of
the servers it started (or used).  A sanitizer report (ASan, LSan, UBSan)
in any server log or CLI run fails the run.  See docs/internals/testing.md.

SPDX-License-Identifier: MIT
"""

import argparse
import glob
import importlib
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # no __pycache__ in the source tree

import lib  # noqa: E402


class Interrupted(BaseException):
    """SIGTERM/SIGHUP/SIGINT: stop, clean up the servers, report."""


def on_signal(signum, frame):
    raise Interrupted(signum)


def test_functions(mod):
    fns = [v for k, v in vars(mod).items() if k.startswith("test_") and callable(v)
           and getattr(v, "__module__", None) == mod.__name__]
    return sorted(fns, key=lambda f: f.__code__.co_firstlineno)


def run_one(ctx, t, modname, fn):
    """Run one test function; exceptions become a failing TAP line."""
    label = "%s.%s" % (modname, fn.__name__)
    t.fn_failed = 0
    ctx.used = []
    t0 = time.monotonic()
    try:
        fn(ctx, t)
    except lib.Abort:
        pass
    except Exception:  # noqa: BLE001 - any error is a test failure
        t.ok(False, "%s raised an exception" % label, lib.traceback_text())
    dt = time.monotonic() - t0
    if t.fn_failed:
        ctx.failed_dirs.update(s.datadir for s in ctx.used)
        for s in ctx.used:
            for log in s.logs[-2:]:
                t.diag("--- tail of %s (server %s) ---" % (log, s.name))
                t.diag(*["  " + l for l in s.logtext(log).splitlines()[-25:]])
    t.diag("%s: %.2f s" % (label, dt))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="build/panoptes", help="the panoptes binary")
    ap.add_argument("--logdir", default=None, help="directory for server logs")
    ap.add_argument("--only", action="append", default=[],
                    help="run only tests whose module.function contains this (repeatable)")
    ap.add_argument("--keep", action="store_true", help="keep temporary data dirs")
    ap.add_argument("--list", action="store_true", help="list the test functions")
    args = ap.parse_args()

    mods = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        mods.append((name, importlib.import_module(name)))
    plan = [(n, f) for n, m in mods for f in test_functions(m)
            if not args.only or any(o in "%s.%s" % (n, f.__name__) for o in args.only)]
    if args.list:
        for n, f in plan:
            print("%s.%s" % (n, f.__name__))
        return 0

    if not os.access(args.bin, os.X_OK):
        print("not ok 1 - binary %s is not executable" % args.bin)
        print("1..1")
        return 1
    logdir = args.logdir or os.path.join(os.path.dirname(os.path.abspath(args.bin)), "test-logs")
    ctx = lib.Context(args.bin, logdir, keep=args.keep)
    t = lib.Tap(sys.stdout)
    t.diag("binary %s%s; logs in %s" % (ctx.bin, " (sanitizers)" if ctx.sanitized else "",
                                          ctx.logdir))
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    start = time.monotonic()
    try:
        for name, fn in plan:
            run_one(ctx, t, name, fn)
        if ctx._shared is not None and ctx._shared.alive():
            rc = ctx._shared.stop()
            t.eq(rc, 0, "shared server stops cleanly on SIGTERM (exit status 0)")
    except (KeyboardInterrupt, Interrupted) as e:
        t.ok(False, "the run was interrupted (%s)" % (
            "signal %s" % e.args[0] if isinstance(e, Interrupted) else "SIGINT"))
    finally:
        kept = ctx.cleanup()
    reports = ctx.sanitizer_reports()
    lines = []
    for src, ls in reports.items():
        lines.append("%s:" % src)
        lines += ["  " + l for l in ls[:10]]
    t.ok(not reports, "no sanitizer report in any server log or CLI run", *lines)
    for d in kept:
        t.diag("kept data dir %s" % d)
    t.diag("total %.1f s, %d tests, %d failed" % (time.monotonic() - start, t.n, t.failed))
    print("1..%d" % t.n)
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
