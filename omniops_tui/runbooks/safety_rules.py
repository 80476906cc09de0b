"""The safety classifier's tables: which commands only read, which destroy, which wait for a person.

Kept apart from the classifier (safety.py) so the tables read as data: add a team's tools here.
Patterns match the space-joined arguments of one simple command (quotes already removed).
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    """A set of names written as one string (the tables read better that way)."""
    return frozenset(text.split())


# ------------------------------------------------------------------------------ the tables
READ_ONLY_COMMANDS = _words(
    "ls cat head tail grep egrep fgrep zgrep awk sort uniq wc cut tr jq echo printf test [ true false date "
    "whoami hostname uptime id pwd df du free ps pgrep which type nproc sleep stat file diff dig nslookup "
    "host ping bc column cd export set unset exit basename dirname readlink realpath seq yes env printenv "
    "uname lsof ss netstat vmstat iostat mpstat sar journalctl : -- 20"
)
# name -> sub-commands that only read
READ_ONLY_SUBCOMMANDS: dict[str, frozenset[str]] = {
    "git": _words("log status diff show rev-parse describe ls-remote check-ignore shortlog blame"),
    "docker": _words("ps stats images logs inspect version info top"),
    "docker-compose": _words("ps logs config images top version"),
    "pm2": _words("status ls list l describe show info logs jlist prettylist"),
    "kubectl": _words("get describe logs top version explain api-resources cluster-info"),
    "systemctl": _words("status is-active is-enabled list-units show cat"),
    "vercel": _words("ls list inspect logs whoami"),
    "supabase": frozenset(["status"]),
    "certbot": frozenset(["certificates"]),
    "npm": _words("ls view outdated audit"),
    "gh": frozenset(["status"]),
}
# Read-only forms of commands whose other forms change things (matched on the whole command).
READ_ONLY_FORMS = re.compile(
    r"^(supabase\s+migration\s+list|docker\s+service\s+(ps|ls|inspect|logs)|docker\s+compose\s+(ps|logs|config)"
    r"|aws\s+s3\s+ls|gsutil\s+ls|kubectl\s+config\s+view|git\s+remote\s+-v|npm\s+run\s+(test|lint)\S*)\b"
)
_COMPOSE_FILES = r"(?:(?:-f|--file|-p|--project-name)\s+\S+\s+)*"
# (command name, pattern over the space-joined arguments, why)
DESTRUCTIVE_COMMANDS: list[tuple[str, str, str]] = [
    ("rm", "", "deletes files"),
    ("rmdir", "", "deletes folders"),
    ("shred", "", "destroys files"),
    ("dd", "", "overwrites a device or file"),
    ("mkfs", "", "formats a filesystem"),
    ("truncate", "", "truncates files"),
    ("dropdb", "", "drops a database"),
    ("killall", "", "kills processes by name"),
    ("pkill", "", "kills processes by name"),
    ("kill", r"(^|\s)-(9|KILL|SIGKILL)\b", "kills a process"),
    ("pg_restore", r"^(?!.*(?:--list|(^|\s)-l\b))", "restores a database over the current one"),
    (
        "docker-compose",
        r"^(?:(?:-f|--file|-p|--project-name)\s+\S+\s+)*(down|rm|kill|stop)\b",
        "stops or removes",
    ),
    ("docker", r"^(rm|rmi|kill|stop|system\s+prune|volume\s+rm|container\s+rm)\b", "stops or removes"),
    ("docker", r"^compose\s+(?:(?:-f|--file)\s+\S+\s+)*(down|rm|kill|stop)\b", "stops or removes"),
    ("pm2", r"^(stop|delete|kill|flush)\b", "stops the application"),
    ("systemctl", r"^(stop|disable|mask|kill)\b", "stops a service"),
    ("service", r"\s(stop)\b", "stops a service"),
    ("kubectl", r"^(delete|drain|cordon)\b|--replicas[= ]0\b", "removes from the cluster"),
    ("helm", r"^(uninstall|delete|rollback)\b", "removes or rolls back a release"),
    ("terraform", r"^destroy\b", "destroys infrastructure"),
    (
        "git",
        r"^(push\s.*(--force\b|-f\b)|reset\s+--hard|clean\s+-\w*f|branch\s+-D)",
        "rewrites or deletes history",
    ),
    ("vercel", r"^(rollback|remove|rm|env\s+rm|domains\s+rm)\b", "rolls back or removes"),
    ("aws", r"^s3\s+(rm|rb)\b|\bterminate-instances\b|\sdelete-|^\S+\s+delete-", "deletes cloud resources"),
    ("gsutil", r"^(rm|rb)\b", "deletes cloud storage"),
    ("redis-cli", r"(^|\s)(FLUSHDB|FLUSHALL|DEL|UNLINK|SHUTDOWN)\b", "deletes cache data"),
    ("certbot", r"^(delete|revoke)\b", "deletes certificates"),
]
# Whatever the command: these arguments make it destructive.
DESTRUCTIVE_ARGUMENT = re.compile(r"(^|\s)(--force|--force-with-lease|--hard|--prune|--purge)(=\S*)?(\s|$)")
INTERACTIVE: dict[str, str] = {
    "vim": "opens an editor",
    "vi": "opens an editor",
    "nano": "opens an editor",
    "emacs": "opens an editor",
    "code": "opens an editor",
    "less": "opens a pager",
    "more": "opens a pager",
    "man": "opens a pager",
    "htop": "a full-screen monitor",
    "telnet": "an interactive connection",
    "read": "waits for a typed answer",
    "open": "opens a browser",
    "xdg-open": "opens a browser",
    "mysql": "an interactive SQL shell",
}
SQL_DESTRUCTIVE = re.compile(
    r"\b(drop\s+(table|index|database|column|schema|constraint|view|extension|role|user)|truncate\s|"
    r"delete\s+from|vacuum\s+full|pg_terminate_backend|pg_cancel_backend|alter\s+system|"
    r"(?<!reset\s)connection_limit)",
    re.I,
)
SQL_READ_ONLY = re.compile(
    r"^\s*(select|with|explain|show|set|reset|begin|commit|rollback|table|values)\b", re.I
)
SQL_COPY_OUT = re.compile(r"^\s*copy\s*\(.*\)\s*to\s+stdout\b", re.I | re.S)
SQL_KEYWORDS = _words(
    "SELECT INSERT UPDATE DELETE CREATE ALTER DROP TRUNCATE VACUUM ANALYZE GRANT REVOKE SET BEGIN COMMIT"
)
LONG_RUNNING = re.compile(
    r"^(tail\s.*(-f|-F|--follow)\b|watch\b|journalctl\s.*-f\b|(docker|docker-compose|kubectl)\s.*logs\s.*(-f|--follow)\b"
    r"|pm2\s+(logs|monit)\b(?!.*--nostream)|docker\s+stats\b(?!.*--no-stream)|ping\b(?!.*\s-c\s))"
)
HOST_SIDE = _words("pm2 docker-compose docker systemctl journalctl nginx df free top uptime tail cat grep")
