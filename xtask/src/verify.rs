//! `cargo xtask verify`: check an attestation's signature, the binary it names, and that a
//! fresh clone of its commit, built offline in another folder with another cargo home,
//! gives the same definition and the same binary.

use crate::attest::{self, SIGNATURE_NAMESPACE};
use crate::json::Json;
use crate::repro::{self, BuildEnv, Source};
use crate::util::{self, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Options of `verify`.
#[derive(Debug, Default)]
pub struct VerifyOptions {
    pub file: Option<PathBuf>,
    pub binary: Option<PathBuf>,
    pub signature: Option<PathBuf>,
    pub allowed_signers: Option<PathBuf>,
    pub repository: Option<String>,
    pub keep: bool,
}

/// The outcome: `Ok(None)` for a match, `Ok(Some(section))` for the first difference.
pub type Outcome = Result<Option<String>>;

/// The first path at which two JSON values differ, if any.
pub fn first_diff(a: &Json, b: &Json, path: &str) -> Option<String> {
    match (a, b) {
        (Json::Obj(ma), Json::Obj(mb)) => {
            for (k, va) in ma {
                let p = format!("{path}.{k}");
                match b.get(k) {
                    None => return Some(format!("{p} (missing in the rebuild)")),
                    Some(vb) => {
                        if let Some(d) = first_diff(va, vb, &p) {
                            return Some(d);
                        }
                    }
                }
            }
            mb.iter()
                .find(|(k, _)| a.get(k).is_none())
                .map(|(k, _)| format!("{path}.{k} (missing in the attestation)"))
        }
        (Json::Arr(xa), Json::Arr(xb)) => {
            for (i, (va, vb)) in xa.iter().zip(xb).enumerate() {
                if let Some(d) = first_diff(va, vb, &format!("{path}[{i}]")) {
                    return Some(d);
                }
            }
            (xa.len() != xb.len()).then(|| format!("{path} (length {} vs {})", xa.len(), xb.len()))
        }
        _ => (a != b).then(|| path.to_string()),
    }
}

/// Compares the attested build definition with the one computed for the rebuild, section
/// by section in a fixed order; returns the first differing section with the exact path.
pub fn compare_definitions(attested: &Json, rebuilt: &Json) -> Option<String> {
    for section in [
        "buildType",
        "externalParameters",
        "internalParameters",
        "resolvedDependencies",
    ] {
        let a = attested.get(section).unwrap_or(&Json::Null);
        let b = rebuilt.get(section).unwrap_or(&Json::Null);
        if let Some(d) = first_diff(a, b, &format!("predicate.buildDefinition.{section}")) {
            return Some(format!("{section}: {d}"));
        }
    }
    None
}

/// The subject's sha256 from a statement, after checking its type.
pub fn subject_sha256(st: &Json) -> Result<String> {
    if st.get("_type").and_then(Json::as_str) != Some("https://in-toto.io/Statement/v1")
        || st.get("predicateType").and_then(Json::as_str) != Some("https://slsa.dev/provenance/v1")
    {
        return Err("not an in-toto v1 statement with a SLSA v1 provenance".into());
    }
    match st.get("subject") {
        Some(Json::Arr(subjects)) if subjects.len() == 1 => subjects[0]
            .path(&["digest", "sha256"])
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| "the subject has no sha256".to_string()),
        _ => Err("the statement must name exactly one subject".into()),
    }
}

/// Checks an ssh signature over `file`; `Ok(false)` if it does not verify.
fn check_signature(file: &Path, sig: &Path, allowed: &Path) -> Result<bool> {
    let principals = Command::new("ssh-keygen")
        .args(["-Y", "find-principals", "-s"])
        .arg(sig)
        .arg("-f")
        .arg(allowed)
        .output()
        .map_err(|e| format!("cannot run ssh-keygen: {e}"))?;
    if !principals.status.success() {
        return Ok(false);
    }
    let text = String::from_utf8_lossy(&principals.stdout).to_string();
    let Some(principal) = text.lines().next().map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(false);
    };
    let input = fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let status = Command::new("ssh-keygen")
        .args([
            "-Y",
            "verify",
            "-n",
            SIGNATURE_NAMESPACE,
            "-I",
            principal,
            "-f",
        ])
        .arg(allowed)
        .arg("-s")
        .arg(sig)
        .stdin(input)
        .status()
        .map_err(|e| format!("cannot run ssh-keygen: {e}"))?;
    Ok(status.success())
}

/// A cargo home for an offline build: the registry index and the `.crate` files that
/// Cargo.lock names, copied from `seed`.
fn seed_cargo_home(seed: &Path, home: &Path, lock: &[repro::LockedCrate]) -> Result<()> {
    let index = seed.join("registry/index");
    if !index.is_dir() {
        return Err(format!(
            "no registry index in {} to build offline from",
            seed.display()
        ));
    }
    util::copy_tree(&index, &home.join("registry/index"))?;
    let cache = seed.join("registry/cache");
    let registries = fs::read_dir(&cache).map_err(|e| format!("{}: {e}", cache.display()))?;
    let mut missing: Vec<String> = lock
        .iter()
        .filter(|c| c.checksum.is_some())
        .map(|c| format!("{}-{}.crate", c.name, c.version))
        .collect();
    for reg in registries.flatten() {
        let dst = home.join("registry/cache").join(reg.file_name());
        fs::create_dir_all(&dst).map_err(|e| e.to_string())?;
        missing.retain(|name| {
            let src = reg.path().join(name);
            !(src.is_file() && fs::copy(&src, dst.join(name)).is_ok())
        });
    }
    if !missing.is_empty() {
        // Crates for other platforms are never downloaded; cargo fails offline if it
        // needs one of them.
        eprintln!(
            "verify: {} crates of Cargo.lock are not in {} (other platforms or unused; the \
             offline build fails if it needs one), e.g. {}",
            missing.len(),
            cache.display(),
            missing
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// Runs `verify`.
pub fn run(opts: VerifyOptions) -> Outcome {
    let file = match opts.file {
        Some(f) => f,
        None => attest::default_attestation_path(&attest::repo_root()?)?,
    };
    let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;

    // 1. The signature, when one is given.
    match (&opts.signature, &opts.allowed_signers) {
        (Some(sig), Some(allowed)) => {
            if !check_signature(&file, sig, allowed)? {
                return Ok(Some(
                    "signature: does not verify against the allowed signers".into(),
                ));
            }
            eprintln!("verify: signature ok");
        }
        (None, None) => {}
        _ => return Err("--signature and --allowed-signers go together".into()),
    }

    let st = match Json::parse(&text) {
        Ok(st) => st,
        Err(e) => return Ok(Some(format!("statement: {e}"))),
    };
    let subject = match subject_sha256(&st) {
        Ok(s) => s,
        Err(e) => return Ok(Some(format!("statement: {e}"))),
    };
    let attested = st
        .path(&["predicate", "buildDefinition"])
        .cloned()
        .unwrap_or(Json::Null);

    // 2. The binary at hand, when one is given.
    if let Some(bin) = &opts.binary {
        let got = util::sha256_file(bin)?;
        if got != subject {
            return Ok(Some(format!(
                "subject: {} has sha256 {got}, the attestation says {subject}",
                bin.display()
            )));
        }
        eprintln!("verify: {} matches the subject", bin.display());
    }

    // 3. A fresh clone of the attested commit.
    let param = |k: &str| {
        attested
            .path(&["externalParameters", "source", k])
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("the attestation has no externalParameters.source.{k}"))
    };
    let repository = param("repository")?;
    let commit = param("commit")?;
    let clone_from = opts
        .repository
        .clone()
        .unwrap_or_else(|| repository.clone());
    let tmp = util::temp_dir("xz-rs-verify")?;
    let result = rebuild(&tmp, &clone_from, &repository, &commit, &attested, &subject);
    if opts.keep {
        eprintln!("verify: kept {}", tmp.display());
    } else {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

fn rebuild(
    tmp: &Path,
    clone_from: &str,
    repository: &str,
    commit: &str,
    attested: &Json,
    subject: &str,
) -> Outcome {
    let src = tmp.join("src");
    let cloned = Command::new("git")
        .args([
            "clone",
            "--quiet",
            "--no-hardlinks",
            "--no-checkout",
            clone_from,
        ])
        .arg(&src)
        .env("GIT_TERMINAL_PROMPT", "0")
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !cloned.success() {
        return Err(format!("git clone {clone_from} failed"));
    }
    if util::git(&src, &["checkout", "--quiet", "--detach", commit]).is_err() {
        return Ok(Some(format!(
            "externalParameters: commit {commit} is not in {clone_from}"
        )));
    }
    let mut source = Source::of_checkout(&src, Some(repository.to_string()))?;
    source.repository = repository.to_string();
    let rustup_home = util::rustup_home()?;
    let rebuilt = attest::build_definition(&src, &source, &rustup_home)?;
    if let Some(d) = compare_definitions(attested, &rebuilt) {
        return Ok(Some(d));
    }
    eprintln!("verify: build definition matches (source, toolchain, dependencies, environment)");

    let home = tmp.join("cargo-home");
    let lock = fs::read_to_string(src.join("Cargo.lock")).map_err(|e| e.to_string())?;
    seed_cargo_home(
        &util::absolute(&util::cargo_home()?)?,
        &home,
        &repro::parse_lock(&lock),
    )?;
    let env = BuildEnv {
        src: src.clone(),
        cargo_home: home,
        rustup_home,
        target_dir: src.join("target"),
        offline: true,
        source_date_epoch: source.commit_time,
    };
    let bin = env.build()?;
    let got = util::sha256_file(&bin)?;
    if got != subject {
        return Ok(Some(format!(
            "subject: the rebuild has sha256 {got}, the attestation says {subject}"
        )));
    }
    println!(
        "verify: rebuilt {} in {} with sha256 {got}",
        repro::BINARY,
        src.display()
    );
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{obj, s};

    fn definition() -> Json {
        obj([
            ("buildType", s("t")),
            (
                "externalParameters",
                obj([("source", obj([("commit", s("abc"))]))]),
            ),
            ("internalParameters", obj([])),
            (
                "resolvedDependencies",
                Json::Arr(vec![obj([
                    ("name", s("crate:sha2")),
                    ("digest", obj([("sha256", s("11"))])),
                ])]),
            ),
        ])
    }

    #[test]
    fn identical_definitions_match() {
        assert_eq!(compare_definitions(&definition(), &definition()), None);
    }

    #[test]
    fn tampered_dependency_is_reported() {
        let text = definition().pretty().replace("\"11\"", "\"12\"");
        let tampered = Json::parse(&text).unwrap();
        let d = compare_definitions(&tampered, &definition()).unwrap();
        assert!(d.starts_with("resolvedDependencies:"), "{d}");
        assert!(d.contains("[0].digest.sha256"), "{d}");
    }

    #[test]
    fn tampered_commit_is_reported_first() {
        let text = definition()
            .pretty()
            .replace("abc", "abd")
            .replace("\"11\"", "\"12\"");
        let d = compare_definitions(&Json::parse(&text).unwrap(), &definition()).unwrap();
        assert!(d.starts_with("externalParameters:"), "{d}");
    }

    /// Signs a file with a throw-away key and checks that the signature verifies, and no
    /// longer does once the file changes. Skipped without ssh-keygen.
    #[test]
    fn ssh_signature_detects_tampering() {
        if Command::new("ssh-keygen").arg("-?").output().is_err() {
            eprintln!("skipping: ssh-keygen not found");
            return;
        }
        let dir = util::temp_dir("xtask-sig-test").unwrap();
        let key = dir.join("key");
        let ok = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
            .arg(&key)
            .status()
            .unwrap();
        assert!(ok.success());
        let public = fs::read_to_string(dir.join("key.pub")).unwrap();
        let mut fields = public.split_whitespace();
        let allowed = dir.join("allowed");
        let line = format!(
            "tester {} {}\n",
            fields.next().unwrap(),
            fields.next().unwrap()
        );
        fs::write(&allowed, line).unwrap();
        let file = dir.join("a.json");
        fs::write(&file, "{}\n").unwrap();
        let signed = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", SIGNATURE_NAMESPACE, "-f"])
            .arg(&key)
            .arg(&file)
            .output()
            .unwrap();
        assert!(signed.status.success());
        let sig = dir.join("a.json.sig");
        assert!(check_signature(&file, &sig, &allowed).unwrap());
        fs::write(&file, "{ }\n").unwrap();
        assert!(!check_signature(&file, &sig, &allowed).unwrap());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn subject_checks() {
        let st = crate::attest::statement("ff", definition(), obj([]));
        assert_eq!(subject_sha256(&st).unwrap(), "ff");
        let mut text = st.pretty();
        text = text.replace(
            "https://slsa.dev/provenance/v1",
            "https://slsa.dev/provenance/v0.2",
        );
        assert!(subject_sha256(&Json::parse(&text).unwrap()).is_err());
    }
}
