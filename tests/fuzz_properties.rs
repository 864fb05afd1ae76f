//! The fuzz targets' entry points (`tonecheck::fuzzing`, also run by `fuzz/` under
//! cargo-fuzz) as property tests: random inputs assembled from the fragments that matter to
//! each loader (YAML syntax, anchors and aliases, labels, timestamps, directives, line ends,
//! byte-order marks) plus raw bytes. A panic or a broken invariant fails the test, and
//! proptest shrinks the input to a small reproduction.
use proptest::prelude::*;
use tonecheck::fuzzing;

const TRANSCRIPT: &[&str] = &[
    "Agent: ",
    "Customer: ",
    "spk_0: ",
    "Speaker 1: ",
    "[00:00:05] ",
    "(1:23) ",
    "00:01:02,5 ",
    "---\n",
    "...\n",
    "mode: script\n",
    "mode: chat\n",
    "id: x\n",
    "agent: &a Sam\n",
    "b: *a\n",
    "sorry if you feel that way",
    "I'm sorry, but",
    "thank you for calling",
    "no",
    ". ",
    "; ",
    "? ",
    " ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\u{feff}",
    "\u{1b}[31m",
    "é",
    "—",
    "\u{202e}",
    "#",
    "# tonecheck: ignore",
    "<!-- tonecheck: ignore-next-line non-apology -->",
    ":",
    "[",
    "{",
];

const YAML: &[&str] = &[
    "pack: p\n",
    "rules:\n",
    "  - id: r\n",
    "    severity: error\n",
    "    severity: kudos\n",
    "    message: '{match}'\n",
    "    kind: sequence\n",
    "    kind: required\n",
    "    kind: conditional\n",
    "    kind: metric\n",
    "    metric: agent_talk_share\n",
    "    max: 0.5\n",
    "    match: { phrases: [sorry] }\n",
    "    first: { phrases: [sorry] }\n",
    "    then: { regex: ['\\bbut\\b'] }\n",
    "    expect: { list: l }\n",
    "    unless: { phrases: [kidding] }\n",
    "    where: { first_turns: 2 }\n",
    "    within_turns: 0\n",
    "    examples: { flag: ['Agent: sorry'], pass: ['Agent: hi'] }\n",
    "lists:\n",
    "  l: &l [thanks, cheers]\n",
    "  m: *l\n",
    "scorecard: s\n",
    "pass_mark: 80\n",
    "sections:\n",
    "  - name: S\n",
    "    weight: 1\n",
    "    items:\n",
    "      - name: I\n",
    "        rules: [non-apology]\n",
    "        autofail: true\n",
    "packs: [builtin:respect]\n",
    "roles: { spk_0: agent }\n",
    "fail_on: warning\n",
    "overrides:\n",
    "  - files: '[z'\n",
    "[",
    "]",
    "{",
    "}",
    "&x ",
    "*x",
    "*y",
    "!!str ",
    "? ",
    ": ",
    "- ",
    "'",
    "\"",
    "\t",
    "\n",
];

fn assembled(parts: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(parts), 0..60)
            .prop_map(|v| v.concat().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..400),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn plain_reader_never_panics(data in assembled(TRANSCRIPT)) {
        fuzzing::plain_reader(&data);
    }

    #[test]
    fn pack_loader_never_panics(data in assembled(YAML)) {
        fuzzing::pack_loader(&data);
    }

    #[test]
    fn scorecard_loader_never_panics(data in assembled(YAML)) {
        fuzzing::scorecard_loader(&data);
    }

    #[test]
    fn config_loader_never_panics(data in assembled(YAML)) {
        fuzzing::config_loader(&data);
    }
}
