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
            let (file, fragment) = match target.split_once('#') {
                Some((f, frag)) => (f, Some(frag)),
                None => (target, None),
            };
            let path = page.parent().unwrap().join(file);
            assert!(path.exists(), "{}: broken link to {target}", page.display());
            if let Some(fragment) = fragment.filter(|_| file.ends_with(".md")) {
                let linked = std::fs::read_to_string(&path).unwrap();
                assert!(
                    heading_ids(&linked).iter().any(|id| id == fragment),
                    "{}: link to {target}: no such heading in {file}",
                    page.display()
                );
            }
        }
    }
}

#[test]
fn same_page_fragments_point_at_headings() {
    for page in book_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let ids = heading_ids(&text);
        for (i, _) in text.match_indices("](#") {
            let rest = &text[i + 3..];
            let fragment = &rest[..rest.find(')').unwrap_or(rest.len())];
            assert!(
                ids.iter().any(|id| id == fragment),
                "{}: link to #{fragment}: no such heading",
                page.display()
            );
        }
    }
}

/// The ids mdbook gives a page's headings (outside code blocks): the text
/// lowercased, letters, digits, `_` and `-` kept, each space a `-`, the rest
/// dropped (so "`goru! { ... }`" ends in "goru---").
fn heading_ids(markdown: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let title = line.trim_start_matches('#');
        if in_code || title.len() == line.len() || !title.starts_with(' ') {
            continue;
        }
        let id = title
            .trim()
            .chars()
            .filter_map(|c| match c {
                c if c.is_alphanumeric() || c == '_' || c == '-' => Some(c.to_ascii_lowercase()),
                c if c.is_whitespace() => Some('-'),
                _ => None,
            })
            .collect();
        ids.push(id);
    }
    ids
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
