"""The body between pose and measuring: near-side joints, their clean-up, which side faces the camera."""
