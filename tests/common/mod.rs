//! Helpers shared by the integration tests.
pub mod json;
#[allow(dead_code)] // each test binary uses part of it
pub mod run;
