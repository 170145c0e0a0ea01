//! Forwards ds-sys' backend (`DEP_NVDS_META_BACKEND`, from its `links = "nvds_meta"`
//! metadata) as `cfg(ds_backend = ...)`, so the library is empty on the nvidia
//! backend (there the symbols come from NVIDIA, and ds-sys has no `open` module).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(ds_backend, values(\"open\", \"nvidia\"))");
    let backend = std::env::var("DEP_NVDS_META_BACKEND").unwrap_or_else(|_| "open".into());
    println!("cargo::rustc-cfg=ds_backend=\"{backend}\"");
}
