"""Make the int8 claims model batchable without changing any score: activations quantised per text, not per call.

The shipped model (``dynamic`` int8 quantisation) computes one activation range for the whole input tensor of every
quantised MatMul, so a sentence scored in a batch gets other ranges than alone: its score moves with its batch mates
(up to 0.18). This rewrite gives every ``DynamicQuantizeLinear`` the same arithmetic per text instead of per call:

* range: min/max over the text's own positions (padding is set to 0 first, and 0 is always inside the range);
* scale = (max - min) / 255, zero point = round-half-even(clip(-min / scale, 0, 255)), as onnxruntime computes them;
* ``QuantizeLinear`` per text (axis 0), then ``MatMulInteger`` with zero point 0 and the exact integer correction
  ``- zero_point * column sums of the weights`` (the weights' own zero points are 0).

So the integer products are those of the text scored alone; only float rounding in attention over a padded length can
differ (measured: below 1e-6, see tests/unit/test_claims_batched.py). Weights are untouched. Needs the ``onnx``
package (the [train] extra); run once after an export::

    python training/claims_batchable.py SRC_MODEL.onnx OUT_MODEL.onnx
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference


def rewrite(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model with per-text activation quantisation (see the module docstring)."""
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    ranks = {
        v.name: len(v.type.tensor_type.shape.dim)
        for v in list(shape_inference.infer_shapes(model).graph.value_info) + list(graph.input)
    }
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    new_inits = [
        numpy_helper.from_array(np.array(0.0, np.float32), "bq_zero"),
        numpy_helper.from_array(np.array(255.0, np.float32), "bq_255"),
        numpy_helper.from_array(np.array(0, np.uint8), "bq_u8_zero"),
        numpy_helper.from_array(np.array([2], np.int64), "bq_axis2"),
        numpy_helper.from_array(np.array([-1], np.int64), "bq_flat"),
    ]
    prologue = [
        helper.make_node("Cast", ["attention_mask"], ["bq_mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["bq_mask_f", "bq_axis2"], ["bq_mask3"]),
    ]
    nodes: list[onnx.NodeProto] = []
    for node in graph.node:
        if node.op_type != "DynamicQuantizeLinear":
            if node.op_type == "MatMulInteger" and node.input[2].startswith("bq_"):
                nodes.extend(_corrected(node, inits))
            else:
                nodes.append(node)
            continue
        x, (xq, scale, zp) = node.input[0], node.output
        p = f"bq_{len(nodes)}_"
        rank = ranks[x]
        axes = list(range(1, rank))
        if rank == 3:
            nodes.append(helper.make_node("Mul", [x, "bq_mask3"], [p + "xm"]))
            xm = p + "xm"
        else:
            xm = x
        nodes += [
            helper.make_node("ReduceMin", [xm], [p + "rmin"], axes=axes, keepdims=1),
            helper.make_node("ReduceMax", [xm], [p + "rmax"], axes=axes, keepdims=1),
            helper.make_node("Min", [p + "rmin", "bq_zero"], [p + "lo"]),
            helper.make_node("Max", [p + "rmax", "bq_zero"], [p + "hi"]),
            helper.make_node("Sub", [p + "hi", p + "lo"], [p + "span"]),
            helper.make_node("Div", [p + "span", "bq_255"], [scale]),  # the per-text scale, [B, 1(, 1)]
            helper.make_node("Div", [p + "lo", scale], [p + "lo_s"]),
            helper.make_node("Sub", ["bq_zero", p + "lo_s"], [p + "zp0"]),
            helper.make_node("Clip", [p + "zp0", "bq_zero", "bq_255"], [p + "zp1"]),
            helper.make_node("Round", [p + "zp1"], [p + "zp2"]),
            helper.make_node("Cast", [p + "zp2"], [zp], to=TensorProto.UINT8),
            helper.make_node("Reshape", [scale, "bq_flat"], [p + "scale1"]),
            helper.make_node("Reshape", [zp, "bq_flat"], [p + "zp1d"]),
            helper.make_node("QuantizeLinear", [x, p + "scale1", p + "zp1d"], [xq], axis=0),
            helper.make_node("Cast", [zp], [p + "zp_i32"], to=TensorProto.INT32),
        ]
        for user in consumers[xq]:  # mark the MatMulIntegers fed by this node for the zero-point correction
            user.input[2] = p + "zp_i32"
    del graph.node[:]
    graph.node.extend(prologue + nodes)
    graph.initializer.extend(new_inits)
    return model


def _corrected(node: onnx.NodeProto, inits: dict[str, onnx.TensorProto]) -> list[onnx.NodeProto]:
    """``MatMulInteger`` with A's zero point 0, minus zero point x column sums of B (exact in int32)."""
    zp_i32, weights, b_zp = node.input[2], node.input[1], node.input[3]
    if np.any(numpy_helper.to_array(inits[b_zp]) != 0):
        raise SystemExit(f"{node.name}: weights with non-zero zero points are not handled")
    colsum = numpy_helper.to_array(inits[weights]).astype(np.int32).sum(axis=0, dtype=np.int32)
    name = f"{weights}_bq_colsum"
    if name not in inits:
        inits[name] = numpy_helper.from_array(colsum, name)
        _extra.append(inits[name])
    out = node.output[0]
    raw = out + "_bq_raw"
    return [
        helper.make_node("MatMulInteger", [node.input[0], weights, "bq_u8_zero", b_zp], [raw], name=node.name),
        helper.make_node("Mul", [zp_i32, name], [out + "_bq_corr"]),
        helper.make_node("Sub", [raw, out + "_bq_corr"], [out]),
    ]


_extra: list[onnx.TensorProto] = []


def save_batchable(model: onnx.ModelProto, out: Path) -> None:
    """Rewrite a dynamically quantised model (see the module docstring), check it and save it to ``out``."""
    _extra.clear()
    model = rewrite(model)
    model.graph.initializer.extend(_extra)
    onnx.checker.check_model(model)
    onnx.save(model, str(out))


def main() -> int:
    """Rewrite SRC into OUT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    save_batchable(onnx.load(str(args.src)), args.out)
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
