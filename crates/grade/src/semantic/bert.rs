//! The BERT encoder of all-MiniLM-L6-v2 (and any `BertModel` of the same shape), on candle.
//!
//! Written here rather than taken from candle-transformers, which would compile some 80,000
//! lines of other models for these 150. Inference only: no dropout, no pooler. Tensor names are
//! those of Hugging Face's `BertModel` (`embeddings.word_embeddings.weight`,
//! `encoder.layer.0.attention.self.query.weight`, ...), with or without a `bert.` prefix.

use candle_core::{D, DType, Module, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder, embedding, layer_norm, linear};
use serde::Deserialize;

/// The fields of the model's `config.json` the encoder needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "two")]
    pub type_vocab_size: usize,
    #[serde(default = "bert_eps")]
    pub layer_norm_eps: f64,
    /// Only "gelu" (the exact, erf form BERT uses) is supported; checked at load.
    #[serde(default = "gelu")]
    pub hidden_act: String,
}

fn two() -> usize {
    2
}
fn bert_eps() -> f64 {
    1e-12
}
fn gelu() -> String {
    "gelu".to_owned()
}

/// The encoder: token ids in, one hidden vector per token out.
pub(crate) struct Bert {
    word: Embedding,
    position: Embedding,
    token_type: Embedding,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    head_size: usize,
}

/// candle's `Linear` (`x W^T`) makes gemm repack the `(out, in)` weights on every call, about 40%
/// of a grade's time by `perf`. Computing `(W x^T)^T` instead avoids the repacking and gave
/// 10-14% more grades a second, but a p99 3-7 ms worse (long sentences), and AVX-512 kernels
/// halved the speed on an AMD EPYC: both left out (docs/operations.md, "The semantic grader").
struct Layer {
    /// Query, key and value as one product (see [`fused_qkv`]).
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl Bert {
    pub fn load(vb: &VarBuilder<'_>, config: &BertConfig) -> Result<Self> {
        if config.hidden_act != "gelu" {
            candle_core::bail!(
                "hidden_act {:?} is not supported (only \"gelu\")",
                config.hidden_act
            );
        }
        if config.num_attention_heads == 0 || !config.hidden_size.is_multiple_of(config.num_attention_heads) {
            candle_core::bail!("hidden_size is not a multiple of num_attention_heads");
        }
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
            vb.pp("bert")
        } else {
            vb.clone()
        };
        let h = config.hidden_size;
        let head_size = h / config.num_attention_heads;
        let scale = 1.0 / (head_size as f64).sqrt();
        let e = vb.pp("embeddings");
        let norm = |vb: VarBuilder<'_>| layer_norm(h, config.layer_norm_eps, vb);
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let l = vb.pp(format!("encoder.layer.{i}"));
                Ok(Layer {
                    qkv: fused_qkv(&l.pp("attention.self"), h, scale)?,
                    attention_out: linear(h, h, l.pp("attention.output.dense"))?,
                    attention_norm: norm(l.pp("attention.output.LayerNorm"))?,
                    intermediate: linear(h, config.intermediate_size, l.pp("intermediate.dense"))?,
                    output: linear(config.intermediate_size, h, l.pp("output.dense"))?,
                    output_norm: norm(l.pp("output.LayerNorm"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            word: embedding(config.vocab_size, h, e.pp("word_embeddings"))?,
            position: embedding(config.max_position_embeddings, h, e.pp("position_embeddings"))?,
            token_type: embedding(config.type_vocab_size, h, e.pp("token_type_embeddings"))?,
            embeddings_norm: norm(e.pp("LayerNorm"))?,
            layers,
            heads: config.num_attention_heads,
            head_size,
        })
    }

    /// Hidden states `(batch, seq, hidden)` for `ids` `(batch, seq)` (u32) and `mask`
    /// `(batch, seq)` (f32, 1 for a real token, 0 for padding). Sequences must not be longer
    /// than the model's position table (the caller truncates).
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (batch, seq) = ids.dims2()?;
        let positions = Tensor::arange(0u32, seq as u32, ids.device())?;
        let types = ids.zeros_like()?;
        let x = self
            .word
            .forward(ids)?
            .add(&self.token_type.forward(&types)?)?
            .broadcast_add(&self.position.forward(&positions)?)?;
        let mut x = self.embeddings_norm.forward(&x)?;
        // Padding gets a large negative score before the softmax, so no real token attends to it
        // (as Hugging Face's extended attention mask does).
        let bias = ((mask.to_dtype(DType::F32)? - 1.0)? * 1e4)?.reshape((batch, 1, 1, seq))?;
        for layer in &self.layers {
            // (batch, seq, 3 * hidden) -> (3, batch, heads, seq, head size): one copy for all three.
            let qkv = layer
                .qkv
                .forward(&x)?
                .reshape((batch, seq, 3, self.heads, self.head_size))?
                .permute((2, 0, 3, 1, 4))?
                .contiguous()?;
            let (q, k, v) = (qkv.get(0)?, qkv.get(1)?, qkv.get(2)?);
            // The queries come scaled by 1/sqrt(head size) from the weights.
            let scores = q.matmul(&k.t()?)?.broadcast_add(&bias)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let context = probs
                .matmul(&v)?
                .transpose(1, 2)?
                .contiguous()?
                .flatten_from(D::Minus2)?;
            let attended = layer
                .attention_norm
                .forward(&layer.attention_out.forward(&context)?.add(&x)?)?;
            let inner = layer.intermediate.forward(&attended)?.gelu_erf()?;
            x = layer
                .output_norm
                .forward(&layer.output.forward(&inner)?.add(&attended)?)?;
        }
        Ok(x)
    }
}

/// The query, key and value projections of a layer as one linear map from the hidden size to
/// three times it: one matrix product reads the input once instead of three times, and its
/// output needs one copy into heads instead of three. The attention's 1/sqrt(head size) is
/// folded into the query's weights and bias, which saves scaling every score. Together
/// 5-14% more grades a second in the semantic benchmark (three runs each, alternating).
fn fused_qkv(vb: &VarBuilder<'_>, hidden: usize, scale: f64) -> Result<Linear> {
    let part = |name: &str, factor: f64| -> Result<(Tensor, Tensor)> {
        let vb = vb.pp(name);
        Ok((
            (vb.get((hidden, hidden), "weight")? * factor)?,
            (vb.get(hidden, "bias")? * factor)?,
        ))
    };
    let (query_w, query_b) = part("query", scale)?;
    let (key_w, key_b) = part("key", 1.0)?;
    let (value_w, value_b) = part("value", 1.0)?;
    Ok(Linear::new(
        Tensor::cat(&[query_w, key_w, value_w], 0)?,
        Some(Tensor::cat(&[query_b, key_b, value_b], 0)?),
    ))
}
