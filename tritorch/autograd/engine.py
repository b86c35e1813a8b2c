"""The backward engine: walks the graph from the outputs in topological order, without
recursion (a 10,000-op chain is fine), summing gradients that meet at a node.

Nodes become ready when every edge into them from the reachable graph has delivered its
gradient; among ready nodes the most recently created runs first, as in PyTorch.
"""
from __future__ import annotations

import heapq
from ..tensor import Tensor
from .grad_mode import set_grad_enabled
from .graph import AccumulateGrad, Node, edge_of


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False,
             inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf) into `leaf.grad` for every leaf (or only `inputs`)."""
    tensors, grads = _roots(tensors, grad_tensors, "backward")
    only = None
    if inputs is not None:
        inputs = _as_list(inputs)
        if not inputs:
            raise RuntimeError("backward: 'inputs' argument to backward() cannot be empty.")
        only = {id(_check_input(t, i)) for i, t in enumerate(inputs)}
        for t in inputs:  # a non-leaf input gets its gradient like retain_grad would
            if t.grad_fn is not None:
                t.retain_grad()
    _execute(tensors, grads, retain_graph=create_graph if retain_graph is None else retain_graph,
             create_graph=create_graph, capture=None, only_leaves=only)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None, materialize_grads: bool = False) -> tuple:
    """The gradients of `outputs` with respect to `inputs`, returned instead of accumulated.

    >>> x = tritorch.tensor(3., requires_grad=True)
    >>> dy, = tritorch.autograd.grad(x ** 3, x, create_graph=True)   # 27
    >>> tritorch.autograd.grad(dy, x)                                # (tensor(18.),)
    """
    outputs, grads = _roots(outputs, grad_outputs, "grad")
    single = not isinstance(inputs, (list, tuple))
    inputs = [inputs] if single else list(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    capture = {}
    for i, t in enumerate(inputs):
        node, nr = edge_of(_check_input(t, i))
        capture.setdefault((node, nr), []).append(i)
    captured = _execute(outputs, grads, retain_graph=create_graph if retain_graph is None else retain_graph,
                        create_graph=create_graph, capture=capture, only_leaves=set())
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(i)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {i}, shape {list(t.shape)}) appears to "
                    "not have been used in the graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                g = t.new_zeros(tuple(t.shape))
        result.append(g)
    return tuple(result)


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _check_input(t, i: int):
    if not getattr(t, "requires_grad", False):
        raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    return t


def _roots(tensors, grad_tensors, api: str):
    tensors = _as_list(tensors)
    grads = [None] * len(tensors) if grad_tensors is None else _as_list(grad_tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"{api}: got {len(grads)} gradients for {len(tensors)} tensors")
    made = []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t.numel() != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs; output "
                                   f"{i} has shape {list(t.shape)}: pass gradient= (or grad_outputs=) "
                                   "of that shape")
            g = t.new_ones(tuple(t.shape))
        elif not isinstance(g, Tensor):
            raise TypeError(f"{api}: gradient {i} must be a Tensor or None, not {type(g).__name__}")
        elif tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {list(g.shape)} "
                               f"and output[{i}] has a shape of {list(t.shape)}.")
        made.append(g)
    return tensors, made


def _graph(roots: list[Node]) -> dict[Node, int]:
    """Every node reachable from `roots`, with the number of edges into it."""
    deps: dict[Node, int] = {n: 0 for n in roots}
    stack, seen = list(roots), set()
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        for m, _ in n.next_functions:
            if m is not None:
                deps[m] = deps.get(m, 0) + 1
                stack.append(m)
    return deps


def _needed(deps: dict[Node, int], targets: set[Node]) -> set[Node]:
    """The nodes from which some target is reachable through at least one edge: only those run
    in `grad` (a target itself only hands over the gradient that reached it)."""
    parents: dict[Node, list[Node]] = {}
    for n in deps:
        for m, _ in n.next_functions:
            if m is not None:
                parents.setdefault(m, []).append(n)
    needed, stack = set(), [p for t in targets for p in parents.get(t, ())]
    while stack:
        n = stack.pop()
        if n in needed:
            continue
        needed.add(n)
        stack.extend(parents.get(n, ()))
    return needed


def _execute(tensors, grads, *, retain_graph: bool, create_graph: bool, capture: dict | None,
             only_leaves: set | None) -> dict:
    buffers: dict[Node, list] = {}
    roots = []
    for t, g in zip(tensors, grads):
        node, nr = edge_of(t)
        _add(buffers, node, nr, g)
        roots.append(node)
    deps = _graph(roots)
    needed = _needed(deps, {n for n, _ in capture}) if capture is not None else None
    captured: dict[int, object] = {}
    ready = [(-n.sequence_nr, id(n), n) for n in dict.fromkeys(roots) if deps[n] == 0]
    heapq.heapify(ready)
    with set_grad_enabled(create_graph):
        while ready:
            _, _, node = heapq.heappop(ready)
            grads_in = buffers.pop(node, [None] * max(len(node.output_meta), 1))
            grads_in = _run_tensor_hooks(node, grads_in, create_graph)
            if capture is not None:
                for nr, g in enumerate(grads_in):
                    for i in capture.get((node, nr), ()):
                        captured[i] = g
            outs = ()
            if isinstance(node, AccumulateGrad):
                if only_leaves is None or id(node.variable) in only_leaves:
                    if grads_in[0] is not None:
                        _accumulate(node.variable, grads_in[0], create_graph)
            elif (needed is None or node in needed) and any(g is not None for g in grads_in):
                outs = _apply(node, grads_in)
            for k, (m, nr) in enumerate(node.next_functions):
                if m is None:
                    continue
                g = outs[k] if k < len(outs) else None
                if g is not None:
                    _add(buffers, m, nr, _conform(node, k, g, m.output_meta[nr]))
                deps[m] -= 1
                if deps[m] == 0:
                    heapq.heappush(ready, (-m.sequence_nr, id(m), m))
            if not retain_graph:
                node.release()
    return captured


def _add(buffers: dict, node: Node, nr: int, g) -> None:
    slots = buffers.setdefault(node, [None] * max(len(node.output_meta), nr + 1))
    slots[nr] = g if slots[nr] is None else slots[nr] + g


def _apply(node: Node, grads_in: list) -> tuple:
    for hook in node.pre_hooks.values():
        new = hook(tuple(grads_in))
        if new is not None:
            grads_in = list(new)
    if getattr(getattr(node, "ctx", None), "materialize_grads", False):
        grads_in = [g if g is not None or meta is None else _zeros(meta)
                    for g, meta in zip(grads_in, node.output_meta)]
    outs = node.apply(grads_in)
    for hook in node.hooks.values():
        new = hook(tuple(outs), tuple(grads_in))
        if new is not None:
            outs = tuple(new)
    return outs


def _zeros(meta):
    shape, dtype, device = meta
    t = Tensor.empty(shape, dtype, device)
    return t.zero_()


def _conform(node: Node, k: int, g, meta):
    """Check a returned gradient against the shape of the input it is for; cast its dtype."""
    shape, dtype, _ = meta
    if tuple(g.shape) != tuple(shape):
        raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {k} - got "
                           f"{list(g.shape)} but expected shape compatible with {list(shape)}")
    return g if g.dtype is dtype else g.to(dtype)


def _run_tensor_hooks(node: Node, grads_in: list, create_graph: bool) -> list:
    for nr, hooks in node.tensor_pre_hooks.items():
        for hook in list(hooks.values()):
            if grads_in[nr] is not None:
                new = hook(grads_in[nr])
                if new is not None:
                    grads_in[nr] = new
    for nr, ref in node.retained.items():
        t = ref()
        if t is not None and grads_in[nr] is not None:
            g = grads_in[nr] if create_graph else grads_in[nr].detach()
            t.grad = g.clone() if t.grad is None else t.grad + g
    return grads_in


def _accumulate(leaf, g, create_graph: bool) -> None:
    if not create_graph:
        g = g.detach()
    if leaf.grad is None:
        # own the gradient: never alias a view, an expanded (stride 0) tensor or a caller's tensor
        leaf.grad = g if (create_graph and g.is_contiguous()) else g.clone()
    elif create_graph:
        leaf.grad = leaf.grad + g
    else:
        leaf.grad.add_(g)

