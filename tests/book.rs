//! The book's `{{#include file:anchor}}`s and relative links point at files
//! and anchors that exist (mdbook itself only warns about a missing anchor
//! and renders nothing), so a renamed example or anchor fails the tests.

use std::path::{Path, PathBuf};

fn book_pages() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&src)
        .expect("book/src exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages
}

#[test]
fn includes_resolve_to_existing_anchors() {
    let mut checked = 0;
    for page in book_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (i, _) in text.match_indices("{{#include ") {
            let rest = &text[i + "{{#include ".len()..];
            let spec = &rest[..rest.find("}}").expect("closed include")];
            let (file, anchor) = match spec.split_once(':') {
                Some((f, a)) => (f, Some(a)),
                None => (spec, None),
            };
            let path = page.parent().unwrap().join(file);
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("{}: include of missing file {file}", page.display()));
            if let Some(anchor) = anchor {
                let start = format!("ANCHOR: {anchor}");
                let end = format!("ANCHOR_END: {anchor}");
                assert!(
                    source.lines().any(|l| l.trim_end().ends_with(&start))
                        && source.lines().any(|l| l.trim_end().ends_with(&end)),
                    "{}: anchor `{anchor}` not found in {file}",
                    page.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "the book includes its examples");
}

#[test]
fn relative_links_point_at_pages() {
    for page in book_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')').unwrap_or(rest.len())];
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let file = target.split('#').next().unwrap();
            assert!(
                page.parent().unwrap().join(file).exists(),
                "{}: broken link to {target}",
                page.display()
            );
        }
    }
}

#[test]
fn summary_lists_every_page() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    for page in book_pages() {
        let name = page.file_name().unwrap().to_string_lossy().to_string();
        if name != "SUMMARY.md" {
            assert!(
                summary.contains(&format!("({name})")),
                "SUMMARY.md misses {name}"
            );
        }
    }
}
