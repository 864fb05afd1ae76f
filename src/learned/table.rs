//! The learned detector's weight table: how `rules/models/turn-models.tsv` (written by
//! `cargo run --release --example turn_model -- export`) becomes the binary table the engine
//! reads in place. build.rs includes this file to write the table of the built-in models at
//! build time, so reading it costs nothing at start-up; `Table::from_tsv` (src/learned/mod.rs)
//! uses it at run time for a table read from a file (the export's own check, tests).
//!
//! Layout, little-endian: `MAGIC`, u32 models, u32 rows, u32 slots (a power of two); per
//! model u32 name length, name, u8 context (1: the customer turn before counts too), f64
//! bias; per slot u64 feature key (0: empty) and u32 row; per row one f32 weight per model;
//! u32 name offsets (rows + 1), then the feature names (for explaining a score).

/// The first bytes of a table.
pub const MAGIC: &[u8; 8] = b"TCTM1\0\0\0";

/// A feature's name hashed as it is written, part by part (FNV-1a, 64 bits), so the engine
/// hashes `c:` + `b:` + word + ` ` + word without building the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub u64);

impl Key {
    pub const START: Key = Key(0xcbf2_9ce4_8422_2325);

    #[inline]
    pub fn feed(mut self, bytes: &[u8]) -> Key {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }

    /// The key as stored: never 0, which marks an empty slot.
    #[inline]
    pub fn get(self) -> u64 {
        self.0.max(1)
    }
}

/// The key of a whole feature name.
pub fn key_of(name: &str) -> u64 {
    Key::START.feed(name.as_bytes()).get()
}

/// One model of a weights file.
struct Parsed {
    name: String,
    context: bool,
    bias: Option<f64>,
    weights: Vec<(String, f64)>,
}

/// Reads a weights file: `model<TAB>NAME<TAB>context<TAB>0|1` starts a model, then
/// `bias<TAB>W` and `FEATURE<TAB>W` lines; `#` lines are comments. Errors name the line.
fn parse(tsv: &str) -> Result<Vec<Parsed>, String> {
    let mut models: Vec<Parsed> = Vec::new();
    for (n, line) in tsv.lines().enumerate() {
        let at = n + 1;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("model\t") {
            let f: Vec<&str> = rest.split('\t').collect();
            let context = match f.as_slice() {
                [_, "context", "0"] => false,
                [_, "context", "1"] => true,
                _ => {
                    return Err(format!(
                        "line {at}: a model line is `model<TAB>NAME<TAB>context<TAB>0|1`"
                    ))
                }
            };
            if models.iter().any(|m| m.name == f[0]) {
                return Err(format!("line {at}: model `{}` twice", f[0]));
            }
            models.push(Parsed {
                name: f[0].to_string(),
                context,
                bias: None,
                weights: Vec::new(),
            });
            continue;
        }
        let Some(m) = models.last_mut() else {
            return Err(format!("line {at}: a weight before any `model` line"));
        };
        let (k, w) = line
            .rsplit_once('\t')
            .ok_or_else(|| format!("line {at}: no tab"))?;
        let w: f64 = w
            .parse()
            .map_err(|e| format!("line {at}: weight `{w}`: {e}"))?;
        if k == "bias" {
            m.bias = Some(w);
        } else {
            m.weights.push((k.to_string(), w));
        }
    }
    for m in &models {
        if m.bias.is_none() {
            return Err(format!("model `{}` has no bias line", m.name));
        }
    }
    Ok(models)
}

/// The binary table of a weights file (see the module comment).
pub fn build(tsv: &str) -> Result<Vec<u8>, String> {
    let models = parse(tsv)?;
    // Rows: every feature name of any model, in name order, with one weight per model.
    let mut rows: std::collections::BTreeMap<&str, Vec<f32>> = std::collections::BTreeMap::new();
    for (mi, m) in models.iter().enumerate() {
        for (k, w) in &m.weights {
            let row = rows
                .entry(k.as_str())
                .or_insert_with(|| vec![0.0; models.len()]);
            if row[mi] != 0.0 {
                return Err(format!("model `{}`: feature `{k}` twice", m.name));
            }
            row[mi] = *w as f32;
        }
    }
    let slots = (rows.len() * 2).next_power_of_two().max(2);
    let mut table = vec![(0u64, 0u32); slots];
    for (r, k) in rows.keys().enumerate() {
        let key = key_of(k);
        let mut s = key as usize & (slots - 1);
        loop {
            if table[s].0 == 0 {
                table[s] = (key, r as u32);
                break;
            }
            if table[s].0 == key {
                return Err(format!(
                    "features `{k}` and `{}` hash alike",
                    rows.keys().nth(table[s].1 as usize).unwrap_or(&"")
                ));
            }
            s = (s + 1) & (slots - 1);
        }
    }
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    for n in [models.len(), rows.len(), slots] {
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    for m in &models {
        out.extend_from_slice(&(m.name.len() as u32).to_le_bytes());
        out.extend_from_slice(m.name.as_bytes());
        out.push(u8::from(m.context));
        out.extend_from_slice(&m.bias.unwrap_or(0.0).to_le_bytes());
    }
    for (k, r) in &table {
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&r.to_le_bytes());
    }
    for ws in rows.values() {
        for w in ws {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }
    let mut at = 0u32;
    for k in rows.keys() {
        out.extend_from_slice(&at.to_le_bytes());
        at += k.len() as u32;
    }
    out.extend_from_slice(&at.to_le_bytes());
    for k in rows.keys() {
        out.extend_from_slice(k.as_bytes());
    }
    Ok(out)
}
