"""Compute shapes and how many VNICs a node of a shape attaches.

The built-in table comes from Oracle's compute-shapes reference (computeshapes.htm) so that plans can be checked
without a tenancy. A tenancy's own `list_shapes` answer, or a plan's `shapes`, take precedence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from engine.model import Shape, VnicLimits

# "VM with 1 OCPU: 2 VNICs. VM with 2 or more OCPUs: 1 VNIC per OCPU. Maximum 24 VNICs."
_STANDARD_FLEX = VnicLimits(minimum=2, maximum=24, per_ocpu=1)

_FLEX_SHAPES: dict[str, VnicLimits] = {
    name: _STANDARD_FLEX
    for name in (
        "VM.Standard3.Flex",
        "VM.Standard.E3.Flex",
        "VM.Standard.E4.Flex",
        "VM.Standard.E5.Flex",
        "VM.Standard.E6.Flex",
        "VM.Standard.A1.Flex",
        "VM.Standard.A2.Flex",
        "VM.Standard.A4.Flex",
    )
}
# "2 VNICs per OCPU, max 24."
_FLEX_SHAPES["VM.Optimized3.Flex"] = VnicLimits(minimum=2, maximum=24, per_ocpu=2)
# 8/16/32 OCPUs give 8/16/24 VNICs.
_FLEX_SHAPES["VM.DenseIO.E4.Flex"] = VnicLimits(minimum=8, maximum=24, per_ocpu=1)

_FIXED_SHAPES: dict[str, int] = {
    "VM.Standard2.1": 2,
    "VM.Standard2.2": 2,
    "VM.Standard2.4": 4,
    "VM.Standard2.8": 8,
    "VM.Standard2.16": 16,
    "VM.Standard2.24": 24,
    "VM.Standard.E2.1": 2,
    "VM.Standard.E2.2": 2,
    "VM.Standard.E2.4": 4,
    "VM.Standard.E2.8": 4,
    "VM.Standard.E2.1.Micro": 1,
    "BM.Standard3.64": 256,
    "BM.Standard.E4.128": 256,
    "BM.Standard.E5.192": 256,
    "BM.Standard.E6.256": 256,
    "BM.Standard.A1.160": 256,
    "BM.DenseIO.E4.128": 256,
    "BM.Optimized3.36": 256,
    "BM.Standard2.52": 200,
    "BM.Standard.E2.64": 150,
    "BM.Standard.E3.128": 256,
    "BM.DenseIO2.52": 52,
    "BM.GPU4.8": 64,
    "BM.GPU.GB200.4": 512,
}

BUILT_IN_SHAPES: Mapping[str, Shape] = MappingProxyType(
    {
        **{name: Shape(name=name, flex_vnics=limits) for name, limits in _FLEX_SHAPES.items()},
        **{name: Shape(name=name, max_vnics=vnics) for name, vnics in _FIXED_SHAPES.items()},
    }
)


class ShapeCatalogue:
    """Looks shapes up: the tenancy's or plan's own first, then the built-in table."""

    def __init__(self, own: Iterable[Shape] = ()) -> None:
        self._own = {shape.name: shape for shape in own}

    @property
    def key(self) -> tuple[Shape, ...]:
        """What this catalogue knows besides the built-in table, hashable: equal keys look shapes up alike."""
        return tuple(self._own.values())

    def get(self, name: str | None) -> Shape | None:
        """The shape of that name, or None when neither source knows it."""
        if name is None:
            return None
        return self._own.get(name) or BUILT_IN_SHAPES.get(name)


def vnics_for(shape: Shape, ocpus: float | None) -> int | None:
    """VNICs a node of this shape attaches, or None when it cannot be known (a flex shape without OCPUs).

    For flex shapes the per-OCPU rule is applied to whole OCPUs (a fractional OCPU count rounds down,
    as OCI counts VNICs per whole OCPU), clamped to the shape's minimum and maximum.
    """
    if shape.flex_vnics is not None and ocpus is not None:
        limits = shape.flex_vnics
        by_ocpu = math.floor(max(ocpus, 1) * limits.per_ocpu)
        return max(limits.minimum, min(limits.maximum, by_ocpu))
    if shape.max_vnics is not None:
        return shape.max_vnics
    return None
