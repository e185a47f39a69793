"""Events through `lambda-guard scan`: one parsed answer per event, for the measuring scripts.

Needs the CLI built (`cargo build --release -p lambda-guard-cli`), or GUARD_CLI naming another
build (a baseline's, to compare); GUARD_TMP_DIR defaults to a private directory under the
caller's work directory.
"""
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CLI = os.environ.get("GUARD_CLI", str(ROOT / "target" / "release" / "lambda-guard"))


def scan(events: list, work: pathlib.Path) -> list:
    env = dict(os.environ, GUARD_TMP_DIR=os.environ.get("GUARD_TMP_DIR", str(work / "guard-tmp")))
    pathlib.Path(env["GUARD_TMP_DIR"]).mkdir(parents=True, exist_ok=True)
    out = subprocess.run([str(CLI), "scan"], input="".join(json.dumps(e) + "\n" for e in events),
                         capture_output=True, text=True, env=env, check=False).stdout.splitlines()
    if len(out) != len(events):
        sys.exit(f"scan answered {len(out)} lines for {len(events)} events")
    return [json.loads(line) for line in out]
