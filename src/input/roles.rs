//! Resolving speaker labels to roles, per transcript: the user's map (`--agent`/`--customer`,
//! then the config's `roles:`), then what the file itself says (vendor roles such as
//! `ParticipantRole`, the `agent:`/`customer:` names of its metadata), then built-in names,
//! then — for diarised labels like `spk_0` — the speaker who greets for the company.
use std::collections::{HashMap, HashSet};

use crate::transcript::{Role, Transcript};

const AGENT_NAMES: &[&str] = &[
    "agent",
    "rep",
    "csr",
    "representative",
    "advisor",
    "adviser",
    "associate",
    "support",
    "trainee",
    "me",
    "operator",
    "specialist",
    "staff",
];
const CUSTOMER_NAMES: &[&str] = &[
    "customer", "caller", "client", "member", "guest", "user", "cust",
];

/// Phrases only the company's side says when opening a call or chat.
const GREETINGS: &[&str] = &[
    "thank you for calling",
    "thanks for calling",
    "thank you for contacting",
    "thanks for contacting",
    "thank you for reaching out",
    "thanks for reaching out",
    "how can i help",
    "how may i help",
    "how can i assist",
    "how may i assist",
    "what can i do for you",
    "welcome to",
    "you've reached",
    "you have reached",
    "this is customer service",
    "speaking, how",
];

/// Label → role, from the config's `roles:` (labels compared case-insensitively).
#[derive(Debug, Clone, Default)]
pub struct RoleMap {
    map: HashMap<String, Role>,
}

impl RoleMap {
    pub fn insert(&mut self, label: &str, role: Role) {
        self.map.insert(label.trim().to_lowercase(), role);
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Config map, then built-in names (on the label's first word: "Agent Smith", "Customer 2").
    pub fn lookup(&self, label: &str) -> Option<Role> {
        self.user(label).or_else(|| builtin(label))
    }

    /// The user's own mapping of this label, if any.
    pub fn user(&self, label: &str) -> Option<Role> {
        self.map.get(&label.trim().to_lowercase()).copied()
    }
}

/// Built-in role names, on the label's first word ("Agent Smith", "Customer 2").
pub fn builtin(label: &str) -> Option<Role> {
    let lower = label.trim().to_lowercase();
    let first = lower
        .split(|c: char| !c.is_alphabetic())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    if AGENT_NAMES.contains(&first) {
        Some(Role::Agent)
    } else if CUSTOMER_NAMES.contains(&first) {
        Some(Role::Customer)
    } else {
        None
    }
}

/// Sets every turn's role. A role a reader set from the file (anything but `Other`) stands
/// unless the user mapped the label. Labels still unknown after the map, the file and the
/// built-in names are resolved by the greeting heuristic; what remains is `Role::Other`.
pub fn resolve(t: &mut Transcript, map: &RoleMap) {
    let mut from_file: HashMap<&str, Role> = HashMap::new();
    for turn in &t.turns {
        if turn.role != Role::Other {
            from_file.entry(turn.speaker.as_str()).or_insert(turn.role);
        }
    }
    let named = |name: &Option<String>, label: &str| {
        name.as_deref()
            .is_some_and(|n| !n.trim().is_empty() && n.trim().eq_ignore_ascii_case(label.trim()))
    };
    let mut known: HashMap<String, Role> = HashMap::new();
    // In first-seen order, with a set beside it so that many labels stay linear.
    let mut unknown: Vec<String> = Vec::new();
    let mut unknown_set: HashSet<&str> = HashSet::new();
    for turn in &t.turns {
        if known.contains_key(&turn.speaker) || unknown_set.contains(turn.speaker.as_str()) {
            continue;
        }
        let label = turn.speaker.as_str();
        let role = map
            .user(label)
            .or_else(|| from_file.get(label).copied())
            .or_else(|| named(&t.metadata.agent, label).then_some(Role::Agent))
            .or_else(|| named(&t.metadata.customer, label).then_some(Role::Customer))
            .or_else(|| builtin(label));
        match role {
            Some(r) => {
                known.insert(turn.speaker.clone(), r);
            }
            None => {
                unknown_set.insert(&turn.speaker);
                unknown.push(turn.speaker.clone());
            }
        }
    }
    if !unknown.is_empty() {
        let agent_known = known.values().any(|r| *r == Role::Agent);
        let greeter = if agent_known {
            None
        } else {
            t.turns.iter().take(6).find(|turn| {
                unknown_set.contains(turn.speaker.as_str()) && {
                    let lower = turn.text.to_lowercase();
                    GREETINGS.iter().any(|g| lower.contains(g))
                        || (lower.contains("my name is") && lower.contains("help"))
                }
            })
        };
        if let Some(g) = greeter.map(|g| g.speaker.clone()) {
            known.insert(g.clone(), Role::Agent);
            // In a two-party call the other diarised voice is the customer.
            let others: Vec<&String> = unknown.iter().filter(|l| **l != g).collect();
            let customer_known = known.values().any(|r| *r == Role::Customer);
            if others.len() == 1 && !customer_known {
                known.insert(others[0].clone(), Role::Customer);
            }
        } else if unknown.len() == 1 {
            // One voice left in a call whose other side is known: it is the other side.
            let customer_known = known.values().any(|r| *r == Role::Customer);
            if agent_known && !customer_known {
                known.insert(unknown[0].clone(), Role::Customer);
            } else if customer_known && !agent_known {
                known.insert(unknown[0].clone(), Role::Agent);
            }
        }
    }
    for turn in &mut t.turns {
        turn.role = known.get(&turn.speaker).copied().unwrap_or(Role::Other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Turn;

    fn tr(lines: &[(&str, &str)]) -> Transcript {
        let mut t = Transcript::new("t");
        for (i, (s, x)) in lines.iter().enumerate() {
            t.turns.push(Turn::new(*s, Role::Other, *x, i + 1));
        }
        t
    }

    #[test]
    fn builtin_names_and_first_word() {
        let mut t = tr(&[("Agent Smith", "hi"), ("Caller", "hello")]);
        resolve(&mut t, &RoleMap::default());
        assert_eq!(t.turns[0].role, Role::Agent);
        assert_eq!(t.turns[1].role, Role::Customer);
    }

    #[test]
    fn greeter_is_agent_for_diarised_labels() {
        let mut t = tr(&[
            ("spk_1", "hello?"),
            ("spk_0", "Thank you for calling Acme, how can I help?"),
            ("spk_1", "my bill"),
        ]);
        resolve(&mut t, &RoleMap::default());
        assert_eq!(t.turns[1].role, Role::Agent);
        assert_eq!(t.turns[0].role, Role::Customer);
    }

    #[test]
    fn config_map_wins() {
        let mut map = RoleMap::default();
        map.insert("Sarah", Role::Agent);
        let mut t = tr(&[("Sarah", "hi"), ("Bob", "hello")]);
        resolve(&mut t, &map);
        assert_eq!(t.turns[0].role, Role::Agent);
        assert_eq!(t.turns[1].role, Role::Customer);
    }

    #[test]
    fn file_roles_and_metadata_names() {
        let mut t = tr(&[("Sam", "hi"), ("Bob", "hello"), ("X", "?")]);
        t.metadata.agent = Some("sam".into());
        t.turns[2].role = Role::Customer;
        resolve(&mut t, &RoleMap::default());
        assert_eq!(t.turns[0].role, Role::Agent);
        assert_eq!(t.turns[1].role, Role::Other);
        assert_eq!(t.turns[2].role, Role::Customer);
        // The user's map beats the file.
        let mut map = RoleMap::default();
        map.insert("X", Role::Agent);
        map.insert("Sam", Role::Customer);
        resolve(&mut t, &map);
        assert_eq!(t.turns[2].role, Role::Agent);
        assert_eq!(t.turns[0].role, Role::Customer);
    }

    #[test]
    fn the_one_voice_left_takes_the_other_side() {
        let mut map = RoleMap::default();
        map.insert("spk_1", Role::Customer);
        let mut t = tr(&[("spk_0", "hi"), ("spk_1", "hello")]);
        resolve(&mut t, &map);
        assert_eq!(t.turns[0].role, Role::Agent);
    }

    #[test]
    fn unresolvable_stays_other() {
        let mut t = tr(&[("Ann", "hi"), ("Bob", "hello")]);
        resolve(&mut t, &RoleMap::default());
        assert!(t.turns.iter().all(|x| x.role == Role::Other));
    }
}
