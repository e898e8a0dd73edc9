"""Does routing hold whatever the training draw? Trains the model with several seeds and runs the
end-to-end tests (reference situations, Telegram's reference situations) on each model.

    .venv/bin/python -m bench.bench_seeds            # seeds 1, 2, 3 (about 8 minutes each)
    .venv/bin/python -m bench.bench_seeds 7 11

Prints, for each seed, the training time and the pytest summary line.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ["tests/gateway/test_premiere_porte.py", "tests/telegram/test_channel.py"]


def main(seeds: list[int]) -> int:
    python = str(ROOT / ".venv" / "bin" / "python")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_INTRA_OP_PARALLELISM_THREADS": "2",
           "TF_INTER_OP_PARALLELISM_THREADS": "1"}
    config = (ROOT / "config.yml").read_text(encoding="utf-8")
    failed = 0
    for seed in seeds:
        work = Path(tempfile.mkdtemp(prefix=f"seed{seed}-"))
        (work / "config.yml").write_text(re.sub(r"random_seed: \d+", f"random_seed: {seed}", config), encoding="utf-8")
        start = time.monotonic()
        subprocess.run([python, "-m", "rasa", "train", "--config", str(work / "config.yml"), "--domain", "bot/domain",
                        "--data", "nlu_data", "bot/data", "--out", str(work), "--fixed-model-name", "spro"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        trained = time.monotonic() - start
        result = subprocess.run([python, "-m", "pytest", "-q", *TESTS], cwd=ROOT, capture_output=True, text=True,
                                env={**env, "SPRO_MODEL_PATH": str(work / "spro.tar.gz")})
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-300:]
        failed += result.returncode != 0
        print(f"seed {seed}: trained in {trained:.0f} s; {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [1, 2, 3]))
