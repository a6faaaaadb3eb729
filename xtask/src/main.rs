//! Project automation for xz-rs.
//!
//! - `cargo xtask build`: the reproducible release build of `xz`; prints its sha256.
//! - `cargo xtask attest [--out FILE] [--sign KEY] [--repo URL] [--allow-dirty]`: builds and
//!   writes an in-toto Statement v1 with a SLSA Provenance v1 predicate (default
//!   `target/x86_64-unknown-linux-gnu/release/xz.intoto.json`), optionally signed with
//!   `ssh-keygen -Y sign`.
//! - `cargo xtask verify [FILE] [--binary PATH] [--signature SIG --allowed-signers FILE]
//!   [--repo PATH] [--keep]`: checks the signature and binary, clones the attested commit
//!   into a new folder, rebuilds offline with a new cargo home and compares. Exit status 0
//!   on a match, 1 naming the first differing section, 2 on other errors.
#![forbid(unsafe_code)]

mod attest;
mod json;
mod repro;
mod util;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  cargo xtask build
  cargo xtask attest [--out FILE] [--sign KEY] [--repo URL] [--allow-dirty]
  cargo xtask verify [FILE] [--binary PATH] [--signature SIG --allowed-signers FILE] [--repo PATH] [--keep]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(2)
        }
    }
}

/// Takes the value of an option.
fn value(it: &mut std::slice::Iter<'_, String>, name: &str) -> Result<String, String> {
    it.next()
        .cloned()
        .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(USAGE.to_string());
    };
    let mut it = rest.iter();
    match cmd.as_str() {
        "build" => {
            if let Some(a) = it.next() {
                return Err(format!("unexpected argument {a}\n{USAGE}"));
            }
            let root = attest::repo_root()?;
            let source = repro::Source::of_checkout(&root, None)?;
            let env = repro::BuildEnv {
                src: root.clone(),
                cargo_home: util::absolute(&util::cargo_home()?)?,
                rustup_home: util::rustup_home()?,
                target_dir: attest::target_dir(&root)?,
                offline: false,
                source_date_epoch: source.commit_time,
            };
            let bin = env.build()?;
            println!("{}  {}", util::sha256_file(&bin)?, bin.display());
            Ok(ExitCode::SUCCESS)
        }
        "attest" => {
            let mut o = attest::AttestOptions::default();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--out" => o.out = Some(PathBuf::from(value(&mut it, a)?)),
                    "--sign" => o.sign_key = Some(PathBuf::from(value(&mut it, a)?)),
                    "--repo" => o.repository = Some(value(&mut it, a)?),
                    "--allow-dirty" => o.allow_dirty = true,
                    _ => return Err(format!("unknown argument {a}\n{USAGE}")),
                }
            }
            attest::run(o)?;
            Ok(ExitCode::SUCCESS)
        }
        "verify" => {
            let mut o = verify::VerifyOptions::default();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--binary" => o.binary = Some(PathBuf::from(value(&mut it, a)?)),
                    "--signature" => o.signature = Some(PathBuf::from(value(&mut it, a)?)),
                    "--allowed-signers" => {
                        o.allowed_signers = Some(PathBuf::from(value(&mut it, a)?))
                    }
                    "--repo" => o.repository = Some(value(&mut it, a)?),
                    "--keep" => o.keep = true,
                    f if !f.starts_with('-') && o.file.is_none() => o.file = Some(PathBuf::from(f)),
                    _ => return Err(format!("unknown argument {a}\n{USAGE}")),
                }
            }
            match verify::run(o)? {
                None => {
                    println!("verify: OK: the attestation matches a fresh offline rebuild");
                    Ok(ExitCode::SUCCESS)
                }
                Some(diff) => {
                    println!("verify: MISMATCH in {diff}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(format!("unknown command {cmd}\n{USAGE}")),
    }
}
