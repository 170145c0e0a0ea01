//! Links the cdylib so that it exports the parser functions alone (see
//! `main`), and extracts the parser guide's example from docs/custom-parsers.md ("Custom output
//! parsers", its ```rust block) into `$OUT_DIR/readme_parser_guide.md`, which
//! the crate compiles as a doctest (`ReadmeParserGuide`), so the guide's
//! example cannot rot.
use std::path::Path;

const SECTION: &str = "## Custom output parsers";

fn main() {
    // The library links ds-core and so ds-sys, whose open backend defines
    // NVIDIA's nvds_* / NvBufSurface* / gst_buffer_*_nvds_* functions, and
    // rustc exports every #[no_mangle] function of a cdylib's dependencies.
    // In a process with NVIDIA's libnvds_meta (nvinfer on a Jetson) those
    // exports could interpose on NVIDIA's. Symbols from the dependencies'
    // archives (rlibs, the C++ bridge) stay inside the library; the
    // NvDsInferParse* functions this crate defines are exported (test:
    // tests/load.rs).
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--exclude-libs,ALL");
    }
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/custom-parsers.md");
    println!("cargo:rerun-if-changed={}", readme.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(&readme).unwrap_or_default();
    let code = guide(&text);
    let doc = match code {
        Some(code) => format!("```\n{code}```\n"),
        // Only the doctest fails: the library itself does not need the guide.
        None => format!(
            "```\ncompile_error!(\"docs/custom-parsers.md: no ```rust block in the section '{SECTION}'\");\n```\n"
        ),
    };
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("readme_parser_guide.md");
    std::fs::write(out, doc).unwrap();
}

/// The first ```rust block of the section, up to the next `## ` heading.
fn guide(readme: &str) -> Option<String> {
    let mut lines = readme
        .lines()
        .skip_while(|l| l.trim_end() != SECTION)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .skip_while(|l| l.trim_end() != "```rust")
        .skip(1);
    let mut code = String::new();
    for l in lines.by_ref() {
        if l.trim_end() == "```" {
            return Some(code);
        }
        code.push_str(l);
        code.push('\n');
    }
    None
}
