"""Time loading and linting 500 realistic flows against plain `yaml.safe_load` of the same files.

    python benchmarks/flows_load.py [--flows 500] [--seed 7] [--profile]

Target: all 500 loaded and linted in under one second on one core.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from kiosk.flow.lint import lint
from kiosk.flow.loader import load_flows

WORDS_ZH = ["社保", "医保", "缴费", "证明", "查询", "打印", "办理", "养老", "低保", "水费", "电费"]
WORDS_EN = ["insurance", "medical", "payment", "record", "query", "print", "pension", "bill"]


def _text(rng: random.Random, zh: str, en: str, template: str = "") -> dict[str, str]:
    extra_zh = "".join(rng.sample(WORDS_ZH, 2))
    extra_en = " ".join(rng.sample(WORDS_EN, 2))
    return {"zh_CN": f"{zh}{extra_zh}{template}", "en": f"{en} {extra_en}{template}"}


def generate_flow(rng: random.Random, number: int, steps: int) -> dict[str, Any]:
    """One lint-clean flow of about `steps` steps using every step kind."""
    needs = ["id_card", "printer"]
    body: list[dict[str, Any]] = [
        {
            "id": "consent",
            "kind": "consent",
            "title": _text(rng, "授权", "Consent"),
            "purpose": _text(rng, "读取身份证以查询记录", "Read your ID card"),
        },
        {
            "id": "identify",
            "kind": "read_id_card",
            "text": _text(rng, "请放置身份证", "Place your ID card"),
            "save_as": "resident",
            "on_timeout": "$cancel",
        },
    ]
    middle = steps - 7
    for index in range(middle):
        kinds = ["info", "choose", "input", "set", "http", "scan_code", "call"]
        # the first middle step is a back-office call, so the `offline` finish is reachable
        kind = "http" if index == 0 else rng.choice(kinds)
        step_id = f"{kind}_{index}"
        name = "{{ resident.name | mask_name }}"
        if kind == "info":
            body.append({"id": step_id, "kind": "info", "text": _text(rng, "请注意", "Note", name)})
        elif kind == "choose":
            body.append(
                {
                    "id": step_id,
                    "kind": "choose",
                    "text": _text(rng, "请选择", "Choose"),
                    "options": [
                        {"value": f"v{k}", "label": _text(rng, f"选项{k}", f"Option {k}")}
                        for k in range(rng.randint(2, 5))
                    ],
                    "save_as": f"pick_{index}",
                }
            )
            if index + 1 < middle:
                body[-1]["next"] = [
                    {"to": f"note_{index}", "when": f"pick_{index} == 'v0'"},
                    {"to": "review"},
                ]
                body.append(
                    {
                        "id": f"note_{index}",
                        "kind": "info",
                        "text": _text(rng, "您选择了", "You chose", f"{{{{ pick_{index} }}}}"),
                        "when": f"pick_{index} != 'v1'",
                    }
                )
        elif kind == "input":
            body.append(
                {
                    "id": step_id,
                    "kind": "input",
                    "input_type": rng.choice(["digits", "phone", "amount", "text"]),
                    "text": _text(rng, "请输入", "Enter"),
                    "max_length": 20,
                    "help": _text(rng, "输入后按确认", "Press OK when done"),
                }
            )
        elif kind == "set":
            body.append(
                {
                    "id": step_id,
                    "kind": "set",
                    "values": {f"label_{index}": f"{{{{ resident.name }}}}-{number}-{index}"},
                }
            )
        elif kind == "http":
            body.append(
                {
                    "id": step_id,
                    "kind": "http",
                    "backend": "social_insurance",
                    "request": {
                        "method": "POST",
                        "path": f"/records/{number}",
                        "json": {"id_number": "{{ resident.id_number }}", "n": index},
                    },
                    "save_as": f"reply_{index}",
                    "on_error": "offline",
                }
            )
        elif kind == "scan_code":
            if "scanner" not in needs:
                needs.append("scanner")
            body.append(
                {
                    "id": step_id,
                    "kind": "scan_code",
                    "text": _text(rng, "请扫码", "Scan the code"),
                    "pattern": "^[0-9]{6,20}$",
                    "save_as": f"code_{index}",
                }
            )
        else:
            body.append(
                {
                    "id": step_id,
                    "kind": "call",
                    "flow": "bench-helper",
                    "with": {"who": "{{ resident.name }}"},
                    "save_as": f"helper_{index}",
                }
            )
    body += [
        {
            "id": "review",
            "kind": "confirm",
            "text": _text(rng, "请确认", "Please confirm"),
            "rows": [
                {"label": _text(rng, "姓名", "Name"), "value": name, "personal": True},
                {"label": _text(rng, "编号", "Number"), "value": f"{number}"},
            ],
        },
        {
            "id": "send",
            "kind": "submit",
            "backend": "social_insurance",
            "path": "/applications",
            "payload": {"id_number": "{{ resident.id_number }}", "flow": number},
            "save_as": "receipt",
        },
        {"id": "print", "kind": "print", "receipt": "generic"},
        {
            "id": "done",
            "kind": "finish",
            "text": _text(rng, "办理完成", "Done", "{{ receipt.reference }}"),
        },
        {
            "id": "offline",
            "kind": "finish",
            "status": "failure",
            "text": _text(rng, "网络故障", "Offline"),
        },
    ]
    return {
        "id": f"bench-{number:03d}",
        "version": 1,
        "title": _text(rng, "业务", "Service"),
        "category": rng.choice(["social_security", "medical", "civil", "utilities"]),
        "needs": needs,
        "defaults": {"timeout": 60},
        "steps": body,
    }


HELPER: dict[str, Any] = {
    "id": "bench-helper",
    "title": {"zh_CN": "辅助", "en": "Helper"},
    "inputs": ["who"],
    "defaults": {"timeout": 30},
    "steps": [
        {
            "id": "hello",
            "kind": "info",
            "text": {"zh_CN": "您好{{ who }}", "en": "Hello {{ who }}"},
        },
        {
            "id": "done",
            "kind": "finish",
            "text": {"zh_CN": "好", "en": "OK"},
            "result": {"ok": True},
        },
    ],
}


def write_flows(directory: Path, count: int, seed: int) -> list[Path]:
    """Write `count` generated flows (plus the helper they call) and return their paths."""
    rng = random.Random(seed)
    paths = []
    for number in range(count):
        flow = HELPER if number == 0 else generate_flow(rng, number, rng.randint(10, 30))
        path = directory / f"{flow['id']}.yaml"
        path.write_text(
            yaml.safe_dump(flow, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
        )
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Generate, then time load + lint against a plain YAML baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print the top of a profile")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="flows-bench-") as tmp:
        directory = Path(tmp)
        paths = write_flows(directory, args.flows, args.seed)
        (directory / "receipts").mkdir()
        (directory / "receipts" / "generic.yaml").write_text(
            "id: generic\ntitle: {zh_CN: 回执, en: Receipt}\n", encoding="utf-8"
        )
        size = sum(path.stat().st_size for path in paths)

        gc.collect()
        start = time.perf_counter()
        for path in paths:
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        baseline = time.perf_counter() - start

        gc.collect()
        profiler = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        flowset = load_flows([directory])
        loaded = time.perf_counter() - start
        findings = lint(flowset)
        total = time.perf_counter() - start
        if profiler:
            profiler.disable()

    count = len(paths)
    print(f"{count} flows, {size / 1024:.0f} KiB of YAML")
    print(
        f"baseline yaml.CSafeLoader: {baseline * 1000:7.1f} ms  "
        f"({baseline / count * 1e3:.2f} ms/flow)"
    )
    print(
        f"load:                      {loaded * 1000:7.1f} ms  ({loaded / count * 1e3:.2f} ms/flow)"
    )
    print(f"load + lint:               {total * 1000:7.1f} ms  ({total / count * 1e3:.2f} ms/flow)")
    print(f"ratio to baseline:         {total / baseline:7.2f}x")
    print(
        f"errors: {len(flowset.errors)}, findings: {len(findings)}, target < 1000 ms: "
        + ("met" if total < 1.0 else "MISSED")
    )
    for finding in findings[:5]:
        print(f"  {finding}")
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    return 0 if total < 1.0 and not findings else 1


if __name__ == "__main__":
    sys.exit(main())
