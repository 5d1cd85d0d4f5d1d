"""Speed and size of `linli classify` on one process.

    .venv/bin/python bench/nlp_speed.py [--messages 20000]

- throughput: JSON lines through nlp.batch.classify_lines (parse, understand, dump), messages/s;
- latency: nlp.understand per message, p50 / p99 / max, after warm-up;
- cold start: a fresh interpreter, from `import nlp` to the first answer (median of 3);
- memory: peak resident set size of a fresh process that classified every message.
Messages are the texts of the labelled data, cycled. Exit code 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp import dataset  # noqa: E402

TARGETS = {"throughput msg/s": (2000.0, "min"), "p99 latency ms": (5.0, "max"),
           "cold start s": (3.0, "max"), "peak RSS MB": (300.0, "max")}

_COLD = """
import time
t0 = time.perf_counter()
import nlp
nlp.understand("3号楼2单元电梯困人了，快来")
print(time.perf_counter() - t0)
"""
_MEMORY = """
import json, resource, sys
from nlp.batch import classify_lines, dumps
lines = [json.dumps({{"id": i, "text": t}}, ensure_ascii=False) for i, t in enumerate(json.load(open({path!r})))]
for row in classify_lines(lines):
    dumps(row)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _texts(n: int) -> list[str]:
    base = [r.text for r in dataset.load("all")]
    return [base[i % len(base)] for i in range(n)]


def measure(n: int, tmp: Path) -> dict[str, float]:
    from nlp.batch import classify_lines, dumps
    from nlp.understand import understand

    texts = _texts(n)
    for t in texts[:200]:
        understand(t)  # warm-up: model and jieba loaded, caches filled
    lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]
    start = time.perf_counter()
    for row in classify_lines(lines):
        dumps(row)
    throughput = n / (time.perf_counter() - start)

    latencies = []
    for t in texts[: min(n, 10000)]:
        t0 = time.perf_counter()
        understand(t)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()

    colds = [float(subprocess.run([sys.executable, "-c", _COLD], cwd=ROOT, capture_output=True,
                                  text=True, check=True).stdout) for _ in range(3)]
    path = tmp / "nlp_speed_texts.json"
    path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    rss = float(subprocess.run([sys.executable, "-c", _MEMORY.format(path=str(path))], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout)
    return {
        "throughput msg/s": throughput,
        "p50 latency ms": latencies[len(latencies) // 2],
        "p99 latency ms": latencies[int(len(latencies) * 0.99) - 1],
        "max latency ms": latencies[-1],
        "cold start s": statistics.median(colds),
        "peak RSS MB": rss,
    }


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(args.messages, Path(tmp))
    missed = []
    print(f"{args.messages} messages, one process, Python {sys.version.split()[0]}")
    for name, value in figures.items():
        target = TARGETS.get(name)
        note = ""
        if target:
            limit, kind = target
            ok = value >= limit if kind == "min" else value <= limit
            note = f"{'>=' if kind == 'min' else '<='} {limit:g} {'ok' if ok else 'MISSED'}"
            if not ok:
                missed.append(name)
        print(f"{name:20} {value:10.2f}  {note}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
