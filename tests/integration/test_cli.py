"""
test_cli.py - the command line: help texts, exit codes, configuration errors,
`user add` (cases 0xxx "basics").

SPDX-License-Identifier: MIT
"""

import re
import subprocess

import lib


def test_help(ctx, t):
    cases = [
        ((), ["serve", "user"]),
        (("--help",), ["serve", "user", "worker"]),
        (("serve", "--help"), ["--listen", "--data", "--workers", "--set", "--config",
                               "limits.max_upload", "ready:"]),
        (("user", "--help"), ["add", "--admin", "--download", "--data"]),
    ]
    for args, words in cases:
        r = ctx.cli(*args)
        if not args:
            # No command at all: a usage error, with the usage on stderr or stdout.
            out = r.stdout + r.stderr
            c = t.check("`panoptes` without a command is a usage error (exit 2) with the usage")
            c.eq(r.returncode, 2, "exit status")
        else:
            out = r.stdout
            c = t.check("`panoptes %s` exits 0 and names its options on stdout" % " ".join(args))
            c.eq(r.returncode, 0, "exit status")
        for w in words:
            c(w in out, "output lacks %r" % w)
        c.done()


def test_usage_errors(ctx, t):
    r = ctx.cli("no-such-command")
    c = t.check("unknown command exits 2 and names the command on stderr")
    c.eq(r.returncode, 2, "exit status")
    c("no-such-command" in r.stderr, "stderr %r" % r.stderr[:300])
    c.done()

    r = ctx.cli("serve", "--no-such-option")
    c = t.check("unknown serve option exits 2")
    c.eq(r.returncode, 2, "exit status")
    c(r.stderr.strip() != "", "nothing on stderr")
    c.done()

    r = ctx.cli("user", "add")
    c = t.check("`user add` without a NAME exits 2 with a message")
    c.eq(r.returncode, 2, "exit status")
    c(r.stderr.strip() != "", "nothing on stderr")
    c.done()


def _serve_must_refuse(ctx, t, name, sets, word):
    """Start serve with bad --set values: it must exit 2 with a message, not serve."""
    d = ctx.mkdtemp(name)
    port = lib.free_port()
    argv = [ctx.bin, "serve", "--listen", "127.0.0.1:%d" % port, "--data", d]
    for s in sets:
        argv += ["--set", s]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=ctx.env)
    ctx.track(p)
    try:
        out, err = p.communicate(timeout=ctx.start_timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        err = "(still running after %d s, killed) " % ctx.start_timeout + err
    ctx.cli_logs.append((argv, err))
    c = t.check("serve %s exits 2 with a message naming %r" % (" ".join(sets), word))
    c.eq(p.returncode, 2, "exit status")
    c(word in err, "stderr does not mention %r: %r" % (word, err[-400:]))
    c("ready:" not in err, "it served anyway")
    c.done()


def test_bad_set(ctx, t):
    _serve_must_refuse(ctx, t, "badset", ["nosuch.option=1"], "nosuch.option")
    _serve_must_refuse(ctx, t, "badset2", ["limits.nosuch=1"], "limits.nosuch")
    _serve_must_refuse(ctx, t, "badset3", ["limits.max_upload"], "limits.max_upload")
    _serve_must_refuse(ctx, t, "badval", ["worker.count=lots"], "worker.count")


def test_user_add(ctx, t):
    d = ctx.mkdtemp("useradd")
    keys = []
    for name, flags in (("alice", ()), ("bob", ("--download",)), ("carol", ("--admin",))):
        r = ctx.cli("user", "add", name, *flags, "--data", d)
        last = r.stdout.strip().splitlines()[-1].strip() if r.stdout.strip() else ""
        c = t.check("`user add %s %s` exits 0 and prints a key as the last line" % (
            name, " ".join(flags)))
        c.eq(r.returncode, 0, "exit status (stderr %r)" % r.stderr[-300:])
        c(re.fullmatch(r"[A-Za-z0-9_-]{32,128}", last) is not None, "last line %r" % last)
        c.done()
        keys.append(last)
    t.ok(len(set(keys)) == len(keys), "every new user gets a different key", repr(keys))
    r = ctx.cli("user", "add", "alice", "--data", d)
    t.ok(r.returncode != 0, "adding an existing user name fails",
         "exit %d, stdout %r" % (r.returncode, r.stdout[-200:]))
