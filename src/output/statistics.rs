//! `--statistics`: one line per rule that fired, with its count, most frequent first — the
//! shape of `ruff check --statistics`, to see where a script library stands at a glance.
use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{print_errors, RunSummary, Writer, WriterOptions};
use crate::batch::FileReport;
use crate::finding::Severity;

struct Statistics {
    out: Box<dyn Write>,
    rules: BTreeMap<String, (Severity, String)>,
}

pub(super) fn make(out: Box<dyn Write>, _: WriterOptions) -> Box<dyn Writer> {
    Box::new(Statistics {
        out,
        rules: BTreeMap::new(),
    })
}

impl Writer for Statistics {
    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        print_errors(r);
        for t in &r.transcripts {
            for f in &t.checked.findings {
                self.rules
                    .entry(f.rule.id.clone())
                    .or_insert_with(|| (f.severity, f.rule.category.clone()));
            }
        }
        Ok(())
    }

    fn finish(&mut self, s: &RunSummary) -> io::Result<()> {
        let mut rows: Vec<(&String, usize)> = s.by_rule.iter().map(|(k, n)| (k, *n)).collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let count_w = rows.first().map_or(1, |r| r.1.to_string().len());
        let rule_w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        for (rule, n) in rows {
            let (sev, category) = self
                .rules
                .get(rule)
                .map_or(("?", ""), |(s, c)| (s.as_str(), c.as_str()));
            writeln!(
                self.out,
                "{n:>count_w$}  {sev:<7}  {rule:<rule_w$}  {category}"
            )?;
        }
        writeln!(
            self.out,
            "Found {} finding{} in {} file{}.",
            s.findings,
            if s.findings == 1 { "" } else { "s" },
            s.files,
            if s.files == 1 { "" } else { "s" }
        )?;
        self.out.flush()
    }
}
