"""The ten basic questions: each party's sheet and link, its answers, the conclusions, follow-up actions."""
