"""Upload analysis time against `formcheck analyze` on the same clip, and four uploads at once (issue 15).

Targets: an uploaded set is analysed within 1.2x the time of `formcheck analyze` on it; four uploads sent at
once all finish, none lost.

- analyze: wall time of `formcheck analyze CLIP --out DIR` as a user runs it (a new process: imports and
  the pose model load included), annotated.mp4 drawn as the upload's is.
- upload: wall time from the start of `POST /api/jobs` (the file sent over loopback) to the job's `done`,
  against a `formcheck serve` started before the clock runs (its analysis process is already warm).
Rounds alternate analyze and upload so both see the same load. Then four uploads go at once from four
threads; each one's time from its POST to its `done` is recorded, and every job must end `done`.

    python benchmarks/serve_throughput.py [--clip sample_videos/chin_lifted_left.mp4] [--repeat N]
        [--rounds 3] [--json benchmarks/results/serve_throughput.json]

`--repeat N` first joins the clip N times end to end with ffmpeg (a longer set: a 1-minute one is closer to
a real upload than an 11-second sample, and makes the new process's start-up a smaller share).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from serve_common import load_average, running_server

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = REPO / "sample_videos" / "chin_lifted_left.mp4"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "serve_throughput.json"
TARGET_RATIO = 1.2


def time_analyze(clip: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "formcheck", "analyze", str(clip), "--out", str(out)], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def _post(base: str, clip: Path, client: str) -> str:
    """POST the clip as multipart/form-data (standard library only); returns the job id."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"client\"\r\n\r\n{client}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{clip.name}\"\r\n"
            "Content-Type: video/mp4\r\n\r\n").encode()
    body = head + clip.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{base}/api/jobs", data=body, method="POST",
                                     headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.loads(response.read())["job"]


def _status(base: str, job: str) -> dict:
    try:
        with urllib.request.urlopen(f"{base}/api/jobs/{job}", timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:  # a failed job answers 4xx/5xx with its status document
        return json.loads(error.read())


def time_upload(base: str, clip: Path, client: str = "Bench") -> tuple[float, dict]:
    started = time.perf_counter()
    job = _post(base, clip, client)
    while (status := _status(base, job))["status"] not in ("done", "failed"):
        time.sleep(0.05)
    return time.perf_counter() - started, status


def joined(clip: Path, times: int, folder: Path) -> Path:
    if times <= 1:
        return clip
    listing = folder / "list.txt"
    listing.write_text("".join(f"file '{clip.resolve()}'\n" for _ in range(times)))
    out = folder / f"{clip.stem}_x{times}.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-c", "copy", str(out)], check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    load_before = load_average()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        clip = joined(args.clip, args.repeat, tmp)
        (tmp / "data").mkdir()
        with running_server(tmp / "data") as base:
            time_upload(base, clip, "Warmup")  # the analysis process imports and loads once, as in use
            analyze, upload = [], []
            for i in range(args.rounds):
                analyze.append(time_analyze(clip, tmp / f"analyze{i}"))
                # a client of its own each round: the same video again for the same client is stored
                # once and not analysed again
                seconds, status = time_upload(base, clip, f"Bench {i}")
                assert status["status"] == "done", status
                upload.append(seconds)
                print(f"round {i + 1}: analyze {analyze[-1]:.2f} s, upload {upload[-1]:.2f} s "
                      f"(load {load_average()[0]})", flush=True)
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrent) as pool:
                together = list(pool.map(lambda i: time_upload(base, clip, f"Client {i}"),
                                         range(args.concurrent)))
            wall = time.perf_counter() - started
    ratios = [u / a for u, a in zip(upload, analyze, strict=True)]
    statuses = [status["status"] for _, status in together]
    report = {
        "clip": str(args.clip.relative_to(REPO) if args.clip.is_relative_to(REPO) else args.clip),
        "repeat": args.repeat,
        "analyze_s": [round(x, 2) for x in analyze], "upload_s": [round(x, 2) for x in upload],
        "ratio_median": round(float(np.median(ratios)), 3),
        "ratio_of_medians": round(float(np.median(upload) / np.median(analyze)), 3),
        "target_ratio": TARGET_RATIO,
        "met_ratio": bool(np.median(ratios) <= TARGET_RATIO),
        "concurrent": {"uploads": args.concurrent, "statuses": statuses,
                       "each_s": [round(s, 2) for s, _ in together], "wall_s": round(wall, 2),
                       "all_done": statuses == ["done"] * args.concurrent},
        "load_average_before": load_before, "load_average_after": load_average(),
        "python": platform.python_version(),
        "command": "python " + " ".join(["benchmarks/serve_throughput.py", *sys.argv[1:]]),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
