//! The sentiment scorer agrees with the reference VADER (`vaderSentiment` 3.3.2) on real
//! sentences: `tests/fixtures/vader.jsonl` holds texts from the dev half of the real
//! conversations with the reference's compound score, written by `tools/gen-vader-fixture.py`.
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    text: String,
    compound: f64,
}

#[test]
fn compound_scores_equal_the_python_reference() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/vader.jsonl");
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let cases: Vec<Case> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("fixture line is JSON"))
        .collect();
    assert!(cases.len() >= 200, "{} cases", cases.len());
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let got = tonecheck::sentiment::compound(&c.text);
            (got != c.compound).then(|| format!("{got} != {} for {:?}", c.compound, c.text))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}
