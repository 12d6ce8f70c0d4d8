"""A contact sheet of randomised `formcheck synth` clips: one frame of each, tiled into a PNG to look at.

Every tile is the first rep's lockout frame (or, with --bottom, the frame before its rise) of one clip of
`formcheck.synth.randomize`, letterboxed into a square and captioned with the clip's name. Look for floating
bars, plates through the body or floor, cameras that cut the lifter off, implausible heads.

    python benchmarks/synth_contact_sheet.py [--split check] [--start 0] [--count 12 | --seeds 1,5,9]
        [--columns 4] [--tile 320] [--bottom] [--out docs/images/synth_contact_sheet.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from formcheck.synth.clip import plan_clip, render_frame
from formcheck.synth.randomize import SPLITS, sample_params


def _tile(image: np.ndarray, caption: str, size: int) -> np.ndarray:
    """The image scaled into a size x size square on grey, captioned at the top."""
    scale = size / max(image.shape[:2])
    small = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)),
                       interpolation=cv2.INTER_AREA)
    tile = np.full((size, size, 3), 48, dtype=np.uint8)
    top, left = (size - small.shape[0]) // 2, (size - small.shape[1]) // 2
    tile[top:top + small.shape[0], left:left + small.shape[1]] = small
    cv2.putText(tile, caption, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (255, 255, 255), 1, cv2.LINE_AA)
    return tile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default="check")
    parser.add_argument("--start", type=int, default=0, help="first clip number of the split")
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--seeds", default="", help="comma-separated clip numbers instead of --start/--count")
    parser.add_argument("--columns", type=int, default=4)
    parser.add_argument("--tile", type=int, default=320, help="tile size in pixels")
    parser.add_argument("--bottom", action="store_true", help="show the bottom of the rep, not the top")
    parser.add_argument("--out", type=Path, default=Path("synth_contact_sheet.png"))
    args = parser.parse_args()
    tiles = []
    seeds = ([int(s) for s in args.seeds.split(",")] if args.seeds
             else range(args.start, args.start + args.count))
    for seed in seeds:
        clip = sample_params(seed, args.split)
        plan = plan_clip(clip.params)
        rep = plan.timeline.reps[0]
        frame = render_frame(plan, max(rep.start_frame - 1, 0) if args.bottom else rep.lockout_frame)
        tags = clip.tags
        caption = f"{clip.index} {tags['fault']} b{tags['body']} {tags['plates']} {tags['background']}"
        tiles.append(_tile(frame.image, caption, args.tile))
        print(clip.name, tags)
    while len(tiles) % args.columns:
        tiles.append(np.full((args.tile, args.tile, 3), 48, dtype=np.uint8))
    rows = [np.concatenate(tiles[i:i + args.columns], axis=1) for i in range(0, len(tiles), args.columns)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out), np.concatenate(rows, axis=0), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
