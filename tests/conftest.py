import os
import sys

import pytest
import torch
from hypothesis import settings

# Hypothesis: CI (the `CI` environment variable, set by every CI service) runs derandomised, so a
# run's examples depend only on the code, with no example database carried between runs; local
# runs ("dev") keep exploring new random examples. HYPOTHESIS_PROFILE picks one explicitly.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", deadline=None)
_ON_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if _ON_CI else "dev"))

sys.path.insert(0, os.path.dirname(__file__))  # tests import helpers, strategies and harness directly

# Without a GPU, the cuda device runs its Triton kernels through the interpreter; the switch must
# be set before tritorch defines any kernel. On a GPU machine the same tests run natively.
if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")
os.environ.setdefault("TRITON_DEFAULT_FP_FUSION", "1")


def pytest_collection_modifyitems(config, items):
    import tritorch
    if tritorch.cuda.is_interpreted():
        skip = pytest.mark.skip(reason="large shapes: runs only on a real GPU")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)
