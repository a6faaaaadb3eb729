//! Our `xz` command on every corpus vector: `xz -dc` must give the vector's output with exit
//! status 0 (2 with the unsupported-check warning), or exit status 1 with the message of the
//! expected error class, as XZ Utils does (the corpus' own tests check the reference against
//! the same expectations).
//!
//! The binary is `$XZ_RS_BIN`, else `xz` beside this test's target directory (built by
//! `cargo test --workspace`); without it the test prints that it skips.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use xz_corpus::reference::{decode_args, run};
use xz_corpus::{ErrorClass, Expect};

fn our_xz() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("XZ_RS_BIN") {
        return Some(PathBuf::from(p));
    }
    // target/<profile>/deps/cli_vectors-<hash> -> target/<profile>/xz
    let exe = std::env::current_exe().ok()?;
    let candidate = exe.parent()?.parent()?.join("xz");
    candidate.is_file().then_some(candidate)
}

#[test]
fn our_xz_command_answers_every_vector() {
    let Some(xz) = our_xz() else {
        eprintln!("our xz binary is not built (set XZ_RS_BIN or run cargo test --workspace): skipping");
        return;
    };
    let mut failures = Vec::new();
    let vectors = xz_corpus::all();
    for v in &vectors {
        let mut args = vec!["-dc".to_string()];
        args.extend(decode_args(v));
        let out = run(&xz, &args, &v.bytes);
        let (status, stderr) = (out.status, &out.stderr);
        let expect = match v.cli_expect {
            Some(c) => Expect::Error(c),
            None => v.expect.clone(),
        };
        let ok = match &expect {
            Expect::Output(o) => status == 0 && out.stdout == *o,
            Expect::UnsupportedCheck(o) => {
                (status == 2 && out.stdout == *o && stderr.contains("Unsupported type of integrity check"))
                    || (status == 1 && stderr.contains(ErrorClass::Unsupported.message()))
            }
            Expect::Error(c) => status == 1 && stderr.contains(c.message()),
        };
        if !ok {
            failures.push(format!(
                "{}: expected {:?}, got exit {status}, {} bytes, stderr {:?}",
                v.name,
                match &expect {
                    Expect::Output(o) => format!("ok, {} bytes", o.len()),
                    Expect::UnsupportedCheck(o) => format!("warning, {} bytes", o.len()),
                    Expect::Error(c) => c.message().to_string(),
                },
                out.stdout.len(),
                stderr.trim()
            ));
        }
    }
    eprintln!("{} vectors through {}", vectors.len(), xz.display());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
