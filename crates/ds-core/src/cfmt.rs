//! Numbers written as C and C++ write them, for output lines that must
//! read exactly like DeepStream's: the latency lines of
//! `nvds_measure_buffer_latency` and the JSON values of nvmsgconv, both
//! written through a default C++ `ostream` (`%g`).

/// `v` as a default C++ `ostream` writes a double: `%g`, 6 significant
/// digits, no trailing zeros, exponent form below 1e-4 and from 1e6 on.
///
/// ```
/// use ds_core::cfmt::fmt_g;
/// assert_eq!(fmt_g(957.5), "957.5");
/// assert_eq!(fmt_g(1834.0), "1834");
/// assert_eq!(fmt_g(123.456789), "123.457");
/// assert_eq!(fmt_g(1684240027012.42), "1.68424e+12");
/// assert_eq!(fmt_g(0.00001), "1e-05");
/// ```
pub fn fmt_g(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "nan".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{v:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_zeros(mantissa), exp.abs())
    } else {
        let decimals = (5 - exp).max(0) as usize;
        strip_zeros(&format!("{v:.decimals$}")).to_string()
    }
}

/// `1.50000` -> `1.5`, `2.000` -> `2`; integers unchanged.
fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}
