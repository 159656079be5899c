//! Photo pipeline benchmark (`make bench`): a 12 MP photographic JPEG through
//! `process` next to Debian's `vips` CLI making the same outputs in the same
//! run, a breakdown of where the time goes, and the peak memory of one upload
//! (12 MP and 40 MP, each measured in a fresh child process via /proc).
//!
//! `cargo run --release -p commissary-photos --example photo_bench`
//! (`-- --quick` for fewer rounds).

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use commissary_photos::{PhotoLimits, ProcessedPhoto, process};
use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The reference photo: 4000x3000, about 3.2 MB at quality 90.
const PHOTO: (u32, u32) = (4000, 3000);
/// Just under the default 40-megapixel limit, 4:3.
const LARGE_PHOTO: (u32, u32) = (7300, 5475);
/// The goals this benchmark checks.
const GOAL_SECONDS: f64 = 0.5;
const GOAL_VIPS_RATIO: f64 = 0.6;
const GOAL_MEMORY_RATIO: f64 = 4.0;
/// The child-process mode that measures one upload's peak memory.
const PEAK_MEMORY_ARG: &str = "--peak-memory";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some(PEAK_MEMORY_ARG) => {
            args.get(1).ok_or_else(|| "missing file".into()).and_then(|p| child_peak(Path::new(p)))
        }
        _ => bench(args.iter().any(|a| a == "--quick")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("photo_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

// --- a deterministic "photograph" ------------------------------------------------

/// SplitMix64 finaliser: a stateless hash, so any pixel's noise is independent
/// of the order pixels are drawn in.
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A coarse grid of random values, bilinearly interpolated: soft shapes like
/// an out-of-focus background (coarse) or surface texture (fine).
struct ValueNoise {
    cells_x: u32,
    cells_y: u32,
    values: Vec<[f32; 3]>,
}

impl ValueNoise {
    fn new(seed: u64, cells_x: u32, cells_y: u32) -> Self {
        let values = (0..(cells_x + 1) * (cells_y + 1))
            .map(|i| {
                let h = mix64(seed ^ u64::from(i).wrapping_mul(0xD6E8_FEB8_6659_FD93));
                [
                    (h & 0xFFFF) as f32 / 65535.0,
                    ((h >> 16) & 0xFFFF) as f32 / 65535.0,
                    ((h >> 32) & 0xFFFF) as f32 / 65535.0,
                ]
            })
            .collect();
        Self { cells_x, cells_y, values }
    }

    fn at(&self, u: f32, v: f32) -> [f32; 3] {
        let (gx, gy) = (u * self.cells_x as f32, v * self.cells_y as f32);
        let (x0, y0) = ((gx as u32).min(self.cells_x - 1), (gy as u32).min(self.cells_y - 1));
        let (fx, fy) = (gx - x0 as f32, gy - y0 as f32);
        let (fx, fy) = (fx * fx * (3.0 - 2.0 * fx), fy * fy * (3.0 - 2.0 * fy));
        let idx = |x: u32, y: u32| (y * (self.cells_x + 1) + x) as usize;
        let (a, b) = (self.values[idx(x0, y0)], self.values[idx(x0 + 1, y0)]);
        let (c, d) = (self.values[idx(x0, y0 + 1)], self.values[idx(x0 + 1, y0 + 1)]);
        std::array::from_fn(|i| {
            let top = a[i] + (b[i] - a[i]) * fx;
            let bottom = c[i] + (d[i] - c[i]) * fx;
            top + (bottom - top) * fy
        })
    }
}

/// Lighting gradients, soft colour fields, a few hard-edged objects, surface
/// texture and sensor grain: content that compresses like a photograph
/// (about 3.2 MB for 12 MP at quality 90), not like a flat test pattern.
fn photograph(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let background = ValueNoise::new(seed, 6, 5);
    let objects = ValueNoise::new(seed ^ 1, 14, 11);
    let texture = ValueNoise::new(seed ^ 2, 320, 240);
    let img = RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        let bg = background.at(u, v);
        let light = 0.55 + 0.45 * (1.0 - ((u - 0.4).powi(2) + (v - 0.35).powi(2)).sqrt());
        // Hard edges where a coarse field crosses a threshold: "objects".
        let o = objects.at(u, v);
        let solid = if o[0] > 0.62 { 1.0 } else { 0.0 };
        let t = texture.at(u, v);
        let grain = (mix64(u64::from(y) << 32 | u64::from(x) ^ seed) & 0xFF) as f32 / 255.0 - 0.5;
        Rgb(std::array::from_fn(|i| {
            let base = bg[i] * 0.7 * light + solid * (o[(i + 1) % 3] * 0.5 - 0.15);
            let value = base + (t[i] - 0.5) * 0.16 + grain * 0.045;
            (value.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
        }))
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, ExtendedColorType::Rgb8)
        .expect("encoding into memory cannot fail");
    out
}

// --- timing helpers -----------------------------------------------------------------

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(rounds: usize, mut f: impl FnMut() -> BenchResult<T>) -> BenchResult<Duration> {
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        f()?;
        samples.push(started.elapsed());
    }
    Ok(median(samples))
}

/// CPU seconds used so far by this process and by its waited-for children,
/// from /proc/self/stat (in USER_HZ ticks, 100 a second on Linux).
fn cpu_seconds() -> BenchResult<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the parenthesised command name; utime is field 14 overall.
    let rest = stat.rsplit_once(')').ok_or("malformed /proc/self/stat")?.1;
    let fields: Vec<u64> = rest.split_whitespace().map(|f| f.parse().unwrap_or(0)).collect();
    let tick = |i: usize| fields.get(i - 3).copied().unwrap_or(0) as f64 / 100.0;
    Ok((tick(14) + tick(15), tick(16) + tick(17)))
}

/// Median wall time and mean CPU time (own, or children's) of `f`.
fn time_with_cpu(rounds: usize, children: bool, f: impl FnMut() -> BenchResult<()>) -> BenchResult<(Duration, f64)> {
    let pick = |(own, kids): (f64, f64)| if children { kids } else { own };
    let before = pick(cpu_seconds()?);
    let wall = time(rounds, f)?;
    Ok((wall, (pick(cpu_seconds()?) - before) / rounds as f64))
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

// --- vips -----------------------------------------------------------------------------

fn vips_available() -> bool {
    Command::new("vips")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run(cmd: &mut Command) -> BenchResult<()> {
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(())
}

/// The same outputs as `process`, one CLI process each, as an operator would
/// script it: the oriented, stripped full master, then each width with
/// shrink-on-load thumbnails (`with_webp` adds the three WebP alternates).
fn vips_pipeline(input: &Path, out: &Path, widths: &[u32], with_webp: bool) -> BenchResult<()> {
    let target = |name: &str| out.join(name).display().to_string();
    run(Command::new("vips").arg("autorot").arg(input).arg(format!("{}[Q=85,strip]", target("full.jpg"))))?;
    for w in widths {
        let mut formats = vec![format!("{}[Q=85,strip]", target(&format!("w{w}.jpg")))];
        if with_webp {
            formats.push(format!("{}[Q=80,strip]", target(&format!("w{w}.webp"))));
        }
        for output in formats {
            run(Command::new("vipsthumbnail").arg(input).arg("--size").arg(format!("{w}x")).arg("-o").arg(output))?;
        }
    }
    Ok(())
}

// --- peak memory in a child process -----------------------------------------------------

fn proc_status_kib(field: &str) -> BenchResult<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line =
        status.lines().find(|l| l.starts_with(field)).ok_or_else(|| format!("no {field} in /proc/self/status"))?;
    Ok(line.split_whitespace().nth(1).ok_or("malformed status line")?.parse()?)
}

/// Child mode: read the file, reset the peak-RSS mark, process, report how far
/// above the starting point the peak went.
fn child_peak(path: &Path) -> BenchResult<()> {
    let bytes = std::fs::read(path)?;
    // Writing 5 resets VmHWM to the current RSS (Linux ≥ 4.0).
    std::fs::write("/proc/self/clear_refs", "5")?;
    let before = proc_status_kib("VmRSS:")?;
    let photo = process(&bytes, &PhotoLimits::default())?;
    let peak = proc_status_kib("VmHWM:")?;
    println!("peak_kib={} width={} height={}", peak.saturating_sub(before), photo.width, photo.height);
    Ok(())
}

struct Peak {
    bytes: u64,
    decoded: u64,
}

fn measure_peak(input: &Path) -> BenchResult<Peak> {
    let out = Command::new(std::env::current_exe()?).arg(PEAK_MEMORY_ARG).arg(input).output()?;
    if !out.status.success() {
        return Err(format!("child failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let text = String::from_utf8(out.stdout)?;
    let field = |name: &str| -> BenchResult<u64> {
        let value = text.split_whitespace().find_map(|kv| kv.strip_prefix(name)).ok_or("child printed no result")?;
        Ok(value.parse()?)
    };
    let (w, h) = (field("width=")?, field("height=")?);
    Ok(Peak { bytes: field("peak_kib=")? * 1024, decoded: w * h * 3 })
}

// --- the benchmark ------------------------------------------------------------------------

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn sizes(photo: &ProcessedPhoto) -> String {
    photo
        .objects()
        .map(|r| {
            format!(
                "{} {}x{} {:.0} kB",
                r.content_type.trim_start_matches("image/"),
                r.width,
                r.height,
                r.bytes.len() as f64 / 1000.0
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn bench(quick: bool) -> BenchResult<()> {
    let rounds = if quick { 3 } else { 7 };
    let limits = PhotoLimits::default();
    let dir = tempfile::tempdir()?;

    let started = Instant::now();
    let jpeg = photograph(PHOTO.0, PHOTO.1, 13);
    let input = dir.path().join("photo-12mp.jpg");
    std::fs::write(&input, &jpeg)?;
    println!(
        "Photo pipeline: {}x{} JPEG, {:.2} MB, quality 90 (generated in {:.1} s); median of {rounds} rounds",
        PHOTO.0,
        PHOTO.1,
        mb(jpeg.len()),
        started.elapsed().as_secs_f64()
    );

    let photo = process(&jpeg, &limits)?;
    println!("  outputs: {}", sizes(&photo));
    // Other work on the machine skews absolute times (ratios less so): say how busy it was.
    println!("  load average at start: {}", load_average());
    let (ours, ours_cpu) = time_with_cpu(rounds, false, || {
        process(&jpeg, &limits)?;
        Ok(())
    })?;

    // Where the time goes, stage by stage, on one thread.
    let decoded = time(rounds, || Ok(image::load_from_memory(&jpeg)?.into_rgb8()))?;
    let pixels = image::load_from_memory(&jpeg)?.into_rgb8();
    let image_crate_encode = time(rounds.min(3), || {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 85).write_image(
            pixels.as_raw(),
            PHOTO.0,
            PHOTO.1,
            ExtendedColorType::Rgb8,
        )?;
        Ok(out)
    })?;
    let jpeg_encoder_encode = |chroma| {
        time(rounds, || {
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
            encoder.set_chroma_subsampling_method(chroma);
            encoder.encode(pixels.as_raw(), PHOTO.0 as u16, PHOTO.1 as u16, jpeg_encoder::ColorType::Rgb)?;
            Ok(out)
        })
    };
    let jpeg_average = jpeg_encoder_encode(jpeg_encoder::ChromaSubsamplingMethod::Average)?;
    let jpeg_nearest = jpeg_encoder_encode(jpeg_encoder::ChromaSubsamplingMethod::Nearest)?;
    let w2048 = image::imageops::thumbnail(&pixels, 2048, 1536);
    let webp_at = |method: i32| -> BenchResult<(Duration, usize)> {
        let mut len = 0;
        let took = time(rounds.min(3), || {
            let mut config = webp::WebPConfig::new().map_err(|()| "libwebp config")?;
            config.quality = 80.0;
            config.method = method;
            let out = webp::Encoder::from_rgb(w2048.as_raw(), 2048, 1536)
                .encode_advanced(&config)
                .map_err(|e| format!("{e:?}"))?;
            len = out.len();
            Ok(())
        })?;
        Ok((took, len))
    };
    let webp_methods = [0, 1, 2, 4].map(|m| webp_at(m).map(|r| (m, r)));
    println!();
    println!("| step (12 MP, one thread) | median |");
    println!("| --- | --- |");
    println!("| decode (zune-jpeg via image) | {:.3} s |", secs(decoded));
    println!("| encode full JPEG q85, image's encoder | {:.3} s |", secs(image_crate_encode));
    println!("| encode full JPEG q85, jpeg-encoder (AVX2), averaged chroma | {:.3} s |", secs(jpeg_average));
    println!("| encode full JPEG q85, jpeg-encoder (AVX2), point-sampled chroma | {:.3} s |", secs(jpeg_nearest));
    for result in webp_methods {
        let (method, (took, len)) = result?;
        println!(
            "| encode 2048x1536 WebP q80, method {method} ({:.0} kB) | {:.3} s |",
            len as f64 / 1000.0,
            secs(took)
        );
    }

    println!();
    println!("| pipeline, same run | outputs | median wall | ratio to ours | CPU time | ratio to ours |");
    println!("| --- | --- | --- | --- | --- | --- |");
    println!(
        "| `process` (one decode, two threads) | full + {n} JPEG + {n} WebP | {:.3} s | 1.00 | {ours_cpu:.2} s | 1.00 |",
        secs(ours),
        n = photo.renditions.len() - 1
    );
    let mut verdicts = vec![(format!("12 MP in ≤ {GOAL_SECONDS} s"), secs(ours) <= GOAL_SECONDS)];
    if vips_available() {
        let widths: Vec<u32> = photo.renditions.iter().skip(1).map(|r| r.width).collect();
        let out = dir.path().join("vips");
        std::fs::create_dir_all(&out)?;
        let (vips_jpeg, vips_jpeg_cpu) = time_with_cpu(rounds, true, || vips_pipeline(&input, &out, &widths, false))?;
        let (vips_all, vips_all_cpu) = time_with_cpu(rounds, true, || vips_pipeline(&input, &out, &widths, true))?;
        for (outputs, wall, cpu) in [
            (format!("full + {} JPEG", widths.len()), vips_jpeg, vips_jpeg_cpu),
            (format!("full + {n} JPEG + {n} WebP", n = widths.len()), vips_all, vips_all_cpu),
        ] {
            println!(
                "| `vips` CLI, one process per output | {outputs} | {:.3} s | {:.2} | {cpu:.2} s | {:.2} |",
                secs(wall),
                secs(wall) / secs(ours),
                cpu / ours_cpu
            );
        }
        let ratio = secs(ours) / secs(vips_jpeg);
        println!();
        println!(
            "ours / vips: {ratio:.2} against vips's JPEG-only pipeline (the issue's baseline), {:.2} against the same 7 outputs",
            secs(ours) / secs(vips_all)
        );
        verdicts.push((format!("≤ {GOAL_VIPS_RATIO}x the vips JPEG pipeline"), ratio <= GOAL_VIPS_RATIO));
    } else {
        println!("| `vips` CLI | skipped: `vips` is not installed (apt-get install libvips-tools) | | |");
    }

    println!();
    println!("| peak memory of one upload (fresh process) | decoded RGB | peak above start | ratio |");
    println!("| --- | --- | --- | --- |");
    let large = dir.path().join("photo-40mp.jpg");
    std::fs::write(&large, photograph(LARGE_PHOTO.0, LARGE_PHOTO.1, 40))?;
    for (label, path) in [("12 MP", &input), ("40 MP", &large)] {
        let peak = measure_peak(path)?;
        let ratio = peak.bytes as f64 / peak.decoded as f64;
        println!("| {label} | {:.0} MB | {:.0} MB | {ratio:.2}x |", mb(peak.decoded as usize), mb(peak.bytes as usize));
        if label == "40 MP" {
            verdicts.push((format!("40 MP peak ≤ {GOAL_MEMORY_RATIO}x decoded"), ratio <= GOAL_MEMORY_RATIO));
        }
    }

    println!();
    println!("load average at end: {}", load_average());
    for (goal, met) in &verdicts {
        println!("goal {goal}: {}", if *met { "met" } else { "NOT met" });
    }
    Ok(())
}
