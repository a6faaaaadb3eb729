//! A GNU `getopt_long` work-alike: permutation, `--`, `POSIXLY_CORRECT`, short-option
//! clusters, attached or separate arguments, optional arguments (`--lzma2[=OPTS]`),
//! unambiguous long-option prefixes, and glibc's error messages.

use std::ffi::OsString;

/// Whether a long option takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasArg {
    /// Never (`--keep`).
    No,
    /// Always (`--suffix=.SUF` or `--suffix .SUF`).
    Required,
    /// Only attached with `=` (`--lzma2[=OPTS]`).
    Optional,
}

/// One long option.
#[derive(Clone, Copy, Debug)]
pub struct LongOpt {
    /// The name without the leading `--`.
    pub name: &'static str,
    /// Argument kind.
    pub has_arg: HasArg,
    /// The code returned for it.
    pub val: i32,
}

/// What the parser found.
#[derive(Debug, PartialEq, Eq)]
pub enum Item {
    /// An option with its code and argument.
    Opt(i32, Option<String>),
    /// An invalid option; the glibc-style message (without program name) is included.
    /// An empty message means "no message" (an option listed in the short string but
    /// unhandled, like xz's `-r`, is reported by the caller instead).
    Error(String),
}

/// The parser over one argument vector (without argv\[0\]).
pub struct Getopt<'a> {
    args: Vec<OsString>,
    pos: usize,
    /// Position inside a cluster of short options (`-dck`).
    cluster: Option<(Vec<u8>, usize)>,
    short: &'a str,
    long: &'a [LongOpt],
    posixly_correct: bool,
    done: bool,
    operands: Vec<OsString>,
}

impl<'a> Getopt<'a> {
    /// Creates a parser. `short` uses getopt's syntax (`c:` = required argument).
    pub fn new(args: Vec<OsString>, short: &'a str, long: &'a [LongOpt]) -> Self {
        Getopt {
            args,
            pos: 0,
            cluster: None,
            short,
            long,
            posixly_correct: std::env::var_os("POSIXLY_CORRECT").is_some(),
            done: false,
            operands: Vec::new(),
        }
    }

    /// The non-option arguments, in order; call after the iterator returned `None`.
    pub fn into_operands(self) -> Vec<OsString> {
        self.operands
    }

    fn short_spec(&self, c: u8) -> Option<bool> {
        let s = self.short.as_bytes();
        let i = s.iter().position(|&x| x == c && x != b':')?;
        Some(s.get(i + 1) == Some(&b':'))
    }

    fn next_short(&mut self) -> Option<Item> {
        let (bytes, i) = self.cluster.take()?;
        let c = bytes[i];
        let rest_start = i + 1;
        let has_more = rest_start < bytes.len();
        match self.short_spec(c) {
            None => {
                if has_more {
                    self.cluster = Some((bytes, rest_start));
                }
                Some(Item::Error(format!(
                    "invalid option -- '{}'",
                    char::from(c)
                )))
            }
            Some(false) => {
                if has_more {
                    self.cluster = Some((bytes, rest_start));
                }
                Some(Item::Opt(i32::from(c), None))
            }
            Some(true) => {
                if has_more {
                    let arg = String::from_utf8_lossy(&bytes[rest_start..]).into_owned();
                    return Some(Item::Opt(i32::from(c), Some(arg)));
                }
                if self.pos < self.args.len() {
                    let arg = self.args[self.pos].to_string_lossy().into_owned();
                    self.pos += 1;
                    Some(Item::Opt(i32::from(c), Some(arg)))
                } else {
                    Some(Item::Error(format!(
                        "option requires an argument -- '{}'",
                        char::from(c)
                    )))
                }
            }
        }
    }

    fn next_long(&mut self, body: &str) -> Item {
        let (name, value) = match body.find('=') {
            Some(i) => (&body[..i], Some(body[i + 1..].to_string())),
            None => (body, None),
        };
        let exact = self.long.iter().find(|o| o.name == name);
        let found = if let Some(o) = exact {
            *o
        } else {
            let cands: Vec<&LongOpt> = self
                .long
                .iter()
                .filter(|o| o.name.starts_with(name))
                .collect();
            let Some(first) = cands.first() else {
                return Item::Error(format!("unrecognized option '--{body}'"));
            };
            let differing: Vec<&&LongOpt> = cands[1..]
                .iter()
                .filter(|o| o.has_arg != first.has_arg || o.val != first.val)
                .collect();
            if !differing.is_empty() {
                let mut msg = format!("option '--{body}' is ambiguous; possibilities:");
                msg.push_str(&format!(" '--{}'", first.name));
                for o in differing {
                    msg.push_str(&format!(" '--{}'", o.name));
                }
                return Item::Error(msg);
            }
            **first
        };
        match (found.has_arg, value) {
            (HasArg::No, Some(_)) => Item::Error(format!(
                "option '--{}' doesn't allow an argument",
                found.name
            )),
            (HasArg::No, None) => Item::Opt(found.val, None),
            (HasArg::Optional, v) => Item::Opt(found.val, v),
            (HasArg::Required, Some(v)) => Item::Opt(found.val, Some(v)),
            (HasArg::Required, None) => {
                if self.pos < self.args.len() {
                    let arg = self.args[self.pos].to_string_lossy().into_owned();
                    self.pos += 1;
                    Item::Opt(found.val, Some(arg))
                } else {
                    Item::Error(format!("option '--{}' requires an argument", found.name))
                }
            }
        }
    }
}

impl Iterator for Getopt<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if let Some(item) = self.next_short() {
            return Some(item);
        }
        while !self.done && self.pos < self.args.len() {
            let arg = self.args[self.pos].clone();
            self.pos += 1;
            let bytes = arg.as_encoded_bytes();
            if bytes == b"--" {
                self.done = true;
                break;
            }
            if bytes.len() < 2 || bytes[0] != b'-' {
                self.operands.push(arg);
                if self.posixly_correct {
                    self.done = true;
                }
                continue;
            }
            if let Some(body) = bytes.strip_prefix(b"--") {
                let body = String::from_utf8_lossy(body).into_owned();
                return Some(self.next_long(&body));
            }
            self.cluster = Some((bytes.to_vec(), 1));
            return self.next_short();
        }
        // Everything after `--` (or after the first operand with POSIXLY_CORRECT).
        while self.pos < self.args.len() {
            self.operands.push(self.args[self.pos].clone());
            self.pos += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &[LongOpt] = &[
        LongOpt {
            name: "memlimit-compress",
            has_arg: HasArg::Required,
            val: 1,
        },
        LongOpt {
            name: "memlimit",
            has_arg: HasArg::Required,
            val: 2,
        },
        LongOpt {
            name: "memory",
            has_arg: HasArg::Required,
            val: 2,
        },
        LongOpt {
            name: "lzma2",
            has_arg: HasArg::Optional,
            val: 3,
        },
        LongOpt {
            name: "keep",
            has_arg: HasArg::No,
            val: b'k' as i32,
        },
    ];

    fn run(args: &[&str]) -> (Vec<Item>, Vec<OsString>) {
        let mut g = Getopt::new(args.iter().map(OsString::from).collect(), "kS:T:d", LONG);
        g.posixly_correct = false;
        let items: Vec<Item> = g.by_ref().collect();
        (items, g.into_operands())
    }

    #[test]
    fn permutation_and_clusters() {
        let (items, ops) = run(&["a", "-dkT4", "b", "-S", ".x", "--", "-k"]);
        assert_eq!(
            items,
            vec![
                Item::Opt(i32::from(b'd'), None),
                Item::Opt(i32::from(b'k'), None),
                Item::Opt(i32::from(b'T'), Some("4".into())),
                Item::Opt(i32::from(b'S'), Some(".x".into())),
            ]
        );
        assert_eq!(ops, vec![OsString::from("a"), "b".into(), "-k".into()]);
    }

    #[test]
    fn long_prefixes() {
        let (items, _) = run(&[
            "--ke",
            "--memlimit=1",
            "--memo",
            "2",
            "--lzma2",
            "--lzma2=x",
        ]);
        assert_eq!(
            items,
            vec![
                Item::Opt(i32::from(b'k'), None),
                Item::Opt(2, Some("1".into())),
                Item::Opt(2, Some("2".into())),
                Item::Opt(3, None),
                Item::Opt(3, Some("x".into())),
            ]
        );
        let (items, _) = run(&["--mem=1"]);
        assert_eq!(
            items,
            vec![Item::Error(
                "option '--mem=1' is ambiguous; possibilities: '--memlimit-compress' '--memlimit' '--memory'"
                    .into()
            )]
        );
        let (items, _) = run(&["--keep=1", "-x", "--nope"]);
        assert_eq!(
            items[0],
            Item::Error("option '--keep' doesn't allow an argument".into())
        );
        assert_eq!(items[1], Item::Error("invalid option -- 'x'".into()));
        assert_eq!(items[2], Item::Error("unrecognized option '--nope'".into()));
    }
}
