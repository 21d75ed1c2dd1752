"""Products: matmul (batched, with NumPy's 1-D rules), dot, tensordot, outer, einsum."""
import numpy as np

from nnfast.autograd.function import call_op, unbroadcast, unwrap


def _matmul_forward(a, b):
    return np.matmul(a, b), (a, b)


def _matmul_backward(g, cache, needs):
    a, b = cache
    # Promote 1-D operands as NumPy does, then undo the promotion on the gradients.
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    if a.ndim == 1 and b.ndim == 1:
        g2 = np.reshape(g, (1, 1))
    elif a.ndim == 1:
        g2 = np.expand_dims(g, -2)
    elif b.ndim == 1:
        g2 = np.expand_dims(g, -1)
    else:
        g2 = g
    ga = gb = None
    if needs[0]:
        ga = unbroadcast(np.matmul(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
    if needs[1]:
        gb = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
    return ga, gb


def matmul(x1, x2):
    """Matrix product with NumPy's rules: batched over leading axes, 1-D operands
    promoted to a row (first) or a column (second) and the added axis removed."""
    sa, sb = np.shape(unwrap(x1)), np.shape(unwrap(x2))
    if not sa or not sb:
        raise ValueError(
            f"matmul: the inputs must have rank >= 1. Received: x1.shape={sa}, x2.shape={sb}"
        )
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    batch_ok = True
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        batch_ok = False
    if k_a != k_b or not batch_ok:
        raise ValueError(
            "matmul: incompatible shapes (the last axis of x1 must equal the second-to-last "
            f"of x2, batch axes must broadcast). Received: x1.shape={sa}, x2.shape={sb}"
        )
    return call_op(_matmul_forward, _matmul_backward, x1, x2)


def _tensordot_forward(a, b, axes_a, axes_b):
    return np.tensordot(a, b, axes=(axes_a, axes_b)), (a, b)


def _tensordot_backward(g, cache, needs, axes_a, axes_b):
    a, b = cache
    free_a = [i for i in range(a.ndim) if i not in axes_a]
    free_b = [i for i in range(b.ndim) if i not in axes_b]
    na = len(free_a)
    ga = gb = None
    if needs[0]:
        # Contracting g with b over free_b leaves b's contracted axes in increasing order;
        # map each back to its partner axis of a, then undo that order.
        r = np.tensordot(g, b, axes=(list(range(na, g.ndim)), free_b))
        partners = [axes_a[axes_b.index(j)] for j in sorted(axes_b)]
        ga = np.transpose(r, np.argsort(free_a + partners))
    if needs[1]:
        r = np.tensordot(a, g, axes=(free_a, list(range(na))))
        partners = [axes_b[axes_a.index(i)] for i in sorted(axes_a)]
        gb = np.transpose(r, np.argsort(partners + free_b))
    return ga, gb


def tensordot(x1, x2, axes=2):
    """Sum of products over `axes` (an int: the last n of x1 with the first n of x2; or a
    pair of axis lists)."""
    sa, sb = np.shape(unwrap(x1)), np.shape(unwrap(x2))
    if isinstance(axes, (int, np.integer)):
        axes_a = list(range(len(sa) - axes, len(sa)))
        axes_b = list(range(axes))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, (int, np.integer)) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, (int, np.integer)) else list(axes_b)
    try:
        axes_a = [a % len(sa) for a in axes_a]
        axes_b = [b % len(sb) for b in axes_b]
        bad = len(axes_a) != len(axes_b) or any(sa[i] != sb[j] for i, j in zip(axes_a, axes_b))
    except (ZeroDivisionError, IndexError):
        bad = True
    if bad:
        raise ValueError(
            f"tensordot: the contracted axes do not match. Received: x1.shape={sa}, "
            f"x2.shape={sb}, axes={axes}"
        )
    axes_a, axes_b = tuple(axes_a), tuple(axes_b)

    def backward(g, cache, needs):
        return _tensordot_backward(g, cache, needs, axes_a, axes_b)

    return call_op(_tensordot_forward, backward, x1, x2, axes_a=axes_a, axes_b=axes_b)


def dot(x1, x2):
    """NumPy's `dot`: scalar product for 0-d inputs, else sums the last axis of x1 with
    the second-to-last (or only) axis of x2."""
    sa, sb = np.shape(unwrap(x1)), np.shape(unwrap(x2))
    if not sa or not sb:
        from nnfast.ops.numpy_elementwise import multiply

        return multiply(x1, x2)
    if len(sa) <= 2 and len(sb) <= 2:
        if sa[-1] != sb[0]:
            raise ValueError(
                f"dot: shapes {sa} and {sb} are not aligned ({sa[-1]} != {sb[0]}). "
                f"Received: x1.shape={sa}, x2.shape={sb}"
            )
        return matmul(x1, x2)
    ax_b = max(len(sb) - 2, 0)
    if sa[-1] != sb[ax_b]:
        raise ValueError(
            f"dot: shapes {sa} and {sb} are not aligned. Received: x1.shape={sa}, x2.shape={sb}"
        )
    return tensordot(x1, x2, axes=([len(sa) - 1], [ax_b]))


def outer(x1, x2):
    """Outer product of the flattened inputs."""
    from nnfast.ops.core import reshape

    return matmul(reshape(x1, (-1, 1)), reshape(x2, (1, -1)))


def vdot(x1, x2):
    from nnfast.ops.core import reshape

    return dot(reshape(x1, (-1,)), reshape(x2, (-1,)))


def inner(x1, x2):
    """Sum over the last axes of both inputs."""
    sa = np.shape(unwrap(x1))
    sb = np.shape(unwrap(x2))
    if not sa or not sb:
        from nnfast.ops.numpy_elementwise import multiply

        return multiply(x1, x2)
    return tensordot(x1, x2, axes=([len(sa) - 1], [len(sb) - 1]))


# --- einsum ---------------------------------------------------------------------------
def _parse_einsum(subscripts, n):
    spec = subscripts.replace(" ", "")
    if "..." in spec:
        raise ValueError(f"einsum: ellipsis is not supported. Received: subscripts={subscripts!r}")
    if "->" in spec:
        ins, out = spec.split("->")
    else:
        ins = spec
        letters = ins.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    ins = ins.split(",")
    if len(ins) != n:
        raise ValueError(f"einsum: {len(ins)} operands in {subscripts!r}, {n} given.")
    for term in ins:
        if len(set(term)) != len(term):
            raise ValueError(
                "einsum: repeated indices inside one operand (traces) are not supported. "
                f"Received: subscripts={subscripts!r}"
            )
    return ins, out


def einsum(subscripts, *operands):
    """Einstein summation (explicit or implicit output; no ellipsis, no traces)."""
    ins, out = _parse_einsum(subscripts, len(operands))

    def forward(*arrays):
        for term, a in zip(ins, arrays):
            if len(term) != np.ndim(a):
                raise ValueError(
                    f"einsum: operand of shape {np.shape(a)} does not match {term!r} in "
                    f"{subscripts!r}."
                )
        return np.einsum(subscripts, *arrays), arrays

    def backward(g, arrays, needs):
        grads = []
        for i, (term, n) in enumerate(zip(ins, needs)):
            if not n:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(ins) if j != i]
            avail = set(out).union(*others) if others else set(out)
            kept = "".join(c for c in term if c in avail)
            spec = ",".join([out] + others) + "->" + kept
            r = np.einsum(spec, g, *[a for j, a in enumerate(arrays) if j != i])
            # Indices summed only inside this operand: its gradient is constant along them.
            full = [arrays[i].shape[k] if c not in avail else None for k, c in enumerate(term)]
            r = r.reshape([1 if f is not None else arrays[i].shape[k] for k, f in enumerate(full)])
            grads.append(np.broadcast_to(r, arrays[i].shape).copy())
        return tuple(grads)

    return call_op(forward, backward, *operands)
