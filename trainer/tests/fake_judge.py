"""FAKE judge for tests only: the real one is the repo's workers/judge-cli.ts (sandboxed).

Same protocol: reads {"solutions": [{"id", "code"}], "tests": [{"input", "output"}]} on stdin, runs each solution
with this Python, unsandboxed, on each test, and prints {"results": [{"id", "verdicts", "passed", "total"}]}.
"""

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
    request = json.load(sys.stdin)
    results = []
    for solution in request["solutions"]:
        verdicts = [verdict(solution["code"], test) for test in request["tests"]]
        results.append({"id": solution["id"], "verdicts": verdicts, "passed": verdicts.count("AC"),
                        "total": len(verdicts)})
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
