import os
import sys

import pytest
import torch

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
