"""`formcheck batch`: many sets at once, on a local process pool or Ray, one writer of outputs and history.

inputs (what is a video) -> keys (what a set's analysis depends on) -> driver (skip, re-judge or analyse;
the only writer) -> backends (where jobs run) -> work (what a worker does; the batch's one door into the
analysis core) -> staging (crash-safe placement). Contract: docs/history.md.
"""

from formcheck.flows.batch.driver import BatchRequest, BatchSummary, SetEvent, Status, run_batch
from formcheck.flows.batch.jobs import Settings

__all__ = ["BatchRequest", "BatchSummary", "SetEvent", "Settings", "Status", "run_batch"]
