"""Export a sentence-transformers BERT folder to a fused (and optionally int8) ONNX file.

Run as ``python -m index.onnx_export MODEL_DIR TARGET.onnx fp32|int8`` by
``index.embedding_onnx.cached_model``: a child process, so torch and the exporter never
load into the process that serves or ingests. The file is checked against the torch model
before it is moved into place atomically (a reader sees no file or the finished one).
"""

from __future__ import annotations

import logging
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from index.embedding import EmbedderError
from index.embedding_onnx import Variant, mean_pool_normalize, read_model_folder

log = logging.getLogger(__name__)

# The smallest cosine to the torch model, on the sentences below, that a freshly built file
# must reach before it is cached (fp32 reaches > 0.99999; int8 ~0.987 on these).
EXPORT_CHECK_MIN_COSINE = {"fp32": 0.9999, "int8": 0.97}
_CHECK_SENTENCES = (
    "Shares of the chipmaker rose 8% after it raised its revenue forecast.",
    "The central bank kept interest rates on hold and signalled caution about inflation.",
    "A startup building AI tools for hospitals raised $40 million in new funding.",
    "Oil prices fell as traders weighed weaker demand against supply cuts. " * 12,
)


def build(model_dir: Path, target: Path, variant: Variant) -> None:
    """Export, fuse, quantize (int8), check against torch, then move to ``target``."""
    config = read_model_folder(model_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as scratch:
        work = Path(scratch)
        model = _load_torch_model(model_dir)
        _export(model, work / "raw.onnx")
        _fuse(work / "raw.onnx", work / "fused.onnx", config)
        final = work / "fused.onnx"
        if variant == "int8":
            _quantize(final, work / "int8.onnx")
            final = work / "int8.onnx"
        _check_against_torch(model, model_dir, final, variant, config["max_seq_length"])
        final.replace(target)


def _load_torch_model(model_dir: Path) -> Any:
    from transformers import AutoModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoModel.from_pretrained(
            str(model_dir), local_files_only=True, attn_implementation="eager"
        )
    return model.eval()


def _export(model: Any, target: Path) -> None:
    """torch -> ONNX with dynamic batch and sequence axes; output: last_hidden_state."""
    import torch

    class _Encoder(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state

    wrapper = _Encoder(model).eval()
    ids = torch.randint(1000, 2000, (2, 16), dtype=torch.long)
    args = (ids, torch.ones_like(ids))
    inputs, outputs = ["input_ids", "attention_mask"], ["last_hidden_state"]
    with warnings.catch_warnings(), torch.no_grad():
        # The exporters are noisy (deprecation, tracer and shape warnings): none of it is ours.
        warnings.simplefilter("ignore")
        try:
            # The TorchScript exporter gives the graph that onnxruntime's BERT fusion recognises
            # (fused attention); it is deprecated, so fall back to the dynamo exporter.
            torch.onnx.export(
                wrapper, args, str(target), opset_version=17, dynamo=False,
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "last_hidden_state": {0: "batch", 1: "sequence"},
                },
                input_names=inputs, output_names=outputs,
            )
        except Exception as exc:  # noqa: BLE001 - any failure of the old exporter: try the new one
            log.warning("TorchScript ONNX export failed (%s); using the dynamo exporter", exc)
            batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
            torch.onnx.export(
                wrapper, args, str(target), dynamo=True, external_data=False,
                dynamic_shapes={"input_ids": {0: batch, 1: sequence},
                                "attention_mask": {0: batch, 1: sequence}},
                input_names=inputs, output_names=outputs,
            )


def _fuse(source: Path, target: Path, config: dict[str, int]) -> None:
    from onnxruntime.transformers import optimizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fused = optimizer.optimize_model(
            str(source), model_type="bert", opt_level=0,
            num_heads=config["num_attention_heads"], hidden_size=config["hidden_size"],
        )
    stats = fused.get_fused_operator_statistics()
    log.info("ONNX BERT fusion: %s", {k: v for k, v in stats.items() if v})
    fused.save_model_to_file(str(target))


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8: per-channel weights, only MatMuls with a constant weight, plus attention."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source)).graph
    weights = {init.name for init in graph.initializer}
    nodes = [
        n.name for n in graph.node
        if n.op_type in ("MatMul", "Attention") and n.input[1] in weights
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_dynamic(
            str(source), str(target),
            weight_type=QuantType.QInt8, per_channel=True, reduce_range=False,
            op_types_to_quantize=["MatMul", "Attention"], nodes_to_quantize=nodes,
            extra_options={"MatMulConstBOnly": True, "DefaultTensorType": onnx.TensorProto.FLOAT},
        )


def _check_against_torch(
    model: Any, model_dir: Path, onnx_file: Path, variant: Variant, max_tokens: int
) -> None:
    """Refuse to cache a file whose vectors stray from the torch model's."""
    import onnxruntime as ort
    import torch
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_padding()
    tokenizer.enable_truncation(max_tokens)
    batch = tokenizer.encode_batch(list(_CHECK_SENTENCES))
    ids = np.array([e.ids for e in batch], dtype=np.int64)
    mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
    with torch.no_grad():
        expected = model(
            input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
            token_type_ids=torch.zeros_like(torch.from_numpy(ids)),
        ).last_hidden_state.numpy()
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    got = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    cosine = np.sum(mean_pool_normalize(got, mask) * mean_pool_normalize(expected, mask), axis=1)
    if float(cosine.min()) < EXPORT_CHECK_MIN_COSINE[variant]:
        raise EmbedderError(
            f"ONNX {variant} export of {model_dir} strays from torch (cosine {cosine.min():.4f})"
        )
    log.info("ONNX %s export checked against torch: min cosine %.5f", variant, cosine.min())


def main(argv: list[str] | None = None) -> int:
    """``MODEL_DIR TARGET VARIANT``; exit 1 with the reason on stderr when the export fails."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[2] not in ("fp32", "int8"):
        sys.stderr.write("usage: python -m index.onnx_export MODEL_DIR TARGET.onnx fp32|int8\n")
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    variant: Variant = "int8" if args[2] == "int8" else "fp32"
    try:
        build(Path(args[0]), Path(args[1]), variant)
    except (EmbedderError, OSError, ValueError, RuntimeError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
