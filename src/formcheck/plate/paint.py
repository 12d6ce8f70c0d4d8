"""Paint the plate out of a frame, so the pose model sees the legs instead of a big dark disc.

With a plate over the hips the pose model misreads even the leg it can plainly see: it often labels the
visible leg as the far one and folds the near leg onto the disc, and it misplaces the joints it keeps
(`benchmarks/plated_landmarks.py`: visible-leg knee 9 px and ankle 8 px from the true joints). The disc is
what throws it. Filled in from its surroundings (OpenCV's inpainting), the frame gives the lower leg back.
The tracking pass shows the model each frame with the plate painted out once the plate is being followed
(`flows/tracking.py`), so the legs come from the one inference per frame; the hip stays hidden under the
paint and is placed from the bar instead (`placement.py`).
"""

from __future__ import annotations

import cv2
import numpy as np

from formcheck.plate.track import PlateReading

# The disc is painted this much wider than the plate's radius, to cover its anti-aliased rim.
PAINT_MARGIN = 0.08
# Discs larger than this (px) are painted at a reduced scale: inpainting time grows with the area, and it
# runs on every plated frame of the tracking pass (~3 ms at this size against ~20 ms at 64 px, for shins
# within a degree of each other on the plated samples).
MAX_PAINT_RADIUS = 20.0
INPAINT_RADIUS_PX = 5


def paint_out(image: np.ndarray, centre: np.ndarray, radius: float,
              margin: float = PAINT_MARGIN) -> np.ndarray:
    """A copy of the BGR `image` with the disc at `centre` (px) of `radius` (grown by `margin`) inpainted."""
    h, w = image.shape[:2]
    r = radius * (1.0 + margin)
    scale = min(1.0, MAX_PAINT_RADIUS / r)
    pad = r + (INPAINT_RADIUS_PX + 2) / scale
    x0, y0 = max(0, int(centre[0] - pad)), max(0, int(centre[1] - pad))
    x1, y1 = min(w, int(np.ceil(centre[0] + pad))), min(h, int(np.ceil(centre[1] + pad)))
    if x1 <= x0 or y1 <= y0:
        return image.copy()
    crop = image[y0:y1, x0:x1]
    mask = np.zeros(crop.shape[:2], np.uint8)
    cv2.circle(mask, (round(centre[0] - x0), round(centre[1] - y0)), round(r), 255, -1)
    if scale < 1.0:
        small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        small_mask = cv2.resize(mask, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST)
        painted = cv2.resize(cv2.inpaint(small, small_mask, INPAINT_RADIUS_PX, cv2.INPAINT_TELEA),
                             (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_LINEAR)
    else:
        painted = cv2.inpaint(crop, mask, INPAINT_RADIUS_PX, cv2.INPAINT_TELEA)
    out = image.copy()
    out[y0:y1, x0:x1][mask > 0] = painted[mask > 0]
    return out


def paint_plate(image: np.ndarray, plate: PlateReading) -> np.ndarray:
    """`paint_out` of the plate `plate` found in `image`."""
    return paint_out(image, plate.center, plate.radius)
