//! Turns benchmark results into the book's chart: an SVG bar chart of each
//! peer's time per operation as a ratio to Go's, per workload, on a log scale.
//!
//! ```text
//! cargo run -p goru-bench --bin bench_chart -- BENCHMARKS.md "Issue 11 run" book/src/perf.svg
//! cargo run -p goru-bench --bin bench_chart -- /tmp/goru-peers-results.txt book/src/perf.svg
//! ```
//!
//! The input is either a markdown file, read from the first table after the
//! heading that contains the given text (`| workload | go | peer... |`, the
//! first number of each cell is ns/op), or run.sh's raw lines
//! `RESULT <workload> <peer> <ns_per_op> ...` (the median of the reps is used).

use std::collections::BTreeMap;
use std::error::Error;
use std::process::ExitCode;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// ns/op per workload (in input order) and peer (in input order; `go` first).
struct Results {
    peers: Vec<String>,
    rows: Vec<(String, BTreeMap<String, f64>)>,
}

fn first_number(cell: &str) -> Option<f64> {
    let start = cell.find(|c: char| c.is_ascii_digit())?;
    let rest = &cell[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn parse_markdown(text: &str, heading: &str) -> Result<Results, String> {
    let mut lines = text
        .lines()
        .skip_while(|l| !(l.starts_with('#') && l.contains(heading)));
    if lines.next().is_none() {
        return Err(format!("no heading containing {heading:?}"));
    }
    let table: Vec<&str> = lines
        .skip_while(|l| !l.trim_start().starts_with('|'))
        .take_while(|l| l.trim_start().starts_with('|'))
        .collect();
    let cells = |l: &str| -> Vec<String> {
        l.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let header = cells(table.first().ok_or("no table after the heading")?);
    let peers: Vec<String> = header[1..].to_vec();
    let mut rows = Vec::new();
    for line in table.iter().skip(2) {
        let row = cells(line);
        let mut times = BTreeMap::new();
        for (peer, cell) in peers.iter().zip(&row[1..]) {
            if let Some(ns) = first_number(cell) {
                times.insert(peer.clone(), ns);
            }
        }
        rows.push((row[0].clone(), times));
    }
    Ok(Results { peers, rows })
}

fn parse_result_lines(text: &str) -> Result<Results, String> {
    let mut peers: Vec<String> = Vec::new();
    let mut reps: Vec<(String, BTreeMap<String, Vec<f64>>)> = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("RESULT") {
            continue;
        }
        let (Some(workload), Some(peer), Some(ns)) = (words.next(), words.next(), words.next())
        else {
            return Err(format!("short RESULT line: {line}"));
        };
        let ns: f64 = ns.parse().map_err(|_| format!("bad ns/op in: {line}"))?;
        if !peers.iter().any(|p| p == peer) {
            peers.push(peer.to_string());
        }
        let index = match reps.iter().position(|(w, _)| w == workload) {
            Some(i) => i,
            None => {
                reps.push((workload.to_string(), BTreeMap::new()));
                reps.len() - 1
            }
        };
        reps[index].1.entry(peer.to_string()).or_default().push(ns);
    }
    if let Some(i) = peers.iter().position(|p| p == "go") {
        let go = peers.remove(i);
        peers.insert(0, go);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let rows = reps
        .into_iter()
        .map(|(w, m)| (w, m.into_iter().map(|(p, v)| (p, median(v))).collect()))
        .collect();
    Ok(Results { peers, rows })
}

fn color(peer: &str, i: usize) -> RGBColor {
    match peer {
        "goru" => RGBColor(0, 122, 204),
        "tokio" => RGBColor(214, 120, 40),
        "threads" => RGBColor(150, 150, 150),
        "may" => RGBColor(80, 160, 90),
        "golib" => RGBColor(170, 90, 160),
        _ => {
            let (r, g, b) = Palette99::pick(i).to_rgba().rgb();
            RGBColor(r, g, b)
        }
    }
}

fn draw(results: &Results, out: &str) -> Result<(), Box<dyn Error>> {
    let peers: Vec<&String> = results.peers.iter().filter(|p| *p != "go").collect();
    // (workload, [(peer index, ratio to go)]) for workloads Go ran.
    let groups: Vec<(&str, Vec<(usize, f64)>)> = results
        .rows
        .iter()
        .filter_map(|(w, times)| {
            let go = *times.get("go")?;
            let bars = peers
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some((i, times.get(*p)? / go)))
                .collect();
            Some((w.as_str(), bars))
        })
        .collect();
    if groups.is_empty() || peers.is_empty() {
        return Err("no workload has both Go's and a peer's result".into());
    }
    let ratios = groups.iter().flat_map(|(_, b)| b.iter().map(|&(_, r)| r));
    // Whole decades, so the log axis gets labels at 0.1×, 1×, 10×, ...
    let lo = 10f64.powf(
        (ratios.clone().fold(1.0f64, f64::min) / 1.3)
            .log10()
            .floor(),
    ) * 0.99;
    let hi = 10f64.powf((ratios.fold(1.0f64, f64::max) * 1.3).log10().ceil());

    // Each bar is 2 units wide; a group is the bars plus a 2-unit gap, so
    // every group's centre falls on an integer, where its label goes.
    let width = 2 * peers.len() as i32 + 2;
    let n = groups.len() as i32;
    let centre = |g: i32| g * width + 1 + peers.len() as i32;

    let root = SVGBackend::new(out, (900, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "time per operation as a ratio to Go (1× = Go; log scale, lower is better)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0..n * width, (lo..hi).log_scale())?;
    let names: Vec<&str> = groups.iter().map(|(w, _)| *w).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels((n * width + 1) as usize)
        .x_label_formatter(&|&x| {
            let g = (x - 1 - peers.len() as i32) / width;
            if (0..n).contains(&g) && centre(g) == x {
                names[g as usize].to_string()
            } else {
                String::new()
            }
        })
        .set_tick_mark_size(LabelAreaPosition::Bottom, 0)
        .y_labels(12)
        .y_label_formatter(&|y| format!("{y}×"))
        .label_style(("sans-serif", 13))
        .draw()?;

    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0, 1.0), (n * width, 1.0)],
        BLACK.stroke_width(1),
    )))?;
    // Bars grow from Go's 1× line: up when slower than Go, down when faster.
    let value_style = |r: f64| {
        let v = if r < 1.0 { VPos::Top } else { VPos::Bottom };
        ("sans-serif", 10)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, v))
    };
    for (i, peer) in peers.iter().enumerate() {
        let c = color(peer, i);
        let bars: Vec<(i32, f64)> = groups
            .iter()
            .enumerate()
            .filter_map(|(g, (_, b))| {
                let &(_, r) = b.iter().find(|(p, _)| *p == i)?;
                Some((g as i32 * width + 1 + 2 * i as i32, r))
            })
            .collect();
        chart
            .draw_series(
                bars.iter()
                    .map(|&(x, r)| Rectangle::new([(x, 1.0), (x + 2, r)], c.filled())),
            )?
            .label(peer.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()));
        chart.draw_series(bars.iter().map(|&(x, r)| {
            let label = if r < 10.0 {
                format!("{r:.2}")
            } else {
                format!("{r:.0}")
            };
            Text::new(label, (x + 1, r), value_style(r))
        }))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()?;
    root.present()?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, heading, out) = match args.as_slice() {
        [input, out] => (input, None, out),
        [input, heading, out] => (input, Some(heading), out),
        _ => {
            eprintln!(
                "usage: bench_chart BENCHMARKS.md \"<heading text>\" out.svg\n       bench_chart results.txt out.svg   (RESULT lines)"
            );
            return ExitCode::from(2);
        }
    };
    let run = || -> Result<(), Box<dyn Error>> {
        let text = std::fs::read_to_string(input).map_err(|e| format!("{input}: {e}"))?;
        let results = match heading {
            Some(h) => parse_markdown(&text, h)?,
            None => parse_result_lines(&text)?,
        };
        draw(&results, out)?;
        eprintln!("wrote {out}");
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_chart: {e}");
            ExitCode::FAILURE
        }
    }
}
