//! The `tonecheck` binary: everything lives in the library's `cli` module.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tonecheck::cli::main()
}
