"""`controlroom users add|passwd|roles|disable|enable|list`: accounts managed at the command line.

A password is never an argument (it would sit in the shell history and the process list): it is asked
twice at a terminal, or read as the first line of standard input when that is piped. Every change is
audited by `integrations.users` under the name of the person at the terminal (the OS login).
"""

from __future__ import annotations

import getpass
import sys
import time
from argparse import Namespace
from typing import TextIO

from integrations.storage import Store
from integrations.users import AccountError, UserStore


def read_password(stdin: TextIO = sys.stdin) -> str:
    """Asked twice at a terminal (not echoed); the first line of a pipe otherwise."""
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        raise AccountError("the two passwords differ")
    return first


def run(ns: Namespace, url: str, console: str) -> int:
    """Carry out one `users` action; prints what was done, or raises AccountError saying why not."""
    store = Store(url)
    try:
        users, actor, now = UserStore(store, console), getpass.getuser(), time.time()
        if ns.action == "list":
            for u in users.list():
                state = (
                    "disabled"
                    if u.disabled
                    else ("locked" if u.locked_until and u.locked_until > now else "")
                )
                print(f"{u.name}\t{u.full_name}\t{' '.join(sorted(u.roles))}\t{state}".rstrip())
            return 0
        if not ns.name:
            raise AccountError(f"users {ns.action} needs a user NAME")
        roles = [r for arg in ns.roles or () for r in arg.split(",")]
        if ns.action == "add":
            roles += ["admin"] if ns.admin else []
            user = users.add(ns.name, ns.full_name or "", read_password(), roles, actor, now)
            print(f"added {user.name} ({', '.join(sorted(user.roles)) or 'no roles'})")
        elif ns.action == "passwd":
            users.set_password(ns.name, read_password(), actor, now)
            print(f"password of {ns.name} changed")
        elif ns.action == "roles":
            users.set_roles(ns.name, roles, actor, now)
            print(f"roles of {ns.name}: {', '.join(sorted(set(roles))) or 'none'}")
        else:
            users.set_disabled(ns.name, ns.action == "disable", actor, now)
            print(f"{ns.name} {ns.action}d")
        return 0
    finally:
        store.close()
