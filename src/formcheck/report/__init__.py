"""Report writers for `formcheck analyze`: report.json, angles.csv, report.html and annotated.mp4.

Each writer reads only an `Analysis` (records.py) plus, for pictures, the pose track and frames, and writes
atomically (files.py): an output is complete under its final name or not there at all.
The HTML (matplotlib) and video (cv2) writers live in their own modules so that importing this package
stays light: `formcheck.report.html_report`, `formcheck.report.annotated_video`.
"""

from formcheck.report.csv_report import csv_header, write_csv_report
from formcheck.report.files import atomic_path, atomic_write
from formcheck.report.json_report import report_dict, validate_report, write_json_report

__all__ = [
    "atomic_path",
    "atomic_write",
    "csv_header",
    "report_dict",
    "validate_report",
    "write_csv_report",
    "write_json_report",
]
