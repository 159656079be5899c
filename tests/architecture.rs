//! The crates' internal structure: inside every crate, modules import one way (no two
//! modules depend on each other, directly or through a chain of `crate::` / `super::`
//! paths), and the domain depends on no I/O crate.
//!
//! The crate root (`lib.rs`, `main.rs`) is the crate's façade: it declares and re-exports
//! modules, so paths that resolve to it are not counted as dependencies.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `a/b.rs` and `a/b/mod.rs` are `a::b`; `lib.rs`/`main.rs` are the root (`""`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src").with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    parts.join("::")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code without comments (doc links are not dependencies).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Paths after each `crate::` or `super::` (prefixed by which), braces expanded.
fn paths(code: &str) -> Vec<(bool, Vec<String>)> {
    let mut out = Vec::new();
    for (prefix, is_super) in [("crate::", false), ("super::", true)] {
        let mut from = 0;
        while let Some(found) = code[from..].find(prefix) {
            let start = from + found;
            from = start + prefix.len();
            if code[..start].chars().next_back().is_some_and(|c| ident_char(c) || c == '$') {
                continue;
            }
            let mut chained = String::new();
            let mut rest = &code[from..];
            // `super::super::x`
            while is_super && rest.starts_with("super::") {
                chained.push_str("super::");
                rest = &rest["super::".len()..];
            }
            for path in expand(rest) {
                let mut segments: Vec<String> =
                    chained.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
                segments.extend(path);
                out.push((is_super, segments));
            }
        }
    }
    out
}

/// The path segments at the start of `text`, expanding one `{a, b::c}` group per level.
fn expand(text: &str) -> Vec<Vec<String>> {
    let mut segments = Vec::new();
    let mut rest = text;
    loop {
        let len = rest.find(|c: char| !ident_char(c)).unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        segments.push(rest[..len].to_owned());
        rest = &rest[len..];
        if !rest.starts_with("::") {
            return vec![segments];
        }
        rest = &rest[2..];
    }
    if !rest.starts_with('{') {
        return vec![segments];
    }
    let mut depth = 0;
    let mut end = rest.len();
    for (i, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            _ => {}
        }
    }
    let inner = &rest[1..end];
    let mut items = Vec::new();
    let (mut depth, mut item_start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[item_start..i]);
                item_start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[item_start..]);
    let mut out = Vec::new();
    for item in items {
        for tail in expand(item.trim()) {
            let mut full = segments.clone();
            full.extend(tail.into_iter().filter(|s| s != "self"));
            out.push(full);
        }
    }
    out
}

/// The module `segments` names: the longest prefix that is a module of the crate.
fn resolve(modules: &BTreeSet<String>, segments: &[String]) -> String {
    (0..=segments.len())
        .rev()
        .map(|n| segments[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
        .unwrap_or_default()
}

fn crate_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        let module = module_of(src, file);
        let code = code_of(&std::fs::read_to_string(file).expect("read"));
        let mut depends = BTreeSet::new();
        for (is_super, segments) in paths(&code) {
            let mut absolute: Vec<String> = Vec::new();
            if is_super {
                absolute = module.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
                absolute.pop();
                let mut rest = segments.as_slice();
                while rest.first().is_some_and(|s| s == "super") {
                    absolute.pop();
                    rest = &rest[1..];
                }
                absolute.extend(rest.iter().cloned());
            } else {
                absolute.extend(segments);
            }
            let target = resolve(&modules, &absolute);
            // The root is the façade; a module's own items and its parents are not cycles.
            let parent_of_module = module.starts_with(&format!("{target}::"));
            if !target.is_empty() && target != module && !parent_of_module {
                depends.insert(target);
            }
        }
        if !module.is_empty() {
            graph.insert(module, depends);
        }
    }
    graph
}

/// A dependency cycle, if the graph has one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(node: &str, graph: &Graph, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn modules_inside_each_crate_import_one_way() {
    let crates = workspace().join("crates");
    let mut checked = 0;
    for entry in std::fs::read_dir(&crates).expect("crates").flatten() {
        let src = entry.path().join("src");
        if !src.is_dir() {
            continue;
        }
        let graph = crate_graph(&src);
        if let Some(cycle) = find_cycle(&graph) {
            panic!("{}: modules import each other: {}", entry.path().display(), cycle.join(" -> "));
        }
        checked += graph.len();
    }
    assert!(checked > 30, "only {checked} modules found");
}

#[test]
fn the_checker_sees_cycles_through_groups_and_super() {
    let code = "use crate::{a, b::{c, d}};\nuse super::e;\n// crate::not_this\nlet x = $crate::f;";
    let found: Vec<(bool, Vec<String>)> = paths(&code_of(code));
    let names: Vec<String> =
        found.iter().map(|(s, p)| format!("{}{}", if *s { "super::" } else { "" }, p.join("::"))).collect();
    assert_eq!(names, ["a", "b::c", "b::d", "super::e"]);

    let mut graph = Graph::new();
    graph.insert("a".into(), ["b".to_owned()].into());
    graph.insert("b".into(), ["c".to_owned()].into());
    graph.insert("c".into(), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
    graph.get_mut("c").expect("c").insert("a".into());
    assert_eq!(find_cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}

#[test]
fn the_domain_depends_on_no_io_crate() {
    let manifest = std::fs::read_to_string(workspace().join("crates/domain/Cargo.toml")).expect("manifest");
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] table");
    for io in ["actix", "diesel", "alloy", "tokio", "reqwest", "object_store", "hyper"] {
        assert!(
            !dependencies.lines().any(|line| line.trim_start().starts_with(io)),
            "commissary-domain depends on {io}"
        );
    }
}
