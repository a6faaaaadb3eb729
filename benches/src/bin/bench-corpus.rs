//! Builds the standard benchmark corpus (if needed) and prints one path per line.
//!
//! `bench-corpus` lists the files; `bench-corpus NAME...` lists only those.
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let files = match xz_benches::standard_corpus() {
        Ok(files) => files,
        Err(e) => {
            eprintln!(
                "bench-corpus: cannot build the corpus in {}: {e}",
                xz_benches::corpus_dir().display()
            );
            return ExitCode::FAILURE;
        }
    };
    for name in &wanted {
        if !files.iter().any(|f| f.name == name) {
            eprintln!("bench-corpus: no corpus file named {name:?}");
            return ExitCode::FAILURE;
        }
    }
    for f in files
        .iter()
        .filter(|f| wanted.is_empty() || wanted.iter().any(|w| w == f.name))
    {
        println!("{}", f.path.display());
    }
    ExitCode::SUCCESS
}
