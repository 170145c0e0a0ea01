//! INT8 calibration: TensorRT's calibration-cache file format, and the statistics that
//! turn a tensor's observed values into its scale.
//!
//! # The cache format
//! A text file: a header line `TRT-<version>-<algorithm>` (for example
//! `TRT-100300-EntropyCalibration2`, TensorRT 10.3 as DeepStream 7.1 ships), then one line per
//! tensor, `<tensor name>: <8 hex digits>`, the digits being the bits of the IEEE-754 float32
//! scale written most significant first (`3c010a14` = 0.00787). The scale maps int8 to real
//! values symmetrically: `real = scale * q`, `q` in -127..=127, so `scale = amax / 127`. Tensor
//! names may themselves contain `:` (`input_1:0: 3c010a14`); the value follows the last `:`.
//!
//! Sources: NVIDIA's public `nvdla/sw` repository, `umd/utils/calibdata/resnet50.txt` (a
//! TensorRT 5.1 cache: `TRT-5101-EntropyCalibration2`, then `data: 3f9839e4`…) and
//! `calib_txt_to_json.py` beside it, which reads each value with `struct.unpack('>f', …)`
//! (big-endian float32) and calls it the scale. TensorRT 10's caches start
//! `TRT-100300-…` (version 10.3.0 as major*10000 + minor*100 + patch).
//!
//! ```
//! use ds_model::calib::CalibrationCache;
//! let text = "TRT-100300-EntropyCalibration2\ninput_1:0: 3c010a14\nconv1: 3d0b7086\n";
//! let cache = CalibrationCache::parse(text).unwrap();
//! assert_eq!(cache.scale("input_1:0"), Some(f32::from_bits(0x3c010a14)));
//! assert_eq!(cache.to_text(), text);
//! ```
use std::fmt;
use std::path::Path;

/// The TensorRT version the calibrator writes in headers (10.3.0, DeepStream 7.1's).
pub const TRT_VERSION: &str = "100300";

/// A calibration algorithm, as the header names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// `EntropyCalibration2`: the threshold that minimises the KL divergence between the
    /// tensor's histogram and its 8-bit quantisation (TensorRT's default for CNNs).
    Entropy2,
    /// `MinMaxCalibration`: the largest absolute value seen.
    MinMax,
}

impl Algorithm {
    /// The header's algorithm name.
    pub fn header_name(self) -> &'static str {
        match self {
            Algorithm::Entropy2 => "EntropyCalibration2",
            Algorithm::MinMax => "MinMaxCalibration",
        }
    }
}

/// Why a cache could not be read; displays as one line.
#[derive(Debug, Clone, PartialEq)]
pub enum CacheError {
    /// The file could not be read.
    Io(String),
    /// The file is empty.
    Empty,
    /// The first line is not `TRT-<version>-<algorithm>`.
    Header(String),
    /// A tensor line is malformed.
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheError::Io(m) => write!(f, "{m}"),
            CacheError::Empty => write!(f, "the calibration cache is empty"),
            CacheError::Header(h) => write!(
                f,
                "line 1 '{h}' is not a TensorRT calibration-cache header \
                 (TRT-<version>-<algorithm>)"
            ),
            CacheError::Line { line, message } => write!(f, "line {line}: {message}"),
        }
    }
}

impl std::error::Error for CacheError {}

/// A calibration cache: header and per-tensor scales, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationCache {
    /// The header line, e.g. `TRT-100300-EntropyCalibration2`.
    pub header: String,
    /// Tensor name and scale (`amax / 127`), in file order.
    pub scales: Vec<(String, f32)>,
}

impl CalibrationCache {
    /// A cache with TensorRT 10.3's header for `algorithm`.
    pub fn new(algorithm: Algorithm, scales: Vec<(String, f32)>) -> CalibrationCache {
        CalibrationCache {
            header: format!("TRT-{TRT_VERSION}-{}", algorithm.header_name()),
            scales,
        }
    }

    /// Parses the text of a cache.
    pub fn parse(text: &str) -> Result<CalibrationCache, CacheError> {
        let mut lines = text.lines().enumerate();
        let header = loop {
            match lines.next() {
                None => return Err(CacheError::Empty),
                Some((_, l)) if l.trim().is_empty() => continue,
                Some((_, l)) => break l.trim().to_string(),
            }
        };
        let parts: Vec<&str> = header.splitn(3, '-').collect();
        if parts.len() != 3
            || parts[0] != "TRT"
            || parts[1].is_empty()
            || !parts[1].bytes().all(|b| b.is_ascii_digit())
            || parts[2].is_empty()
        {
            return Err(CacheError::Header(header));
        }
        let mut scales = Vec::new();
        for (i, line) in lines {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let bad = |message: String| CacheError::Line {
                line: i + 1,
                message,
            };
            let (name, hex) = line
                .rsplit_once(':')
                .ok_or_else(|| bad(format!("'{line}' is not '<tensor>: <hex scale>'")))?;
            let (name, hex) = (name.trim(), hex.trim());
            if name.is_empty() {
                return Err(bad("no tensor name before ':'".into()));
            }
            if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad(format!(
                    "scale of '{name}' is '{hex}', not 8 hex digits (truncated file?)"
                )));
            }
            let bits = u32::from_str_radix(hex, 16).map_err(|e| bad(e.to_string()))?;
            let scale = f32::from_bits(bits);
            if !scale.is_finite() || scale < 0.0 {
                return Err(bad(format!("scale of '{name}' is {scale}")));
            }
            scales.push((name.to_string(), scale));
        }
        Ok(CalibrationCache { header, scales })
    }

    /// Reads and parses a cache file; errors name the file.
    pub fn read(path: &Path) -> Result<CalibrationCache, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read int8-calib-file '{}': {e}", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            format!(
                "int8-calib-file '{}' is not a text file (a TensorRT calibration cache is text)",
                path.display()
            )
        })?;
        CalibrationCache::parse(&text)
            .map_err(|e| format!("int8-calib-file '{}': {e}", path.display()))
    }

    /// The cache text.
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n", self.header);
        for (name, scale) in &self.scales {
            s.push_str(&format!("{name}: {:08x}\n", scale.to_bits()));
        }
        s
    }

    /// Writes the cache text to `path`.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        std::fs::write(path, self.to_text())
            .map_err(|e| format!("cannot write '{}': {e}", path.display()))
    }

    /// The scale of `tensor`.
    pub fn scale(&self, tensor: &str) -> Option<f32> {
        self.scales
            .iter()
            .rev()
            .find(|(n, _)| n == tensor)
            .map(|(_, s)| *s)
    }
}

/// Number of histogram bins of the entropy calibrator (TensorRT uses 2048).
pub const HISTOGRAM_BINS: usize = 2048;
/// Quantised levels on one side of zero.
const LEVELS: usize = 128;

/// Observes one tensor over the calibration frames. Two passes for
/// [`Algorithm::Entropy2`]: [`observe_range`](Self::observe_range) over all frames, then
/// [`observe_histogram`](Self::observe_histogram) over the same frames.
#[derive(Clone, Debug)]
pub struct TensorStats {
    amax: f32,
    histogram: Vec<u64>,
}

impl Default for TensorStats {
    fn default() -> Self {
        TensorStats {
            amax: 0.0,
            histogram: vec![0; HISTOGRAM_BINS],
        }
    }
}

impl TensorStats {
    /// First pass: the largest absolute value.
    pub fn observe_range(&mut self, values: &[f32]) {
        for v in values {
            let a = v.abs();
            if a > self.amax && a.is_finite() {
                self.amax = a;
            }
        }
    }

    /// Second pass: the histogram of absolute values over `[0, amax]`.
    pub fn observe_histogram(&mut self, values: &[f32]) {
        if self.amax <= 0.0 {
            return;
        }
        let k = HISTOGRAM_BINS as f32 / self.amax;
        for v in values {
            let b = ((v.abs() * k) as usize).min(HISTOGRAM_BINS - 1);
            self.histogram[b] += 1;
        }
    }

    /// The `percent` percentile of |x| (second pass needed), the upper edge of its
    /// histogram bin; at most [`amax`](Self::amax).
    pub fn percentile(&self, percent: f64) -> f32 {
        let total: u64 = self.histogram.iter().sum();
        if total == 0 {
            return self.amax;
        }
        let want = total as f64 * percent / 100.0;
        let mut seen = 0u64;
        for (b, &c) in self.histogram.iter().enumerate() {
            seen += c;
            if seen as f64 >= want {
                return ((b + 1) as f32 / HISTOGRAM_BINS as f32 * self.amax).min(self.amax);
            }
        }
        self.amax
    }

    /// The largest absolute value seen.
    pub fn amax(&self) -> f32 {
        self.amax
    }

    /// The scale (`threshold / 127`) by `algorithm`.
    pub fn scale(&self, algorithm: Algorithm) -> f32 {
        let threshold = match algorithm {
            Algorithm::MinMax => self.amax,
            Algorithm::Entropy2 => entropy_threshold(&self.histogram, self.amax),
        };
        // A tensor that is always zero still needs a valid (non-zero) scale.
        (threshold / 127.0).max(f32::MIN_POSITIVE)
    }
}

/// The clipping threshold whose 128-level quantisation of `histogram` (of |x| over
/// `[0, amax]`) has the least KL divergence from the clipped histogram: the method of
/// NVIDIA's "8-bit Inference with TensorRT" (GTC 2017).
pub fn entropy_threshold(histogram: &[u64], amax: f32) -> f32 {
    let n = histogram.len();
    let total: u64 = histogram.iter().sum();
    if total == 0 || n < LEVELS {
        return amax;
    }
    let width = amax / n as f32;
    let mut best = (f64::INFINITY, n);
    let mut p = vec![0f64; n];
    let mut q = vec![0f64; n];
    for i in LEVELS..=n {
        // Reference: the first i bins, the outliers folded into the last one.
        for (dst, src) in p[..i].iter_mut().zip(&histogram[..i]) {
            *dst = *src as f64;
        }
        p[i - 1] += histogram[i..].iter().sum::<u64>() as f64;
        // Candidate: i bins merged into 128 levels, spread back over the non-empty bins.
        for level in 0..LEVELS {
            let start = level * i / LEVELS;
            let end = ((level + 1) * i / LEVELS).max(start + 1);
            let src = &histogram[start..end];
            let sum: f64 = src.iter().map(|&c| c as f64).sum();
            let nonzero = src.iter().filter(|&&c| c > 0).count();
            for (j, &c) in (start..end).zip(src) {
                q[j] = if c > 0 { sum / nonzero as f64 } else { 0.0 };
            }
        }
        let (ps, qs): (f64, f64) = (p[..i].iter().sum(), q[..i].iter().sum());
        if qs <= 0.0 {
            continue;
        }
        let mut kl = 0.0;
        for j in 0..i {
            if p[j] > 0.0 {
                let pj = p[j] / ps;
                // A zero candidate bin against a non-zero reference: a small floor keeps
                // the divergence finite, as TensorRT's description allows.
                let qj = (q[j] / qs).max(1e-12);
                kl += pj * (pj / qj).ln();
            }
        }
        if kl < best.0 {
            best = (kl, i);
        }
    }
    (best.1 as f32 + 0.5).min(n as f32) * width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_names_and_scales() {
        let scales = vec![
            ("input".to_string(), 0.0172_f32),
            ("a/b:0".to_string(), 3.5e-3),
            ("(Unnamed Layer* 0) [Convolution]_output".to_string(), 1.0),
        ];
        let cache = CalibrationCache::new(Algorithm::Entropy2, scales.clone());
        let back = CalibrationCache::parse(&cache.to_text()).unwrap();
        assert_eq!(back.header, "TRT-100300-EntropyCalibration2");
        assert_eq!(back.scales, scales);
    }

    #[test]
    fn reads_nvidia_resnet50_lines() {
        // Lines of nvdla/sw umd/utils/calibdata/resnet50.txt (TensorRT 5.1).
        let text = "TRT-5101-EntropyCalibration2\r\ndata: 3f9839e4\r\n\
                    (Unnamed Layer* 0) [Convolution]_output: 40d0f64f\r\nprob: 3a7366ce\r\n";
        let c = CalibrationCache::parse(text).unwrap();
        assert_eq!(c.scales.len(), 3);
        assert!((c.scale("data").unwrap() - 1.189_267).abs() < 1e-5);
        assert!(
            (c.scale("(Unnamed Layer* 0) [Convolution]_output").unwrap() - 6.530_067).abs() < 1e-5
        );
    }

    #[test]
    fn bad_files_are_one_line_errors() {
        assert_eq!(CalibrationCache::parse("\n\n"), Err(CacheError::Empty));
        let e = CalibrationCache::parse("hello\nx: 3c010a14\n").unwrap_err();
        assert!(e
            .to_string()
            .contains("not a TensorRT calibration-cache header"));
        let e = CalibrationCache::parse("TRT-100300-EntropyCalibration2\nx: 3c01\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: scale of 'x' is '3c01', not 8 hex digits (truncated file?)"
        );
        let e = CalibrationCache::parse("TRT-100300-EntropyCalibration2\nno colon\n").unwrap_err();
        assert!(e.to_string().starts_with("line 2:"));
    }

    #[test]
    fn entropy_clips_a_long_tail_and_minmax_does_not() {
        let mut s = TensorStats::default();
        let mut values: Vec<f32> = (0..10_000).map(|i| (i % 100) as f32 / 100.0).collect();
        values.push(50.0);
        s.observe_range(&values);
        s.observe_histogram(&values);
        assert_eq!(s.scale(Algorithm::MinMax), 50.0 / 127.0);
        let t = s.scale(Algorithm::Entropy2) * 127.0;
        assert!((0.9..5.0).contains(&t), "threshold {t}");
        // 10 000 of 10 001 values are below 1.0: the 99.99th percentile clips the outlier.
        assert!(s.percentile(99.99) <= 1.0 + 50.0 / 2048.0);
        assert_eq!(s.percentile(100.0), 50.0);
    }
}
