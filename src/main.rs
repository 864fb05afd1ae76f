//! The `tonecheck` binary: everything lives in the library's `cli` module.
fn main() -> std::process::ExitCode {
    tonecheck::cli::main()
}
