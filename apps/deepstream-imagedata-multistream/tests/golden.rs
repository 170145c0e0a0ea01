//! deepstream-imagedata-multistream's stdout, line by line, against the
//! sequence the Python sample prints for the same run (tests/golden/), with
//! one and two sources; the consistency of the per-frame numbers; the
//! frames saved; the sample's argument errors.
mod common;

use common::{clip_uri, take_perf, tmp, CLIP_FRAMES};
use ds_testkit::golden::Golden;
use std::path::Path;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_deepstream-imagedata-multistream");
const LIMIT: Duration = Duration::from_secs(300);
const USAGE: &str =
    "usage: deepstream-imagedata-multistream <uri1> [uri2] ... [uriN] <folder to save frames>";

fn golden(name: &str) -> Golden {
    Golden::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
}

/// Runs the app with `args` then a new folder; checks the exit status and
/// returns (stdout without the PERF blocks, the folder).
fn run_ok(args: &[&str], tag: &str, streams: usize) -> (String, std::path::PathBuf) {
    let folder = tmp(tag);
    let _ = std::fs::remove_dir_all(&folder);
    let all = [args, &[folder.to_str().unwrap()]].concat();
    let run = ds_testkit::run(BIN, &all, LIMIT);
    assert!(run.status.success(), "{}", run.stderr);
    let (stdout, _) = take_perf(&run.stdout, streams);
    (stdout, folder)
}

/// (frame number, objects, vehicles, persons) of each frame line.
fn frames(stdout: &str) -> Vec<[u32; 4]> {
    stdout
        .lines()
        .filter(|l| l.starts_with("Frame Number= "))
        .map(|l| {
            let n: Vec<u32> = l
                .split("= ")
                .skip(1)
                .map(|v| v.split(' ').next().unwrap().parse().unwrap())
                .collect();
            [n[0], n[1], n[2], n[3]]
        })
        .collect()
}

#[test]
fn one_source_follows_the_python_sample() {
    let uri = clip_uri();
    let (stdout, folder) = run_ok(&[&uri], "golden-1", 1);
    golden("stdout_1.txt")
        .check(&stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(stdout.contains(&format!("Frames will be saved in  {}\n", folder.display())));
    assert!(stdout.contains(&format!("1 :  {uri}\n")));
    // Frame numbers count from 0 without a gap; a frame's objects include
    // its vehicles and persons.
    for (i, f) in frames(&stdout).iter().enumerate() {
        assert_eq!(f[0] as usize, i);
        assert!(f[1] >= f[2] + f[3], "{f:?}");
    }
    // The sample's folders, and frame 0 (checked: saved_count 0) saved for
    // its borderline object.
    assert!(folder.join("stream_0/frame_0.jpg").is_file());
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn two_sources_follow_the_python_sample() {
    let uri = clip_uri();
    let (stdout, folder) = run_ok(&[&uri, &uri], "golden-2", 2);
    golden("stdout_2.txt")
        .check(&stdout)
        .unwrap_or_else(|e| panic!("{e}"));
    let count = |p: &str| stdout.lines().filter(|l| l.starts_with(p)).count();
    assert_eq!(count("Decodebin child added: source "), 2);
    assert_eq!(count("Decodebin child added: decodebin"), 2);
    assert_eq!(count("In cb_newpad"), 2);
    let frames = frames(&stdout);
    assert_eq!(frames.len(), 2 * CLIP_FRAMES);
    for n in 0..CLIP_FRAMES as u32 {
        assert_eq!(frames.iter().filter(|f| f[0] == n).count(), 2, "frame {n}");
    }
    for stream in 0..2 {
        assert!(folder
            .join(format!("stream_{stream}/frame_0.jpg"))
            .is_file());
    }
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn too_few_arguments_print_the_samples_usage() {
    for args in [&[][..], &["only-one"][..]] {
        let run = ds_testkit::run(BIN, args, LIMIT);
        assert_eq!(run.status.code(), Some(1), "{args:?}");
        assert_eq!(run.stderr.lines().next(), Some(USAGE), "{}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    assert!(!Path::new("only-one").exists());
}

#[test]
fn an_existing_folder_is_the_samples_error_line() {
    let folder = tmp("golden-exists");
    std::fs::create_dir_all(&folder).unwrap();
    let run = ds_testkit::run(BIN, &[&clip_uri(), folder.to_str().unwrap()], LIMIT);
    std::fs::remove_dir_all(&folder).ok();
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr,
        format!(
            "The output folder {} already exists. Please remove it first.\n",
            folder.display()
        )
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}
