"""The gateway's OpenAPI contract, checked by Schemathesis against the real stack.

    PYTHONPATH=. .venv/bin/python scripts/api_check.py .venv-api/bin/schemathesis

Schemathesis lives in its own venv (`make test-api` makes it from api-requirements.txt): its
dependencies do not fit Rasa 3.6's pins. It generates requests from /openapi.json, examples,
boundary cases and random ones, for every operation, and fails on a 5xx, a status code, content
type, header or body the contract does not document, a method not refused with its `Allow`
header, and a schema-violating request accepted, a deleted conversation still reachable, and
so on: every check but one. Left out: `positive_data_acceptance` (a schema-valid request must
succeed), since some rules are beyond JSON Schema and refused with a documented 4xx: a message
is a text or a button's payload, not both nor neither, and a payload must be one the assistant
offered.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile

from bench.bench_gateway import started_stack

EXAMPLES = 30  # per operation and phase: about 500 requests, seconds on the real stack


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with started_stack() as settings, tempfile.TemporaryDirectory() as reports:
        return subprocess.run(
            [argv[1], "run", f"{settings.gateway_url}/openapi.json", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance", "--max-examples", str(EXAMPLES),
             "--generation-deterministic", "--report-dir", reports, "--no-color"],
            check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
