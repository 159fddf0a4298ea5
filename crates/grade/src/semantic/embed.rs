//! Sentence embeddings: the model's own WordPiece tokenizer, the BERT encoder, mean pooling over
//! real tokens, unit length. What sentence-transformers computes for all-MiniLM-L6-v2, checked
//! against its vectors by `tests/semantic.rs`.
//!
//! The trap the issue names: the packaged `tokenizer.json` pads every input to 128 tokens and
//! cuts it there. Padding is switched off here; a batch is padded to its longest member and the
//! pooling counts only real tokens (the attention mask), and inputs are cut at the model's
//! `max_seq_length` (256 for this model), as sentence-transformers does.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use tokenizers::{Tokenizer, TruncationParams};

use super::bert::{Bert, BertConfig};
use super::{Embedding, SemanticError};

/// Used when the model directory has no `sentence_bert_config.json`.
const DEFAULT_MAX_TOKENS: usize = 256;

/// A loaded model: tokenizer and encoder. Immutable once loaded, so one is shared by every task
/// (`Send + Sync`); candle runs each forward pass on its own threads.
pub(crate) struct Embedder {
    tokenizer: Tokenizer,
    bert: Bert,
    device: Device,
    dimension: usize,
    /// Inputs are cut at this many tokens, `[CLS]` and `[SEP]` included.
    max_tokens: usize,
    /// Where the files were read from, for messages.
    pub dir: PathBuf,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("dir", &self.dir)
            .field("dimension", &self.dimension)
            .field("max_tokens", &self.max_tokens)
            .finish_non_exhaustive()
    }
}

/// `sentence_bert_config.json`: the sequence length the model was trained with.
#[derive(serde::Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

impl Embedder {
    /// Reads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    pub fn load(dir: &Path) -> Result<Self, SemanticError> {
        let file = |name: &str| dir.join(name);
        let read = |name: &str| {
            std::fs::read(file(name)).map_err(|e| SemanticError::Files {
                dir: dir.to_owned(),
                message: format!("cannot read {name}: {e}"),
            })
        };
        let bad = |name: &str, e: &dyn std::fmt::Display| SemanticError::Files {
            dir: dir.to_owned(),
            message: format!("{name}: {e}"),
        };
        let config: BertConfig =
            serde_json::from_slice(&read("config.json")?).map_err(|e| bad("config.json", &e))?;
        let max_seq = std::fs::read(file("sentence_bert_config.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<SentenceBertConfig>(&b).ok())
            .and_then(|c| c.max_seq_length)
            .unwrap_or(DEFAULT_MAX_TOKENS);
        let max_tokens = max_seq.clamp(8, config.max_position_embeddings);

        let mut tokenizer =
            Tokenizer::from_bytes(read("tokenizer.json")?).map_err(|e| bad("tokenizer.json", &e))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..TruncationParams::default()
            }))
            .map_err(|e| bad("tokenizer.json", &e))?;

        let device = Device::Cpu;
        // The buffered (safe) loader: the workspace forbids unsafe code, which rules out the
        // memory-mapped one. The file's bytes are freed once the tensors are built.
        let weights = read("model.safetensors")?;
        let bert = {
            let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &device)
                .map_err(|e| bad("model.safetensors", &e))?;
            Bert::load(&vb, &config).map_err(|e| bad("model.safetensors", &e))?
        };
        Ok(Self {
            tokenizer,
            bert,
            device,
            dimension: config.hidden_size,
            max_tokens,
            dir: dir.to_owned(),
        })
    }

    /// The length of every vector (384 for all-MiniLM-L6-v2).
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// One unit vector per text, in order, computed in one batch. An empty text (or one the
    /// tokenizer reduces to nothing) gets the vector of `[CLS] [SEP]`, like any other input.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Embedding>, SemanticError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let mut rows: Vec<Vec<u32>> = Vec::with_capacity(texts.len());
        for text in texts {
            let encoding = self
                .tokenizer
                .encode_fast(*text, true)
                .map_err(|e| SemanticError::Model(format!("tokenizing: {e}")))?;
            let mut ids = encoding.get_ids().to_vec();
            // The tokenizer truncates already; this keeps a hand-edited tokenizer.json honest.
            ids.truncate(self.max_tokens);
            rows.push(ids);
        }
        // Batches of similar lengths: a batch is padded to its longest member, and every pad
        // position costs as much as a real token, so one long sentence among short ones would
        // multiply the work. Sorted by length, a batch grows while its padded size stays within
        // a quarter of its real tokens; the vectors go back in the callers' order.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| rows[i].len());
        let mut vectors: Vec<(usize, Embedding)> = Vec::with_capacity(rows.len());
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            let mut real = rows[order[start]].len();
            while let Some(&next) = order.get(end) {
                let longest = rows[next].len();
                if (end + 1 - start) * longest * 4 > (real + longest) * 5 {
                    break;
                }
                real += longest;
                end += 1;
            }
            let batch: Vec<&[u32]> = order[start..end].iter().map(|&i| rows[i].as_slice()).collect();
            let embedded = self
                .forward_padded(&batch)
                .map_err(|e| SemanticError::Model(e.to_string()))?;
            vectors.extend(order[start..end].iter().copied().zip(embedded));
            start = end;
        }
        vectors.sort_unstable_by_key(|&(i, _)| i);
        Ok(vectors.into_iter().map(|(_, v)| v).collect())
    }

    /// One forward pass over `rows` (token ids), padded to the longest.
    fn forward_padded(&self, rows: &[&[u32]]) -> candle_core::Result<Vec<Embedding>> {
        let longest = rows.iter().map(|r| r.len()).max().unwrap_or(0).max(1);
        let mut ids = Vec::with_capacity(rows.len() * longest);
        let mut mask = Vec::with_capacity(rows.len() * longest);
        for row in rows {
            ids.extend_from_slice(row);
            ids.extend(std::iter::repeat_n(0u32, longest - row.len()));
            mask.extend(std::iter::repeat_n(1f32, row.len()));
            mask.extend(std::iter::repeat_n(0f32, longest - row.len()));
        }
        self.forward(ids, mask, rows.len(), longest)
    }

    fn forward(
        &self,
        ids: Vec<u32>,
        mask: Vec<f32>,
        batch: usize,
        seq: usize,
    ) -> candle_core::Result<Vec<Embedding>> {
        let ids = Tensor::from_vec(ids, (batch, seq), &self.device)?;
        let mask = Tensor::from_vec(mask, (batch, seq), &self.device)?;
        let hidden = self.bert.forward(&ids, &mask)?;
        // Mean over real tokens only: padding must not pull the mean (the trap).
        let weights = mask.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&weights)?.sum(1)?;
        let counts = weights.sum(1)?.clamp(1e-9, f64::INFINITY)?;
        let mean = summed.broadcast_div(&counts)?;
        let rows: Vec<Vec<f32>> = mean.to_vec2()?;
        Ok(rows.into_iter().map(Embedding::unit).collect())
    }
}
