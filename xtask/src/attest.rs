//! `cargo xtask attest`: build, then write an in-toto Statement with a SLSA v1 provenance.

use crate::json::{obj, s, Json};
use crate::repro::{self, BuildEnv, Source, BINARY, BUILD_ARGS, RUSTFLAGS_TEMPLATE};
use crate::util::{self, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The build type: this xtask's reproducible release build, version 1.
pub const BUILD_TYPE: &str =
    "https://github.com/xz-rs/xz-rs/tree/main/xtask#reproducible-release-build-v1";
/// The builder identity written in `runDetails`.
pub const BUILDER_ID: &str = "https://github.com/xz-rs/xz-rs/tree/main/xtask";
/// The namespace of `ssh-keygen -Y sign` signatures over attestations.
pub const SIGNATURE_NAMESPACE: &str = "xz-rs-attestation";

/// Options of `attest`.
#[derive(Debug, Default)]
pub struct AttestOptions {
    pub out: Option<PathBuf>,
    pub sign_key: Option<PathBuf>,
    pub repository: Option<String>,
    pub allow_dirty: bool,
}

/// The target directory in effect for the work tree at `root`.
pub fn target_dir(root: &Path) -> Result<PathBuf> {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => util::absolute(Path::new(&d)),
        None => Ok(root.join("target")),
    }
}

/// Where the attestation goes by default.
pub fn default_attestation_path(root: &Path) -> Result<PathBuf> {
    Ok(target_dir(root)?
        .join(repro::TARGET)
        .join("release")
        .join(format!("{BINARY}.intoto.json")))
}

/// The work tree root holding the current directory.
pub fn repo_root() -> Result<PathBuf> {
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    Ok(PathBuf::from(util::git(
        &cwd,
        &["rev-parse", "--show-toplevel"],
    )?))
}

/// The `buildDefinition` of a build of `source` checked out at `src`: everything that
/// determines the binary, and nothing that depends on where or when it was built.
pub fn build_definition(src: &Path, source: &Source, rustup_home: &Path) -> Result<Json> {
    let channel = repro::toolchain_channel(src)?;
    let command: Vec<Json> = std::iter::once("cargo").chain(BUILD_ARGS).map(s).collect();
    let rustflags: Vec<Json> = RUSTFLAGS_TEMPLATE.iter().map(|f| s(*f)).collect();
    Ok(obj([
        ("buildType", s(BUILD_TYPE)),
        (
            "externalParameters",
            obj([
                (
                    "source",
                    obj([
                        ("repository", s(&source.repository)),
                        ("commit", s(&source.commit)),
                        ("tree", s(&source.tree)),
                    ]),
                ),
                ("command", Json::Arr(command)),
                ("toolchain", s(channel)),
                (
                    "artifact",
                    s(format!("target/{}", repro::binary_in_target_dir().display())),
                ),
            ]),
        ),
        (
            "internalParameters",
            obj([
                (
                    "environment",
                    obj([
                        ("CARGO_ENCODED_RUSTFLAGS", Json::Arr(rustflags)),
                        ("SOURCE_DATE_EPOCH", s(source.commit_time.to_string())),
                        ("CARGO_INCREMENTAL", s("0")),
                        ("RUSTUP_AUTO_INSTALL", s("0")),
                        ("TZ", s("UTC")),
                        ("LC_ALL", s("C")),
                        ("note", s("cargo runs with only these variables plus PATH, HOME, CARGO_HOME, RUSTUP_HOME and CARGO_BUILD_JOBS; ${...} are the build's own directories")),
                    ]),
                ),
                ("host", repro::host_facts(src)?),
            ]),
        ),
        ("resolvedDependencies", Json::Arr(repro::resolved_dependencies(src, source, rustup_home)?)),
    ]))
}

/// The whole statement.
pub fn statement(binary_sha256: &str, build_definition: Json, run_details: Json) -> Json {
    obj([
        ("_type", s("https://in-toto.io/Statement/v1")),
        (
            "subject",
            Json::Arr(vec![obj([
                ("name", s(BINARY)),
                ("digest", obj([("sha256", s(binary_sha256))])),
            ])]),
        ),
        ("predicateType", s("https://slsa.dev/provenance/v1")),
        (
            "predicate",
            obj([
                ("buildDefinition", build_definition),
                ("runDetails", run_details),
            ]),
        ),
    ])
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// Runs `attest`.
pub fn run(opts: AttestOptions) -> Result<()> {
    let root = repo_root()?;
    if repro::is_dirty(&root)? && !opts.allow_dirty {
        return Err("the work tree has uncommitted changes: commit them, or pass --allow-dirty (the attestation then does not describe the commit)".into());
    }
    let source = Source::of_checkout(&root, opts.repository.clone())?;
    let rustup_home = util::rustup_home()?;
    let env = BuildEnv {
        src: root.clone(),
        cargo_home: util::absolute(&util::cargo_home()?)?,
        rustup_home: rustup_home.clone(),
        target_dir: target_dir(&root)?,
        offline: false,
        source_date_epoch: source.commit_time,
    };
    let started = util::now_rfc3339();
    let binary = env.build()?;
    let finished = util::now_rfc3339();
    let digest = util::sha256_file(&binary)?;
    let run_details = obj([
        (
            "builder",
            obj([
                ("id", s(BUILDER_ID)),
                ("version", obj([("xtask", s(env!("CARGO_PKG_VERSION")))])),
            ]),
        ),
        (
            "metadata",
            obj([
                (
                    "invocationId",
                    s(format!("{}:{}:{}", hostname(), std::process::id(), started)),
                ),
                ("startedOn", s(started)),
                ("finishedOn", s(finished)),
            ]),
        ),
    ]);
    let st = statement(
        &digest,
        build_definition(&root, &source, &rustup_home)?,
        run_details,
    );
    let out = match opts.out {
        Some(p) => p,
        None => default_attestation_path(&root)?,
    };
    std::fs::write(&out, st.pretty()).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("built {} sha256 {digest}", binary.display());
    println!("attestation {}", out.display());
    if let Some(key) = opts.sign_key {
        util::output(
            Command::new("ssh-keygen")
                .args(["-Y", "sign", "-n", SIGNATURE_NAMESPACE, "-f"])
                .arg(&key)
                .arg(&out),
        )?;
        println!("signature {}.sig", out.display());
    }
    Ok(())
}
