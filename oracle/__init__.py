"""The oracle: ingests activity data, signs checkpoints of the log and anchors them on chain."""
