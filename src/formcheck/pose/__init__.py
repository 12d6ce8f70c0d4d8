"""Pose estimation: the MediaPipe adapter (the only importer of mediapipe), parallel tracking, and the
provisioning of its model."""
