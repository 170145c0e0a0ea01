//! The ABI table (`abi/ds-7.1.abi`) and what is made from it: the Rust
//! table of `ds_sys::abi` (sizes, alignments, offsets and enum values next to
//! what Rust measures), the C probe of the build-time guard, and C headers
//! laid out exactly as the table says (for testing the guard and for the
//! scratch SDK of `ci/link-path.sh`).
//!
//! Shared, by `#[path]`, between `build.rs`, `tests/abi_guard.rs` and
//! `examples/abi_headers.rs`: std only, no unsafe.
//!
//! # Table format
//! ```text
//! header sources/includes/nvdsmeta.h   # items below live in this header
//! struct NvDsBatchMeta 192 8           # C name[:Rust path], size, alignment
//!   base_meta 0                        # C field[:Rust field], offset
//!   dims:inferDims 4                   # a C alias checked through another Rust field
//! enum NVDS_BATCH_META 1               # C enumerator, value
//! ```
//! Any item line may end with `| unconfirmed: <why>`: no DeepStream 7.1
//! source confirms it. `header <glib.h>` names a system header.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One field of a struct row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    pub c: String,
    pub rust: String,
    pub offset: u64,
    pub unconfirmed: Option<String>,
}

/// One struct row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructRow {
    pub c: String,
    pub rust: String,
    pub header: String,
    pub size: u64,
    pub align: u64,
    pub fields: Vec<FieldRow>,
    pub unconfirmed: Option<String>,
}

/// One enumerator row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumRow {
    pub name: String,
    pub header: String,
    pub value: i64,
    pub unconfirmed: Option<String>,
}

/// The whole table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Headers in table order (`sources/includes/x.h` or `<glib.h>`).
    pub headers: Vec<String>,
    pub structs: Vec<StructRow>,
    pub enums: Vec<EnumRow>,
}

fn split_unconfirmed(line: &str) -> (&str, Option<String>) {
    match line.split_once('|') {
        Some((head, tail)) => {
            let why = tail.trim();
            let why = why.strip_prefix("unconfirmed:").unwrap_or(why).trim();
            (head, Some(why.to_string()))
        }
        None => (line, None),
    }
}

fn names(token: &str) -> (String, String) {
    match token.split_once(':') {
        Some((c, r)) => (c.to_string(), r.to_string()),
        None => (token.to_string(), token.to_string()),
    }
}

/// Parses the table; errors name the line.
pub fn parse(text: &str) -> Result<Table, String> {
    let mut t = Table::default();
    let mut header: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let err = |m: &str| format!("abi table line {}: {m}: {raw}", n + 1);
        let no_comment = raw.split(" #").next().unwrap_or("");
        if no_comment.trim().is_empty() || no_comment.trim_start().starts_with('#') {
            continue;
        }
        let (line, unconfirmed) = split_unconfirmed(no_comment);
        let tok: Vec<&str> = line.split_whitespace().collect();
        let num = |s: &str| s.parse::<i64>().map_err(|_| err("not a number"));
        if raw.starts_with([' ', '\t']) {
            let s = t
                .structs
                .last_mut()
                .ok_or_else(|| err("field outside a struct"))?;
            let [name, off] = tok[..] else {
                return Err(err("expected `field offset`"));
            };
            let (c, rust) = names(name);
            s.fields.push(FieldRow {
                c,
                rust,
                offset: num(off)? as u64,
                unconfirmed,
            });
            continue;
        }
        match tok[..] {
            ["header", h] => {
                if !t.headers.iter().any(|x| x == h) {
                    t.headers.push(h.to_string());
                }
                header = Some(h.to_string());
            }
            ["struct", name, size, align] => {
                let (c, rust) = names(name);
                t.structs.push(StructRow {
                    c,
                    rust,
                    header: header.clone().ok_or_else(|| err("no header yet"))?,
                    size: num(size)? as u64,
                    align: num(align)? as u64,
                    fields: Vec::new(),
                    unconfirmed,
                });
            }
            ["enum", name, value] => t.enums.push(EnumRow {
                name: name.to_string(),
                header: header.clone().ok_or_else(|| err("no header yet"))?,
                value: num(value)?,
                unconfirmed,
            }),
            _ => return Err(err("expected header, struct, enum or an indented field")),
        }
    }
    Ok(t)
}

/// A path inside ds-sys for a Rust name (`GList` is GLib's).
fn rust_path(name: &str) -> String {
    if name.contains("::") {
        name.to_string()
    } else {
        format!("crate::{name}")
    }
}

fn opt(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("Some({s:?})"),
        None => "None".into(),
    }
}

/// The Rust source of `ds_sys::abi`'s tables.
pub fn rust_table(t: &Table) -> String {
    let mut o = String::from("// Generated by build.rs from abi/ds-7.1.abi. Do not edit.\n");
    o += "/// Every struct of the table, with what Rust measures.\npub static STRUCTS: &[Struct] = &[\n";
    for s in &t.structs {
        let p = rust_path(&s.rust);
        let _ = writeln!(
            o,
            "    Struct {{ c_name: {:?}, rust_name: {:?}, header: {:?}, size: {}, align: {}, \
             rust_size: ::core::mem::size_of::<{p}>(), rust_align: ::core::mem::align_of::<{p}>(), \
             unconfirmed: {}, fields: &[",
            s.c,
            s.rust,
            s.header,
            s.size,
            s.align,
            opt(&s.unconfirmed)
        );
        for f in &s.fields {
            let _ = writeln!(
                o,
                "        Field {{ c_name: {:?}, rust_name: {:?}, offset: {}, \
                 rust_offset: ::core::mem::offset_of!({p}, {}), unconfirmed: {} }},",
                f.c,
                f.rust,
                f.offset,
                f.rust,
                opt(&f.unconfirmed)
            );
        }
        o += "    ] },\n";
    }
    o += "];\n/// Every enumerator of the table, with ds-sys' value.\npub static ENUMS: &[Enumerator] = &[\n";
    for e in &t.enums {
        let _ = writeln!(
            o,
            "    Enumerator {{ name: {:?}, header: {:?}, value: {}, rust_value: crate::{} as i64, unconfirmed: {} }},",
            e.name,
            e.header,
            e.value,
            e.name,
            opt(&e.unconfirmed)
        );
    }
    o += "];\n";
    o
}

/// One checked fact: a struct's size or alignment, a field's offset or an
/// enumerator's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `Struct`, `Struct.field` or `ENUMERATOR`.
    pub name: String,
    /// `size`, `align`, `offset` or `value`.
    pub what: &'static str,
    /// The C expression.
    pub expr: String,
    /// ds-sys' value (the table's, which the layout test holds Rust to).
    pub expected: i64,
}

/// Every fact of the table, in table order.
pub fn items(t: &Table) -> Vec<Item> {
    let mut v = Vec::new();
    for s in &t.structs {
        v.push(Item {
            name: s.c.clone(),
            what: "size",
            expr: format!("sizeof({})", s.c),
            expected: s.size as i64,
        });
        v.push(Item {
            name: s.c.clone(),
            what: "align",
            expr: format!("_Alignof({})", s.c),
            expected: s.align as i64,
        });
        for f in &s.fields {
            v.push(Item {
                name: format!("{}.{}", s.c, f.c),
                what: "offset",
                expr: format!("offsetof({}, {})", s.c, f.c),
                expected: f.offset as i64,
            });
        }
    }
    for e in &t.enums {
        v.push(Item {
            name: e.name.clone(),
            what: "value",
            expr: format!("(long long)({})", e.name),
            expected: e.value,
        });
    }
    v
}

fn include_line(h: &str) -> String {
    if h.starts_with('<') {
        format!("#include {h}\n")
    } else {
        let base = Path::new(h)
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or(h);
        format!("#include \"{base}\"\n")
    }
}

/// The C probe and the line of each item in it. `dump`: instead of static
/// assertions, emit each value as `const long long ds_abi_<i>` (read back
/// from the assembly, so it works when cross-compiling).
pub fn probe_source(t: &Table, items: &[(usize, &Item)], dump: bool) -> (String, Vec<usize>) {
    let mut o = String::from(
        "/* ds-sys ABI guard, generated from abi/ds-7.1.abi: one fact a line. */\n\
         #include <stddef.h>\n#include <stdbool.h>\n#include <stdint.h>\n",
    );
    for h in &t.headers {
        o += &include_line(h);
    }
    let mut lines = Vec::with_capacity(items.len());
    for (i, it) in items {
        lines.push(o.lines().count() + 1);
        if dump {
            let _ = writeln!(o, "const long long ds_abi_{i} = (long long)({});", it.expr);
        } else {
            let _ = writeln!(
                o,
                "_Static_assert({} == {}LL, \"ds-sys ABI: {} {}\");",
                it.expr, it.expected, it.name, it.what
            );
        }
    }
    (o, lines)
}

/// A compiler to run: program and base arguments (from the `cc` crate in
/// build.rs, `$CC`/`cc` in tests).
#[derive(Debug, Clone)]
pub struct Compiler {
    pub program: PathBuf,
    pub args: Vec<std::ffi::OsString>,
}

/// One fact where the header and ds-sys disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub name: String,
    pub what: &'static str,
    pub ds_sys: i64,
    /// The header's value, or why there is none (`no such field`).
    pub header: Result<i64, String>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.header {
            Ok(v) => write!(
                f,
                "{}: {} is {} in ds-sys, {} in the header",
                self.name, self.what, self.ds_sys, v
            ),
            Err(why) => write!(
                f,
                "{}: {} is {} in ds-sys; the header: {}",
                self.name, self.what, self.ds_sys, why
            ),
        }
    }
}

/// Why the guard failed.
#[derive(Debug)]
pub enum GuardError {
    /// Facts that differ (or are missing from the headers).
    Differences(Vec<Difference>),
    /// The probe could not be compiled for another reason (a header
    /// missing or broken); the compiler's error lines.
    Compile(String),
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GuardError::Differences(d) => {
                for x in d {
                    writeln!(f, "ds-sys ABI guard: {x}")?;
                }
                Ok(())
            }
            GuardError::Compile(e) => write!(
                f,
                "ds-sys ABI guard: the probe does not compile against the headers:\n{e}"
            ),
        }
    }
}

fn run(c: &Compiler, include_dirs: &[PathBuf], src: &Path, extra: &[&str]) -> Result<(), String> {
    let mut cmd = Command::new(&c.program);
    cmd.args(&c.args).arg("-std=gnu11").arg("-w");
    for d in include_dirs {
        cmd.arg("-I").arg(d);
    }
    cmd.args(extra).arg(src);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", c.program.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `(line, message)` of each compiler error located in `file`.
fn errors_in(stderr: &str, file: &str) -> Vec<(usize, String)> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(file)?.strip_prefix(':')?;
            let (line, rest) = rest.split_once(':')?;
            let msg = rest.split_once("error:")?.1.trim();
            Some((line.parse().ok()?, msg.to_string()))
        })
        .collect()
}

/// Values from the assembly of a dump probe: `ds_abi_<i>:` then a
/// `.quad`/`.xword`/`.8byte`/`.dword` line.
fn dumped_values(asm: &str) -> BTreeMap<usize, i64> {
    let mut out = BTreeMap::new();
    let mut current: Option<usize> = None;
    for l in asm.lines() {
        let l = l.trim();
        if let Some(i) = l.strip_prefix("ds_abi_").and_then(|r| r.strip_suffix(':')) {
            current = i.parse().ok();
            continue;
        }
        if let Some(i) = current {
            let mut tok = l.split_whitespace();
            match (tok.next(), tok.next()) {
                (Some(".quad" | ".xword" | ".8byte" | ".dword"), Some(v)) => {
                    if let Ok(v) = v.trim_end_matches(',').parse::<i64>() {
                        out.insert(i, v);
                    }
                    current = None;
                }
                (Some(".zero"), _) => {
                    out.insert(i, 0);
                    current = None;
                }
                _ => {}
            }
        }
    }
    out
}

/// Checks every fact of the table against the headers found in
/// `include_dirs`, compiling in `work_dir`.
pub fn check(
    t: &Table,
    c: &Compiler,
    include_dirs: &[PathBuf],
    work_dir: &Path,
) -> Result<(), GuardError> {
    let all = items(t);
    let indexed: Vec<(usize, &Item)> = all.iter().enumerate().collect();
    let (src, lines) = probe_source(t, &indexed, false);
    let probe = work_dir.join("ds_abi_probe.c");
    std::fs::write(&probe, &src)
        .map_err(|e| GuardError::Compile(format!("{}: {e}", probe.display())))?;
    let stderr = match run(c, include_dirs, &probe, &["-fsyntax-only"]) {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let file = probe.to_string_lossy().into_owned();
    let errors = errors_in(&stderr, &file);
    let line_to_item: BTreeMap<usize, usize> =
        lines.iter().enumerate().map(|(i, l)| (*l, i)).collect();
    // Errors outside the item lines (a missing or broken header) stop here.
    let stray: Vec<&(usize, String)> = errors
        .iter()
        .filter(|(l, _)| !line_to_item.contains_key(l))
        .collect();
    if errors.is_empty() || !stray.is_empty() {
        let text: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("error"))
            .take(20)
            .collect();
        return Err(GuardError::Compile(text.join("\n")));
    }
    let mut missing: BTreeMap<usize, String> = BTreeMap::new();
    let mut differ: Vec<usize> = Vec::new();
    for (l, msg) in &errors {
        let i = line_to_item[l];
        if msg.contains("static assert") {
            differ.push(i);
        } else {
            missing.entry(i).or_insert_with(|| msg.clone());
        }
    }
    // A struct the headers lack: one line for it, none for its alignment
    // and fields (GCC reads `_Alignof(Undeclared)` as an expression).
    let absent: Vec<String> = missing
        .keys()
        .filter(|&&i| all[i].what == "size")
        .map(|&i| all[i].name.clone())
        .collect();
    let of_absent = |i: usize| {
        let n = &all[i].name;
        all[i].what != "size"
            && absent.iter().any(|s| {
                n == s
                    || n.strip_prefix(s.as_str())
                        .is_some_and(|r| r.starts_with('.'))
            })
    };
    missing.retain(|&i, _| !of_absent(i));
    // A fact that does not compile (no such field) is missing, whatever
    // else the compiler said about its line.
    differ.retain(|&i| !missing.contains_key(&i) && !of_absent(i));
    differ.sort_unstable();
    differ.dedup();
    // Read the header's values of the differing facts back from assembly.
    let values = if differ.is_empty() {
        BTreeMap::new()
    } else {
        let pick: Vec<(usize, &Item)> = differ.iter().map(|&i| (i, &all[i])).collect();
        let (dsrc, _) = probe_source(t, &pick, true);
        let dprobe = work_dir.join("ds_abi_dump.c");
        let asm = work_dir.join("ds_abi_dump.s");
        std::fs::write(&dprobe, dsrc).map_err(|e| GuardError::Compile(e.to_string()))?;
        let asm_arg = asm.to_string_lossy().into_owned();
        match run(c, include_dirs, &dprobe, &["-S", "-O0", "-o", &asm_arg]) {
            Ok(()) => dumped_values(&std::fs::read_to_string(&asm).unwrap_or_default()),
            // The differences are known; only the header's values are not.
            Err(_) => BTreeMap::new(),
        }
    };
    let mut diffs: Vec<(usize, Difference)> = differ
        .iter()
        .map(|&i| {
            let it = &all[i];
            let header = values
                .get(&i)
                .copied()
                .ok_or_else(|| "value not readable from the probe".to_string());
            (
                i,
                Difference {
                    name: it.name.clone(),
                    what: it.what,
                    ds_sys: it.expected,
                    header,
                },
            )
        })
        .collect();
    for (i, msg) in missing {
        let it = &all[i];
        diffs.push((
            i,
            Difference {
                name: it.name.clone(),
                what: it.what,
                ds_sys: it.expected,
                header: Err(msg),
            },
        ));
    }
    diffs.sort_by_key(|(i, _)| *i);
    Err(GuardError::Differences(
        diffs.into_iter().map(|(_, d)| d).collect(),
    ))
}

/// C headers laid out exactly as the table says, as `(relative path,
/// text)`: each struct is a typedef of char arrays (fields sharing an offset
/// become a union) aligned to the table's alignment; enumerators are an
/// anonymous enum. System headers (`<...>`) are not generated.
pub fn headers_from_table(t: &Table) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for h in t.headers.iter().filter(|h| !h.starts_with('<')) {
        let guard: String = h
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        let mut o = format!(
            "/* Generated by ds-sys from abi/ds-7.1.abi: the table's layout, not NVIDIA's header. */\n\
             #ifndef DS_TABLE_{guard}\n#define DS_TABLE_{guard}\n"
        );
        for s in t.structs.iter().filter(|s| &s.header == h) {
            let mut offsets: Vec<u64> = s.fields.iter().map(|f| f.offset).collect();
            offsets.sort_unstable();
            offsets.dedup();
            let _ = writeln!(o, "typedef struct __attribute__((aligned({}))) {{", s.align);
            let mut pad = 0;
            let mut cursor = 0;
            for (k, off) in offsets.iter().enumerate() {
                let end = offsets.get(k + 1).copied().unwrap_or(s.size);
                if *off > cursor {
                    let _ = writeln!(o, "  char _pad{pad}[{}];", off - cursor);
                    pad += 1;
                }
                let at: Vec<&FieldRow> = s.fields.iter().filter(|f| f.offset == *off).collect();
                let len = (end - off).max(1);
                if at.len() == 1 {
                    let _ = writeln!(o, "  char {}[{len}];", at[0].c);
                } else {
                    let _ = write!(o, "  union {{");
                    for f in at {
                        let _ = write!(o, " char {}[{len}];", f.c);
                    }
                    let _ = writeln!(o, " }};");
                }
                cursor = end;
            }
            if offsets.is_empty() {
                let _ = writeln!(o, "  char _pad[{}];", s.size);
            }
            let _ = writeln!(o, "}} {};", s.c);
        }
        let enums: Vec<&EnumRow> = t.enums.iter().filter(|e| &e.header == h).collect();
        if !enums.is_empty() {
            o += "enum {\n";
            for e in enums {
                let _ = writeln!(o, "  {} = {},", e.name, e.value);
            }
            o += "};\n";
        }
        o += "#endif\n";
        out.push((h.clone(), o));
    }
    out
}

/// The include directories of a DeepStream install for the table's
/// headers (`$DEEPSTREAM_DIR/sources/includes`, ...).
pub fn include_dirs(t: &Table, ds_dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = Vec::new();
    for h in t.headers.iter().filter(|h| !h.starts_with('<')) {
        let dir = ds_dir
            .join(h)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| ds_dir.to_path_buf());
        if !v.contains(&dir) {
            v.push(dir);
        }
    }
    v
}
