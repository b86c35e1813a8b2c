"""PyTorch-style `repr` of tensors, and `set_printoptions`.

A port of the layout rules of PyTorch's `torch/_tensor_str.py` (strided tensors of real
dtypes): one formatter per tensor picks integer, fixed or scientific notation and a common
width, rows wrap at `linewidth`, and tensors over `threshold` elements show `edgeitems` at
each end of every dimension with `...` between. Values are read through numpy; nothing here
computes on the library's tensors.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math

import numpy as np

from . import dtypes


@dataclasses.dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = PrintOptions()
_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print, as `torch.set_printoptions`: digits after the point (4), the element
    count beyond which output is summarised (1000), items kept at each end when summarising (3),
    characters per line (80), a profile ('default', 'short', 'full') to start from, and
    `sci_mode` (True/False forces scientific notation on or off; None, the default, lets each
    tensor choose). As in PyTorch, every call resets `sci_mode` to the value given."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}; expected one of "
                             f"{', '.join(_PROFILES)}")
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current options, as keyword arguments for `set_printoptions`."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change the print options inside a `with` block only."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """One notation and width for every element of a tensor (PyTorch's `_Formatter`)."""

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        flat = values.reshape(-1)
        if not floating:
            self.max_width = max([len(self._plain(v)) for v in flat], default=1)
            return
        finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        magnitude = np.abs(finite)
        lo, hi = float(magnitude.min()), float(magnitude.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
                         if PRINT_OPTS.sci_mode is None else PRINT_OPTS.sci_mode)
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = [len(f"{float(v):.{p}e}") for v in finite]
        elif self.int_mode:
            widths = [len(f"{float(v):.0f}") + 1 for v in finite]  # + 1 for the trailing "."
        else:
            widths = [len(f"{float(v):.{p}f}") for v in finite]
        self.max_width = max(widths)

    @staticmethod
    def _plain(value) -> str:
        return str(value.item() if isinstance(value, np.generic) else value)

    def format(self, value) -> str:
        if not self.floating:
            text = self._plain(value)
        elif self.sci_mode:
            text = f"{float(value):{self.max_width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{float(value):.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{float(value):.{PRINT_OPTS.precision}f}"
        return (self.max_width - len(text)) * " " + text


def _summarized(a: np.ndarray) -> np.ndarray:
    """Only the values that will be shown (PyTorch's `get_summarized_data`)."""
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:edge], a[-edge:])) if a.shape[0] > 2 * edge else a
    if not edge:
        return a[tuple(slice(0, 0) for _ in range(a.ndim))]
    rows = list(a[:edge]) + list(a[-edge:]) if a.shape[0] > 2 * edge else list(a)
    return np.stack([_summarized(r) for r in rows])


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = PRINT_OPTS.edgeitems
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
    if summarize and not edge:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        items = [fmt.format(v) for v in a[:edge]] + [" ..."] + [fmt.format(v) for v in a[-edge:]]
    else:
        items = [fmt.format(v) for v in a]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    edge = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * edge:
        slices = ([_nested_str(a[i], indent + 1, summarize, fmt) for i in range(edge)] + ["..."]
                  + [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0] - edge, a.shape[0])])
    else:
        slices = [_nested_str(row, indent + 1, summarize, fmt) for row in a]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _values_str(a: np.ndarray, floating: bool, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized(a) if summarize else a, floating)
    return _nested_str(a, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append `, suffix` items, starting a new line when one would pass `linewidth`."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1  # PyTorch's count, kept for identical wrapping
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def _host_values(t) -> np.ndarray:
    a = np.asarray(t.numpy(force=True))
    return a.astype(np.float64) if t.dtype.is_floating_point else a


def _grad_fn_name(grad_fn) -> str:
    name = getattr(grad_fn, "name", None)
    return name() if callable(name) else type(grad_fn).__name__


def tensor_repr(t) -> str:
    """`tensor([...], <suffixes>)` laid out as PyTorch's `repr` lays it out."""
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    default_float = dtypes.get_default_dtype()
    if t.numel() == 0:
        if t.ndim != 1:
            suffixes.append(f"size={tuple(t.shape)}")
        if t.dtype is not default_float:
            suffixes.append(f"dtype={t.dtype!r}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(t.shape)}")
        if t.dtype not in (default_float, dtypes.int64, dtypes.bool_):
            suffixes.append(f"dtype={t.dtype!r}")
        body = _values_str(_host_values(t), t.dtype.is_floating_point, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{_grad_fn_name(t.grad_fn)}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
