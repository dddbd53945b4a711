//! Records the git commit the CLI is built from (`slam-lab --version`, and `provenance.commit` in
//! every JSON it prints): the short hash, with `-dirty` when tracked files differ from it, or nothing
//! outside a git checkout (a crate tarball, a copy without `.git`).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).map(|hash| {
        let dirty =
            git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
        if dirty {
            format!("{hash}-dirty")
        } else {
            hash
        }
    });
    println!(
        "cargo:rustc-env=SLAM_LAB_COMMIT={}",
        commit.unwrap_or_default()
    );
    // A new commit, a checkout or a staged change; the sources themselves rebuild the crate anyway.
    for path in [".git/HEAD", ".git/index", ".git/refs"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
