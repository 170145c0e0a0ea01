//! Golden stdout: the sequence of lines a Python sample prints for a run,
//! written down as a small text file, and a matcher that holds an app's
//! stdout to it line by line.
//!
//! A golden file has one pattern per line:
//!
//! * a literal line, matched exactly (trailing spaces included: the samples
//!   print `"Creating Pipeline \n "`, which is the line `Creating Pipeline `
//!   and then the line ` `);
//! * placeholders inside a line: `{int}` (an integer, optionally signed),
//!   `{float}` (a decimal number), `{any}` (any text, possibly empty);
//! * `[N] pattern`: exactly N consecutive lines matching `pattern`;
//!   `[*] pattern`: any number of them, `[+] pattern`: at least one,
//!   `[?] pattern`: zero or one;
//! * `a||b`: a line matching `a` or `b` (alternatives, with a repeat
//!   prefix applying to all of them);
//! * `#` at the start of a line: a comment (where a line differs from the
//!   sample, the comment says so);
//! * a blank golden line matches an empty output line.
//!
//! ```
//! let golden = ds_testkit::golden::Golden::parse(
//!     "# the app's banner\nCreating Pipeline \n \n[2] Frame Number={int} Objects={int}\n[*] **PERF: {any}\nEnd-of-stream\n",
//! );
//! let out = "Creating Pipeline \n \nFrame Number=0 Objects=3\nFrame Number=1 Objects=2\nEnd-of-stream\n";
//! golden.check(out).unwrap();
//! let err = golden.check("Creating Pipeline\n").unwrap_err();
//! assert!(err.contains("line 1"), "{err}");
//! ```
use std::collections::HashMap;

/// One piece of a line pattern.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Int,
    Float,
    Any,
}

/// A line pattern: alternatives, each a sequence of pieces.
#[derive(Debug, Clone, PartialEq)]
struct LinePattern {
    source: String,
    alternatives: Vec<Vec<Piece>>,
}

/// How many lines a golden entry matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    golden_line: usize,
    count: Count,
    pattern: LinePattern,
}

/// A parsed golden file.
#[derive(Debug, Clone, PartialEq)]
pub struct Golden {
    entries: Vec<Entry>,
}

fn parse_pieces(s: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        let placeholder = [
            ("{int}", Piece::Int),
            ("{float}", Piece::Float),
            ("{any}", Piece::Any),
        ]
        .into_iter()
        .find(|(tag, _)| rest.starts_with(tag));
        if let Some((tag, piece)) = placeholder {
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(piece);
            rest = &rest[tag.len()..];
        } else {
            let c = rest.chars().next().expect("non-empty");
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

fn int_len(s: &str) -> usize {
    let sign = usize::from(s.starts_with('-') || s.starts_with('+'));
    let digits = s[sign..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        0
    } else {
        sign + digits
    }
}

fn float_lens(s: &str) -> Vec<usize> {
    // Every prefix that is a decimal number: the matcher backtracks over them.
    let i = int_len(s);
    let mut lens = Vec::new();
    if i == 0 {
        return lens;
    }
    lens.push(i);
    if s[i..].starts_with('.') {
        let frac = s[i + 1..].bytes().take_while(u8::is_ascii_digit).count();
        if frac > 0 {
            lens.push(i + 1 + frac);
        }
    }
    lens
}

fn pieces_match(pieces: &[Piece], line: &str) -> bool {
    match pieces.split_first() {
        None => line.is_empty(),
        Some((Piece::Text(t), rest)) => {
            line.starts_with(t.as_str()) && pieces_match(rest, &line[t.len()..])
        }
        Some((Piece::Int, rest)) => {
            let n = int_len(line);
            n > 0 && pieces_match(rest, &line[n..])
        }
        Some((Piece::Float, rest)) => float_lens(line)
            .into_iter()
            .rev()
            .any(|n| pieces_match(rest, &line[n..])),
        Some((Piece::Any, rest)) => (0..=line.len())
            .filter(|&n| line.is_char_boundary(n))
            .any(|n| pieces_match(rest, &line[n..])),
    }
}

impl LinePattern {
    fn parse(s: &str) -> Self {
        LinePattern {
            source: s.to_string(),
            alternatives: s.split("||").map(parse_pieces).collect(),
        }
    }

    fn matches(&self, line: &str) -> bool {
        self.alternatives.iter().any(|a| pieces_match(a, line))
    }
}

impl Golden {
    /// Parses golden text (see the module docs).
    pub fn parse(text: &str) -> Self {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            if raw.starts_with('#') {
                continue;
            }
            let (count, rest) = match raw.split_once("] ") {
                Some((n, rest)) if raw.starts_with('[') => {
                    let count = match &n[1..] {
                        "*" => Count::AtLeast(0),
                        "+" => Count::AtLeast(1),
                        "?" => Count::AtMost(1),
                        k => match k.parse() {
                            Ok(k) => Count::Exactly(k),
                            Err(_) => panic!("golden line {}: bad repeat [{k}]", i + 1),
                        },
                    };
                    (count, rest)
                }
                _ => (Count::Exactly(1), raw),
            };
            entries.push(Entry {
                golden_line: i + 1,
                count,
                pattern: LinePattern::parse(rest),
            });
        }
        Golden { entries }
    }

    /// Reads and parses a golden file; panics naming it when unreadable.
    pub fn load(path: &std::path::Path) -> Self {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Self::parse(&text)
    }

    /// Checks `output` (an app's stdout) against the golden sequence.
    /// `Err` says where they part: the first output line no golden entry
    /// could match, with the entries that were expected there.
    pub fn check(&self, output: &str) -> Result<(), String> {
        let lines: Vec<&str> = output.lines().collect();
        let mut memo = HashMap::new();
        let mut furthest = (0usize, 0usize);
        if self.matches_from(0, 0, &lines, &mut memo, &mut furthest) {
            return Ok(());
        }
        let (line, entry) = furthest;
        let got = lines
            .get(line)
            .map(|l| format!("{l:?}"))
            .unwrap_or_else(|| "the end of the output".to_string());
        let want = self
            .entries
            .get(entry)
            .map(|e| format!("golden line {}: {:?}", e.golden_line, e.pattern.source))
            .unwrap_or_else(|| "the end of the golden file".to_string());
        let context: Vec<String> = lines
            .iter()
            .enumerate()
            .skip(line.saturating_sub(3))
            .take(6)
            .map(|(i, l)| format!("  {:>4}: {l:?}", i + 1))
            .collect();
        Err(format!(
            "stdout line {}: got {got}, expected {want}\n{}",
            line + 1,
            context.join("\n")
        ))
    }

    fn matches_from(
        &self,
        entry: usize,
        line: usize,
        lines: &[&str],
        memo: &mut HashMap<(usize, usize), bool>,
        furthest: &mut (usize, usize),
    ) -> bool {
        if line > furthest.0 || (line == furthest.0 && entry > furthest.1) {
            *furthest = (line, entry);
        }
        if let Some(&r) = memo.get(&(entry, line)) {
            return r;
        }
        let result = match self.entries.get(entry) {
            None => line == lines.len(),
            Some(e) => {
                let (min, max) = match e.count {
                    Count::Exactly(n) => (n, n),
                    Count::AtLeast(n) => (n, usize::MAX),
                    Count::AtMost(n) => (0, n),
                };
                // How many lines from `line` match this entry's pattern.
                let run = lines[line..]
                    .iter()
                    .take(max)
                    .take_while(|l| e.pattern.matches(l))
                    .count();
                if run < min && (line + run, entry) > *furthest {
                    // The first line this entry needed and did not match.
                    *furthest = (line + run, entry);
                }
                (min..=run)
                    .rev()
                    .any(|n| self.matches_from(entry + 1, line + n, lines, memo, furthest))
            }
        };
        memo.insert((entry, line), result);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        let p = LinePattern::parse("Frame Number={int} latency = {float} (ms) {any}");
        assert!(p.matches("Frame Number=12 latency = 3.25 (ms) "));
        assert!(p.matches("Frame Number=-1 latency = 3 (ms) tail"));
        assert!(!p.matches("Frame Number=x latency = 3.25 (ms) "));
        assert!(!p.matches("Frame Number=1 latency = (ms) "));
    }

    #[test]
    fn trailing_spaces_matter() {
        let g = Golden::parse("Creating Pipeline \n \n");
        assert!(g.check("Creating Pipeline \n \n").is_ok());
        assert!(g.check("Creating Pipeline\n\n").is_err());
    }

    #[test]
    fn repeats_and_alternatives() {
        let g = Golden::parse("start\n[3] f={int}||perf {any}\n[*] f={int}\nend\n");
        assert!(g.check("start\nf=1\nperf x\nf=2\nend\n").is_ok());
        assert!(g.check("start\nf=1\nperf x\nf=2\nf=3\nf=4\nend\n").is_ok());
        let err = g.check("start\nf=1\nend\n").unwrap_err();
        assert!(err.contains("stdout line 3"), "{err}");
        let g = Golden::parse("a\n[?] b\nc\n");
        assert!(g.check("a\nc\n").is_ok() && g.check("a\nb\nc\n").is_ok());
        assert!(g.check("a\nb\nb\nc\n").is_err());
    }

    #[test]
    fn reports_the_first_divergence() {
        let g = Golden::parse("# comment\none\ntwo\n[+] n={int}\n");
        let err = g.check("one\ntwo\nn=1\nn=oops\n").unwrap_err();
        assert!(err.starts_with("stdout line 4: got \"n=oops\""), "{err}");
        assert!(err.contains("the end of the golden file"), "{err}");
        let err = g.check("one\n").unwrap_err();
        assert!(err.contains("the end of the output"), "{err}");
        assert!(err.contains("golden line 3"), "{err}");
    }
}
