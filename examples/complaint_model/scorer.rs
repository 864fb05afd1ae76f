//! A small learned complaint scorer for customer turns (issue 9, classifier experiment):
//! L2-regularised logistic regression over the tokenizer's normalised words and bigrams plus
//! a few cue features (VADER compound, negation, `?`, `!`). Feature extraction, training and
//! scoring are all here, so the weights a training run writes are scored by the same code.
//! No dependency beyond the crate itself.
use std::collections::BTreeMap;

use crate::emb;
use tonecheck::sentiment::compound;
use tonecheck::tokens::{Kind, Tokens};

/// Experiment switches (set once by `main` before any scoring): leave out bigrams / cue features.
pub static NO_BIGRAMS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
pub static NO_CUES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Leave out the word and bigram features (the cues stay unless NO_CUES).
pub static NO_WORDS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The features of one customer turn: name → value. Binary word and bigram features, the
/// cue features, all scaled so the vector has unit L2 norm (a long turn does not outvote a
/// short one by length alone). The names and raw values are the engine's learned detector's
/// (`tonecheck::learned::features`, one definition for both); the switches above leave
/// groups out before the scaling.
pub fn features(text: &str) -> Vec<(String, f64)> {
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    let (no_words, no_bigrams, no_cues) = (
        NO_WORDS.load(relaxed),
        NO_BIGRAMS.load(relaxed),
        NO_CUES.load(relaxed),
    );
    let mut toks = Tokens::default();
    let mut all = tonecheck::learned::Names::default();
    let v = if no_cues { 0.0 } else { compound(text) };
    tonecheck::learned::features(&mut toks, text, v, b"", &mut all);
    let names: BTreeMap<String, f64> = all
        .0
        .into_iter()
        .filter(|(k, _)| {
            !(no_cues && k.starts_with("cue:")
                || no_words && (k.starts_with("w:") || k.starts_with("b:"))
                || no_bigrams && k.starts_with("b:"))
        })
        .collect();
    // With embeddings on, the bag-of-words block gets squared norm 1 - share and the
    // embedding block `share` (the trainer re-centres and re-scales the embedding block).
    let ec = emb::cfg();
    let bow_scale = if ec.pool == emb::Pool::Off {
        1.0
    } else {
        (1.0 - ec.share).max(0.0).sqrt()
    };
    let norm = names.values().map(|x| x * x).sum::<f64>().sqrt();
    let mut out: Vec<(String, f64)> = if bow_scale == 0.0 {
        Vec::new()
    } else {
        names
            .into_iter()
            .map(|(k, x)| (k, bow_scale * if norm > 0.0 { x / norm } else { x }))
            .collect()
    };
    if ec.pool != emb::Pool::Off {
        let words: Vec<&str> = (0..toks.len())
            .filter(|&i| toks.toks[i].kind == Kind::Word)
            .map(|i| toks.word(i))
            .collect();
        out.extend(emb::features(&words));
    }
    out
}

/// A dense (embedding) feature: centred and re-scaled by the trainer.
pub fn is_dense(name: &str) -> bool {
    name.starts_with("e:") || name.starts_with("emax:") || name.starts_with("emin:")
}

/// A trained scorer: bias and weight per feature name.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub bias: f64,
    pub weights: BTreeMap<String, f64>,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Model {
    /// Probability that the turn is a complaint owed an apology.
    pub fn score(&self, text: &str) -> f64 {
        self.score_features(&features(text))
    }

    pub fn score_features(&self, f: &[(String, f64)]) -> f64 {
        let z = self.bias
            + f.iter()
                .map(|(k, x)| self.weights.get(k).map_or(0.0, |w| w * x))
                .sum::<f64>();
        sigmoid(z)
    }

    /// The features of `text` with the largest contributions to its score, for explaining it.
    pub fn explain(&self, text: &str, n: usize) -> Vec<(String, f64)> {
        let mut c: Vec<(String, f64)> = features(text)
            .into_iter()
            .filter_map(|(k, x)| self.weights.get(&k).map(|w| (k, w * x)))
            .collect();
        c.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        c.truncate(n);
        c
    }

    /// The weights file: comment lines (`#`), `bias<TAB>w`, then `feature<TAB>w` lines.
    pub fn to_text(&self, header: &str) -> String {
        let mut s = String::new();
        for l in header.lines() {
            s.push_str(&format!("# {l}\n"));
        }
        s.push_str(&format!("bias\t{:.9}\n", self.bias));
        for (k, w) in &self.weights {
            s.push_str(&format!("{k}\t{w:.9}\n"));
        }
        s
    }

    pub fn from_text(text: &str) -> Result<Model, String> {
        let mut bias = None;
        let mut weights = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (k, w) = line
                .rsplit_once('\t')
                .ok_or_else(|| format!("line {}: no tab", n + 1))?;
            let w: f64 = w
                .parse()
                .map_err(|e| format!("line {}: weight: {e}", n + 1))?;
            if k == "bias" {
                bias = Some(w);
            } else if weights.insert(k.to_string(), w).is_some() {
                return Err(format!("line {}: `{k}` twice", n + 1));
            }
        }
        Ok(Model {
            bias: bias.ok_or("no bias line")?,
            weights,
        })
    }
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct Train {
    /// L2 penalty on the weights (not the bias), on the mean log loss.
    pub l2: f64,
    /// A feature must occur in this many training turns to get a weight.
    pub min_count: usize,
    /// Weight of a positive example relative to a negative one.
    pub pos_weight: f64,
    pub iterations: usize,
    /// Dense-feature standardisation: 0 none, 1 one scale for the block, 2 per dimension.
    pub dense_std: u8,
}

impl Default for Train {
    fn default() -> Train {
        Train {
            l2: 0.003,
            min_count: 2,
            pos_weight: 1.0,
            iterations: 3000,
            dense_std: 2,
        }
    }
}

/// Fits the model on `(features, label)` rows by full-batch gradient descent with Nesterov
/// momentum from zero weights: deterministic, the same weights on every run.
///
/// Dense (embedding) features are first centred on the training rows and scaled so the
/// embedding block's mean squared norm equals its share of the row (`dense_std`: 1 one scale
/// for the block, 2 one per dimension); the centring and scaling are folded back into the
/// weights and bias, so the model scores raw features.
#[allow(dead_code)]
pub fn train(rows: &[(Vec<(String, f64)>, bool)], cfg: Train) -> Model {
    train_weighted(rows, &vec![1.0; rows.len()], cfg)
}

/// `train` with a weight per row (e.g. the corpora turns weighted down against the dev turns).
pub fn train_weighted(rows: &[(Vec<(String, f64)>, bool)], rw: &[f64], cfg: Train) -> Model {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for (f, _) in rows {
        for (k, _) in f {
            *count.entry(k.as_str()).or_default() += 1;
        }
    }
    let names: Vec<&str> = count
        .iter()
        .filter(|(k, &c)| c >= cfg.min_count || is_dense(k))
        .map(|(k, _)| *k)
        .collect();
    let index: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let dense: Vec<usize> = (0..names.len()).filter(|&i| is_dense(names[i])).collect();
    let n: f64 = rw.iter().sum();
    // Centre and scale of each dense feature (identity without dense features).
    let mut centre = vec![0.0; names.len()];
    let mut scale = vec![1.0; names.len()];
    if !dense.is_empty() && cfg.dense_std > 0 {
        for ((f, _), &r) in rows.iter().zip(rw) {
            for (k, v) in f {
                if is_dense(k) {
                    centre[index[k.as_str()]] += r * v / n;
                }
            }
        }
        let mut var = vec![0.0; names.len()];
        for ((f, _), &r) in rows.iter().zip(rw) {
            let mut raw: BTreeMap<usize, f64> = dense.iter().map(|&j| (j, 0.0)).collect();
            for (k, v) in f {
                if is_dense(k) {
                    raw.insert(index[k.as_str()], *v);
                }
            }
            for (j, v) in raw {
                var[j] += r * (v - centre[j]).powi(2) / n;
            }
        }
        let share = crate::emb::cfg().share;
        let total: f64 = dense.iter().map(|&j| var[j]).sum();
        for &j in &dense {
            scale[j] = match cfg.dense_std {
                1 => (total / share).sqrt(),
                _ => (var[j] * dense.len() as f64 / share).sqrt(),
            }
            .max(1e-12);
        }
    }
    let x: Vec<Vec<(usize, f64)>> = rows
        .iter()
        .map(|(f, _)| {
            let mut r: Vec<(usize, f64)> = Vec::new();
            let mut raw: BTreeMap<usize, f64> = dense.iter().map(|&j| (j, 0.0)).collect();
            for (k, v) in f {
                if let Some(&i) = index.get(k.as_str()) {
                    if is_dense(k) {
                        raw.insert(i, *v);
                    } else {
                        r.push((i, *v));
                    }
                }
            }
            r.extend(
                raw.into_iter()
                    .map(|(j, v)| (j, (v - centre[j]) / scale[j])),
            );
            r
        })
        .collect();
    let y: Vec<f64> = rows.iter().map(|(_, l)| f64::from(u8::from(*l))).collect();
    let cw: Vec<f64> = rows
        .iter()
        .zip(rw)
        .map(|((_, l), &r)| r * if *l { cfg.pos_weight } else { 1.0 })
        .collect();
    let total_w: f64 = cw.iter().sum();
    let d = names.len() + 1; // last slot: bias
                             // The loss's curvature is at most 0.25 * the largest eigenvalue of the weighted second
                             // moment of the rows (bias input 1 included), + l2: found by power iteration from a fixed
                             // start, with a margin; a step of 1 / that is safe.
    let lmax = if dense.is_empty() {
        2.0
    } else {
        let mut v = vec![1.0 / (d as f64).sqrt(); d];
        let mut lam = 1.0;
        for _ in 0..100 {
            let mut u = vec![0.0; d];
            for (row, &ci) in x.iter().zip(&cw) {
                let dot = v[d - 1] + row.iter().map(|&(j, a)| v[j] * a).sum::<f64>();
                let c = ci * dot / total_w;
                for &(j, a) in row {
                    u[j] += c * a;
                }
                u[d - 1] += c;
            }
            lam = u.iter().map(|a| a * a).sum::<f64>().sqrt();
            v = u.iter().map(|a| a / lam).collect();
        }
        lam * 1.05
    };
    // Without dense features: the earlier bound (unit-norm rows: 0.25 * (1 + 1)), so the
    // bag-of-words runs reproduce the earlier experiment exactly.
    let step = if dense.is_empty() {
        1.0 / (0.5 + cfg.l2)
    } else {
        1.0 / (0.25 * lmax + cfg.l2)
    };
    let mut w = vec![0.0; d];
    let mut prev = vec![0.0; d];
    let mut g = vec![0.0; d];
    for it in 0..cfg.iterations {
        let mom = it as f64 / (it as f64 + 3.0);
        let look: Vec<f64> = w
            .iter()
            .zip(&prev)
            .map(|(a, b)| a + mom * (a - b))
            .collect();
        g.iter_mut().for_each(|v| *v = 0.0);
        for ((row, &yi), &ci) in x.iter().zip(&y).zip(&cw) {
            let z = look[d - 1] + row.iter().map(|&(j, v)| look[j] * v).sum::<f64>();
            let r = ci * (sigmoid(z) - yi) / total_w;
            for &(j, v) in row {
                g[j] += r * v;
            }
            g[d - 1] += r;
        }
        for j in 0..d - 1 {
            g[j] += cfg.l2 * look[j];
        }
        prev.clone_from(&w);
        for j in 0..d {
            w[j] = look[j] - step * g[j];
        }
    }
    // Fold the dense centring and scaling into the weights and bias.
    let mut bias = w[d - 1];
    for &j in &dense {
        bias -= w[j] * centre[j] / scale[j];
        w[j] /= scale[j];
    }
    Model {
        bias,
        weights: names
            .iter()
            .enumerate()
            .filter(|(i, _)| w[*i] != 0.0)
            .map(|(i, k)| (k.to_string(), w[i]))
            .collect(),
    }
}
