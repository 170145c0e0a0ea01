//! Tests of the dependency-free helpers: RFC 3339 timestamps and OSD colours.
//! They need no GStreamer and run under Miri:
//! `cargo +nightly miri test -p ds-core --test helpers`.
use ds_core::osd::{set_text_bg_color, Color, ColorError, TextBackground};
use ds_core::time::{
    rfc3339_string, write_rfc3339, write_rfc3339_now, Rfc3339, TimestampError, RFC3339_BUF_LEN,
};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn at_ms(ms: i64) -> SystemTime {
    if ms >= 0 {
        UNIX_EPOCH + Duration::from_millis(ms as u64)
    } else {
        UNIX_EPOCH - Duration::from_millis(ms.unsigned_abs())
    }
}

fn fmt(t: SystemTime) -> String {
    let mut buf = [0u8; RFC3339_BUF_LEN];
    write_rfc3339(&mut buf, t)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn epoch() {
    assert_eq!(fmt(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
}

#[test]
fn known_instants() {
    // (unix milliseconds, expected), checked against `date -u -d @...`.
    let cases: &[(i64, &str)] = &[
        (1_000, "1970-01-01T00:00:01.000Z"),
        (86_399_999, "1970-01-01T23:59:59.999Z"),
        (86_400_000, "1970-01-02T00:00:00.000Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"), // leap year divisible by 400
        (951_868_800_000, "2000-03-01T00:00:00.000Z"),
        (4_107_456_000_000, "2100-02-28T00:00:00.000Z"), // 2100 is not a leap year
        (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
        (1_709_164_800_000, "2024-02-29T00:00:00.000Z"),
        (1_735_689_599_999, "2024-12-31T23:59:59.999Z"), // end of a leap year
        (1_735_689_600_000, "2025-01-01T00:00:00.000Z"),
        (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
        (2_147_483_647_000, "2038-01-19T03:14:07.000Z"), // i32 time_t limit
        (2_147_483_648_000, "2038-01-19T03:14:08.000Z"), // one past it
        (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-86_400_000, "1969-12-31T00:00:00.000Z"),
        (-2_208_988_800_000, "1900-01-01T00:00:00.000Z"),
        (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
    ];
    for &(ms, want) in cases {
        assert_eq!(fmt(at_ms(ms)), want, "unix ms {ms}");
    }
}

#[test]
fn milliseconds_truncate() {
    let t = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_999_999_999);
    assert_eq!(fmt(t), "2023-11-14T22:13:20.999Z");
    let t = UNIX_EPOCH + Duration::from_nanos(5_000_999);
    assert_eq!(fmt(t), "1970-01-01T00:00:00.005Z");
    // Before the epoch: floor, like gmtime with a positive tv_nsec.
    let t = UNIX_EPOCH - Duration::from_nanos(1);
    assert_eq!(fmt(t), "1969-12-31T23:59:59.999Z");
}

#[test]
fn every_day_of_a_leap_cycle_is_consistent() {
    // Walk 1999-12-31 .. 2005-01-01 day by day; dates must advance by one
    // calendar day each time, with correct month lengths.
    let start_days = 10_956; // 1999-12-31
    let mut prev: Option<(u32, u32, u32)> = None;
    for d in start_days..start_days + 1_830 {
        let s = fmt(UNIX_EPOCH + Duration::from_secs(d * 86_400));
        let y: u32 = s[0..4].parse().unwrap();
        let m: u32 = s[5..7].parse().unwrap();
        let day: u32 = s[8..10].parse().unwrap();
        assert_eq!(&s[10..], "T00:00:00.000Z");
        if let Some((py, pm, pd)) = prev {
            let leap = py % 4 == 0 && (py % 100 != 0 || py % 400 == 0);
            let mlen = match pm {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let expect = if pd < mlen {
                (py, pm, pd + 1)
            } else if pm < 12 {
                (py, pm + 1, 1)
            } else {
                (py + 1, 1, 1)
            };
            assert_eq!((y, m, day), expect, "after {py}-{pm}-{pd}");
        }
        prev = Some((y, m, day));
    }
}

#[test]
fn buffer_too_small_is_an_error() {
    let mut buf = [7u8; RFC3339_BUF_LEN - 1];
    assert_eq!(
        write_rfc3339(&mut buf, UNIX_EPOCH),
        Err(TimestampError::BufferTooSmall {
            needed: 25,
            got: 24
        })
    );
    // Nothing was written.
    assert_eq!(buf, [7u8; 24]);
    let mut empty: [u8; 0] = [];
    assert!(write_rfc3339(&mut empty, UNIX_EPOCH).is_err());
    assert!(TimestampError::BufferTooSmall { needed: 25, got: 0 }
        .to_string()
        .contains("25"));
}

#[test]
fn larger_buffer_keeps_tail_and_terminates() {
    let mut buf = [0xAAu8; 40];
    let s = write_rfc3339(&mut buf, at_ms(1_000)).unwrap();
    assert_eq!(s.to_bytes_with_nul().len(), 25);
    assert_eq!(buf[24], 0);
    assert!(buf[25..].iter().all(|&b| b == 0xAA));
}

#[test]
fn out_of_range_years() {
    let mut buf = [0u8; 32];
    let y10000 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
    assert_eq!(
        write_rfc3339(&mut buf, y10000),
        Err(TimestampError::OutOfRange)
    );
    let before_year0 = UNIX_EPOCH - Duration::from_secs(62_167_219_201);
    assert_eq!(Rfc3339::new(before_year0), Err(TimestampError::OutOfRange));
    assert!(rfc3339_string(y10000).is_err());
}

#[test]
#[cfg_attr(miri, ignore = "reads the clock; Miri isolation forbids it")]
fn now_is_recent_and_well_formed() {
    let mut buf = [0u8; 30];
    assert_eq!(write_rfc3339_now(&mut buf).unwrap().to_bytes().len(), 24);
    assert!(write_rfc3339_now(&mut buf[..24]).is_err());
    let before = SystemTime::now();
    let ts = Rfc3339::now().unwrap();
    let s = ts.as_str();
    assert_eq!(s.len(), 24);
    let expect_prefix = &rfc3339_string(before).unwrap()[..4];
    assert_eq!(&s[..4], expect_prefix);
    for (i, c) in s.bytes().enumerate() {
        match i {
            4 | 7 => assert_eq!(c, b'-'),
            10 => assert_eq!(c, b'T'),
            13 | 16 => assert_eq!(c, b':'),
            19 => assert_eq!(c, b'.'),
            23 => assert_eq!(c, b'Z'),
            _ => assert!(c.is_ascii_digit(), "{s}"),
        }
    }
    assert_eq!(ts.as_c_str().to_bytes(), s.as_bytes());
    assert_eq!(format!("{ts}"), s);
    assert!(format!("{ts:?}").contains(s));
}

fn text_params() -> ds_sys::NvOSD_TextParams {
    ds_sys::NvOSD_TextParams {
        display_text: std::ptr::null_mut(),
        x_offset: 0,
        y_offset: 0,
        font_params: ds_sys::NvOSD_FontParams {
            font_name: std::ptr::null_mut(),
            font_size: 0,
            font_color: Default::default(),
        },
        set_bg_clr: 0,
        text_bg_clr: Default::default(),
    }
}

#[test]
fn text_background_in_one_call() {
    let mut tp = text_params();
    assert_eq!(tp.bg_color(), None);
    tp.set_bg_color(Color::BLACK);
    assert_eq!(tp.set_bg_clr, 1);
    assert_eq!(
        tp.text_bg_clr,
        ds_sys::NvOSD_ColorParams {
            red: 0.0,
            green: 0.0,
            blue: 0.0,
            alpha: 1.0
        }
    );
    assert_eq!(tp.bg_color(), Some(Color::BLACK));

    let c = Color::new(0.25, 0.5, 0.75, 0.5).unwrap();
    set_text_bg_color(&mut tp, c);
    assert_eq!(tp.text_bg_clr.red, 0.25);
    assert_eq!(tp.text_bg_clr.green, 0.5);
    assert_eq!(tp.text_bg_clr.blue, 0.75);
    assert_eq!(tp.text_bg_clr.alpha, 0.5);

    tp.clear_bg_color();
    assert_eq!(tp.set_bg_clr, 0);
    assert_eq!(tp.bg_color(), None);
}

#[test]
fn color_validation() {
    assert_eq!(
        Color::new(1.5, 0.0, 0.0, 1.0),
        Err(ColorError {
            component: "red",
            value: 1.5
        })
    );
    assert!(Color::new(0.0, -0.1, 0.0, 1.0).is_err());
    assert!(Color::new(0.0, 0.0, f64::NAN, 1.0).is_err());
    assert!(Color::new(0.0, 0.0, 0.0, f64::INFINITY).is_err());
    let e = Color::new(0.0, 0.0, 0.0, 2.0).unwrap_err();
    assert!(e.to_string().contains("alpha"), "{e}");

    let c = Color::clamped(2.0, -1.0, f64::NAN, 0.5);
    assert_eq!(c.rgba(), (1.0, 0.0, 0.0, 0.5));
    assert_eq!(
        Color::from_rgba8(255, 0, 51, 255).rgba(),
        (1.0, 0.0, 0.2, 1.0)
    );

    let p: ds_sys::NvOSD_ColorParams = Color::RED.into();
    assert_eq!((p.red, p.green, p.blue, p.alpha), (1.0, 0.0, 0.0, 1.0));
    let back = Color::try_from(p).unwrap();
    assert_eq!(back, Color::RED);
    let bad = ds_sys::NvOSD_ColorParams {
        red: 3.0,
        ..Default::default()
    };
    assert!(Color::try_from(bad).is_err());
}

#[test]
fn stored_out_of_range_bg_is_not_reported_as_valid() {
    let mut tp = text_params();
    tp.set_bg_clr = 1;
    tp.text_bg_clr.red = 9.0;
    assert_eq!(tp.bg_color(), None);
}
