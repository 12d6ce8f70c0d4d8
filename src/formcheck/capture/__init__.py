"""Where frames come from: video files and cameras, upright and timestamped from the container."""
