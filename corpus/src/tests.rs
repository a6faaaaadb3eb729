//! Unit tests of the generator: every description builds, and the reference decoder (when
//! installed) agrees with every vector's expectation.

use super::*;
use crate::reference::{class_in, decode_args, Reference};

#[test]
fn every_description_builds() {
    let v = try_all().unwrap_or_else(|e| panic!("{e}"));
    assert!(v.len() >= 100, "only {} vectors", v.len());
}

/// What the reference says about a vector: `Ok(output)` or the error message, and whether
/// it warned that the check is unsupported.
fn reference_verdict(xz: &Reference, v: &Vector) -> (Result<Vec<u8>, String>, bool) {
    let mut args = vec!["-dc".to_string(), "-q".to_string()];
    args.extend(decode_args(v));
    args.push("-v".to_string());
    let out = xz.run(&args, &v.bytes);
    let warned = out.stderr.contains("Unsupported type of integrity check");
    match out.status {
        0 => (Ok(out.stdout), warned),
        2 if warned => (Ok(out.stdout), warned),
        _ => (Err(out.stderr), warned),
    }
}

#[test]
fn reference_agrees_with_every_vector() {
    let Some(xz) = Reference::find() else { return };
    let version = (xz.version.0, xz.version.1);
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
            (Expect::Error(c), Err(msg)) => class_in(msg) == Some(*c),
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
