//! The README's "Where each method comes from" is the engine's method table: every method appears in
//! one row, and each row's source (up to its first "; ", italics and a leading "after " aside) is the
//! engine's `source` of each method it names.

use slam_lab::methods::TABLE;

#[test]
fn the_readme_cites_each_method_as_the_engine_does() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Where each method comes from")
        .nth(1)
        .expect("the README has the section")
        .split("\n## ")
        .next()
        .unwrap();
    let mut seen: Vec<&str> = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 2, "{line}");
        let cited = cells[1].replace('*', "");
        let cited = cited.split("; ").next().unwrap();
        let cited = cited.strip_prefix("after ").unwrap_or(cited);
        for name in cells[0].split(", ").map(|n| n.trim_matches('`')) {
            let facts = TABLE.iter().find(|f| f.name == name).unwrap_or_else(|| {
                panic!("the README cites `{name}`, which the engine does not know")
            });
            assert_eq!(
                cited, facts.source,
                "`{name}`: the README's source and the engine's differ"
            );
            assert!(!seen.contains(&name), "`{name}` is cited twice");
            seen.push(name);
        }
    }
    for f in TABLE {
        assert!(
            seen.contains(&f.name),
            "the README does not say where `{}` comes from",
            f.name
        );
    }
}
