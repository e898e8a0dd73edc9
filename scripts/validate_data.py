"""`rasa data validate`, failing on every warning except the one Rasa gets wrong.

Rasa warns that a response is "not used in any story or rule" when only a custom action or a
form says it. Such a warning is accepted only if the response really is said that way: an
`utter_ask_<slot>` of a form's slot, or a name that appears in actions/*.py or in the gateway's
code (bot/gateway/*.py: the distress safety net's one line). Anything else fails.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule")
WARNING = re.compile(r"UserWarning: (.*)")


def said_by_code() -> set[str]:
    names = set()
    for path in [*(ROOT / "actions").glob("*.py"), *(ROOT / "bot" / "gateway").glob("*.py")]:
        names |= set(re.findall(r"\butter_\w+", path.read_text(encoding="utf-8")))
    for path in (ROOT / "bot" / "domain").glob("*.yml"):
        for form in (yaml.safe_load(path.read_text(encoding="utf-8")).get("forms") or {}).values():
            names |= {f"utter_ask_{slot}" for slot in form.get("required_slots") or []}
    return names


def main() -> int:
    cmd = [sys.executable, "-m", "rasa", "data", "validate", "--config", "config.yml",
           "--domain", "bot/domain", "--data", "nlu_data", "bot/data"]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    output = run.stdout + run.stderr
    allowed = said_by_code()
    problems = []
    for line in output.splitlines():
        warning = WARNING.search(line)
        if not warning:
            continue
        unused = UNUSED.search(line)
        if unused and unused.group(1) in allowed:
            continue
        problems.append(warning.group(1))
    if run.returncode != 0 or problems:
        print(output[-5000:] if run.returncode else "", file=sys.stderr)
        print("\n".join(f"avertissement : {p}" for p in problems), file=sys.stderr)
        print(f"validation des données Rasa : ÉCHEC ({len(problems)} avertissement(s), code {run.returncode})")
        return 1
    print("validation des données Rasa : OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
