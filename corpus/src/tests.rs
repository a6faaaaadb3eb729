//! Unit tests of the generator: every description builds, and the reference decoder (when
//! installed) agrees with every vector's expectation.

use super::*;
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn every_description_builds() {
    let v = try_all().unwrap_or_else(|e| panic!("{e}"));
    assert!(v.len() >= 100, "only {} vectors", v.len());
}

/// The reference `xz` (`$XZ_REFERENCE`, else `xz` on PATH) and its version.
fn reference() -> Option<(String, (u32, u32))> {
    let cand = std::env::var("XZ_REFERENCE").unwrap_or_else(|_| "xz".to_string());
    let out = Command::new(&cand).arg("--version").stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    // "xz (XZ Utils) 5.4.1"
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let ver = text.lines().next()?.rsplit(' ').next()?.to_string();
    let mut it = ver.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
    Some((cand, (it.next()?, it.next()?)))
}

/// What the reference says about a vector: `Ok(output)` or the error message class.
fn reference_verdict(xz: &str, v: &Vector) -> (Result<Vec<u8>, String>, bool) {
    let mut cmd = Command::new(xz);
    cmd.args(["-dc", "-q"]);
    match v.format {
        Format::Xz => cmd.arg("--format=xz"),
        Format::Lzma => cmd.arg("--format=lzma"),
        Format::Lzip => cmd.arg("--format=lzip"),
        Format::Auto => cmd.arg("--format=auto"),
    };
    if let Some(m) = v.memlimit {
        cmd.arg(format!("--memlimit-decompress={m}"));
    }
    if v.single_stream {
        cmd.arg("--single-stream");
    }
    cmd.arg("-v").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn reference");
    let mut stdin = child.stdin.take().expect("stdin");
    let bytes = v.bytes.clone();
    let t = std::thread::spawn(move || {
        let _ = stdin.write_all(&bytes);
    });
    let out = child.wait_with_output().expect("reference output");
    let _ = t.join();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let warned = err.contains("Unsupported type of integrity check");
    match out.status.code() {
        Some(0) => (Ok(out.stdout), warned),
        Some(2) if warned => (Ok(out.stdout), warned),
        _ => (Err(err), warned),
    }
}

fn class_of(msg: &str) -> Option<ErrorClass> {
    [
        ErrorClass::Format,
        ErrorClass::Corrupt,
        ErrorClass::Truncated,
        ErrorClass::Unsupported,
        ErrorClass::MemLimit,
    ]
    .into_iter()
    .find(|c| msg.contains(c.message()))
}

#[test]
fn reference_agrees_with_every_vector() {
    let Some((xz, version)) = reference() else {
        eprintln!("no reference xz ($XZ_REFERENCE or xz on PATH): skipping");
        return;
    };
    let mut failures = Vec::new();
    for v in all() {
        if v.since.is_some_and(|s| s > version) {
            eprintln!("{}: needs XZ Utils {:?}, reference is {version:?}: skipped", v.name, v.since);
            continue;
        }
        let (got, warned) = reference_verdict(&xz, &v);
        let expect = match v.cli_expect {
            Some(c) => Expect::Error(c),
            None => v.expect.clone(),
        };
        let ok = match (&expect, &got) {
            (Expect::Output(o), Ok(out)) => o == out && !warned,
            (Expect::UnsupportedCheck(o), Ok(out)) => o == out && warned,
            (Expect::Error(c), Err(msg)) => class_of(msg) == Some(*c),
            _ => false,
        };
        if !ok {
            let got = match got {
                Ok(o) => format!("ok, {} bytes (warned: {warned})", o.len()),
                Err(e) => format!("error: {}", e.trim()),
            };
            failures.push(format!("{} ({}): expected {:?}, reference says {got}", v.name, v.family, short(&v.expect)));
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

fn short(e: &Expect) -> String {
    match e {
        Expect::Output(o) => format!("ok, {} bytes", o.len()),
        Expect::UnsupportedCheck(o) => format!("unsupported check, {} bytes", o.len()),
        Expect::Error(c) => format!("{c:?}"),
    }
}

#[test]
fn names_are_unique_and_families_known() {
    let v = all();
    let mut names: Vec<_> = v.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), v.len());
    for x in &v {
        assert!(FAMILIES.iter().any(|f| f.0 == x.family));
    }
}

#[test]
fn counts_per_family() {
    let v = all();
    for (fam, _) in FAMILIES {
        let n = v.iter().filter(|x| x.family == *fam).count();
        let swept = v.iter().filter(|x| x.family == *fam && x.name.contains("-cut")).count();
        eprintln!("{fam}: {n} vectors ({swept} from truncation sweeps)");
    }
    eprintln!("total: {}", v.len());
}
