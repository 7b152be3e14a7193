"""FAKE judge for tests only: the real one is the repo's workers/judge-cli.ts (sandboxed).

Same protocol: reads {"solutions": [{"id", "code"}], "tests": [{"input", "output"}], "fnName"?, "checker"?} on stdin,
runs each solution with this Python, unsandboxed, on each test, and prints {"results": [{"id", "verdicts", "passed",
"total"}]}. It always compares tokens (fnName and checker are ignored); `--record FILE` appends each request to FILE,
one JSON line per call, so tests can see what the trainer sent.
"""

import argparse
import json
import subprocess
import sys


def verdict(code: str, test: dict) -> str:
    try:
        proc = subprocess.run([sys.executable, "-c", code], input=test["input"], capture_output=True, text=True,
                              timeout=5)
    except subprocess.TimeoutExpired:
        return "TLE"
    if proc.returncode != 0:
        return "RE"
    return "AC" if proc.stdout.split() == test["output"].split() else "WA"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", default=None)
    args = parser.parse_args()
    request = json.load(sys.stdin)
    if args.record:
        with open(args.record, "a", encoding="utf-8") as f:
            f.write(json.dumps(request) + "\n")
    results = []
    for solution in request["solutions"]:
        verdicts = [verdict(solution["code"], test) for test in request["tests"]]
        results.append({"id": solution["id"], "verdicts": verdicts, "passed": verdicts.count("AC"),
                        "total": len(verdicts)})
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
