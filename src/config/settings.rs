//! The settings a method declares next to its code (rows made by [`super::keys::setting`], each
//! with its default), as a config holds them: by dotted path. The decoder keeps every key it does
//! not know as written; the check ([`super::Config::check`]) reads each against the keys the
//! method table declares, refuses the ones nobody declares, and fills in every default, so a checked
//! config holds a typed value for every declared setting.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::keys::{Key, Kind, Rule, Val};
use crate::decode::{self, Decoded};
use crate::{Error, Result};

/// One setting's value.
#[derive(Clone, PartialEq)]
pub enum Setting {
    /// As the config wrote it, not yet read against its key.
    Given(Value),
    /// A whole number.
    Int(u64),
    /// A number.
    Float(f32),
}

impl std::fmt::Debug for Setting {
    /// As JSON (serde_json's `Value` has a long `Debug` of its own).
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Setting::Given(v) => write!(f, "{v} (unread)"),
            Setting::Int(v) => write!(f, "{v}"),
            Setting::Float(v) => write!(f, "{v:?}"),
        }
    }
}

/// Method settings by dotted path (`ups.ensemble`): as given until the check, then in the order the
/// methods declare them. Two are equal when they hold the same values, in any order.
#[derive(Clone, Debug, Default)]
pub struct Settings(Vec<(String, Setting)>);

impl PartialEq for Settings {
    fn eq(&self, other: &Settings) -> bool {
        self.0.len() == other.0.len() && self.0.iter().all(|(p, v)| other.get(p) == Some(v))
    }
}

impl Settings {
    fn get(&self, path: &str) -> Option<&Setting> {
        self.0.iter().find(|(p, _)| p == path).map(|(_, v)| v)
    }

    /// Hold `v` at `path`, in place of any value there.
    fn put(&mut self, path: String, v: Setting) {
        match self.0.iter_mut().find(|(p, _)| *p == path) {
            Some(slot) => slot.1 = v,
            None => self.0.push((path, v)),
        }
    }

    /// Keep a key the config's own fields do not know, as written; an object is a section of
    /// settings (`"ups": {...}`), kept key by key.
    pub(super) fn keep(&mut self, path: String, v: &Value) {
        match v {
            Value::Object(section) => {
                for (k, x) in section {
                    self.put(format!("{path}.{k}"), Setting::Given(x.clone()));
                }
            }
            _ => {
                self.put(path, Setting::Given(v.clone()));
            }
        }
    }

    /// Set a whole-number setting (the memory estimate's knobs).
    pub fn set_int(&mut self, path: &str, v: u64) {
        self.put(path.to_string(), Setting::Int(v));
    }

    /// Set a number setting.
    pub fn set_float(&mut self, path: &str, v: f32) {
        self.put(path.to_string(), Setting::Float(v));
    }

    /// A whole-number setting of a checked config.
    pub fn int(&self, path: &str) -> u64 {
        match self.get(path) {
            Some(Setting::Int(v)) => *v,
            _ => panic!("setting `{path}` read as a whole number before the check"),
        }
    }

    /// A whole-number setting of a checked config, as a count.
    pub fn usize(&self, path: &str) -> usize {
        self.int(path) as usize
    }

    /// A number setting of a checked config.
    pub fn f32(&self, path: &str) -> f32 {
        match self.get(path) {
            Some(Setting::Float(v)) => *v,
            _ => panic!("setting `{path}` read as a number before the check"),
        }
    }

    /// The value of `key` (its default when not given), as the check reads it.
    pub(super) fn val(&self, key: &Key, default: f64) -> Val<'static> {
        match self.get(key.path) {
            Some(Setting::Int(v)) => Val::Int(*v),
            Some(Setting::Float(v)) => Val::Float(*v),
            Some(Setting::Given(_)) => Val::Named,
            None => match key.kind {
                Kind::Float { .. } => Val::Float(default as f32),
                _ => Val::Int(default as u64),
            },
        }
    }

    /// Read every given value against the declared keys, then hold every declared setting, in the
    /// order declared, its default where none was given. An undeclared path is refused as an
    /// unknown key, with the keys its section (or the config) does know.
    pub(super) fn read(&mut self, declared: &[&Key], top: &[&str]) -> Result<()> {
        let mut given = std::mem::take(&mut self.0);
        for (path, s) in given.iter_mut() {
            let Setting::Given(v) = s else { continue };
            let Some(key) = declared.iter().find(|k| k.path == path) else {
                return Err(unknown(path, v, declared, top));
            };
            *s = read_value(key, v, path).map_err(|e| Error::config(e.path, e.message))?;
        }
        for key in declared {
            let at = given.iter().position(|(p, _)| p == key.path);
            let v = match (at, key.get) {
                (Some(i), _) => given.swap_remove(i).1,
                (None, super::keys::Get::Setting(d)) => match key.kind {
                    Kind::Float { .. } => Setting::Float(d as f32),
                    _ => Setting::Int(d as u64),
                },
                (None, super::keys::Get::Field(_)) => continue,
            };
            self.0.push((key.path.to_string(), v));
        }
        Ok(())
    }

    /// Write each setting as an entry of `map`, a section's (`ups.`) inside one object.
    pub(super) fn write<M: SerializeMap>(&self, map: &mut M) -> std::result::Result<(), M::Error> {
        let mut sections: Vec<&str> = Vec::new();
        for (path, v) in &self.0 {
            match path.split_once('.') {
                None => map.serialize_entry(path, v)?,
                Some((section, _)) if !sections.contains(&section) => {
                    sections.push(section);
                    map.serialize_entry(section, &Section(&self.0, section))?;
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// The settings of one section (`ups`), as an object of their names.
struct Section<'a>(&'a [(String, Setting)], &'a str);

impl Serialize for Section<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (path, v) in self.0 {
            if let Some(name) = path.strip_prefix(self.1).and_then(|p| p.strip_prefix('.')) {
                map.serialize_entry(name, v)?;
            }
        }
        map.end()
    }
}

/// A given value as its key's kind reads it (serde's messages, as for the config's own fields).
fn read_value(key: &Key, v: &Value, path: &str) -> Decoded<Setting> {
    Ok(match key.kind {
        Kind::Float { .. } => Setting::Float(decode::f32_(v, path)?),
        _ => Setting::Int(decode::usize_(v, path)? as u64),
    })
}

/// The error for a key nobody declares: as serde's for an unknown field, listing what the section
/// (`ups.`) or the config knows; a section given as a non-object is refused as not a map.
fn unknown(path: &str, v: &Value, declared: &[&Key], top: &[&str]) -> Error {
    let in_section = |section: &str| {
        let prefix = format!("{section}.");
        declared
            .iter()
            .filter_map(|k| k.path.strip_prefix(prefix.as_str()))
            .collect::<Vec<&str>>()
    };
    let (section, name) = match path.rsplit_once('.') {
        Some((s, n)) => (s, n),
        None => ("", path),
    };
    if section.is_empty() && !in_section(name).is_empty() {
        let e = decode::invalid_type::<()>(path, v, &format!("the settings of `{name}`"));
        let e = e.expect_err("invalid_type fails");
        return Error::config(e.path, e.message);
    }
    let mut known: Vec<&str> = if section.is_empty() {
        let mut names: Vec<&str> = top.to_vec();
        for k in declared {
            let first = k.path.split('.').next().unwrap_or(k.path);
            if !names.contains(&first) {
                names.push(first);
            }
        }
        names
    } else {
        in_section(section)
    };
    known.dedup();
    let quoted: Vec<String> = known.iter().map(|n| format!("`{n}`")).collect();
    Error::config(
        path,
        format!(
            "unknown field `{name}`, expected one of {}",
            quoted.join(", ")
        ),
    )
}

impl Serialize for Settings {
    /// As the config writes them: `ups.ensemble` inside an `ups` object.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        self.write(&mut map)?;
        map.end()
    }
}

impl Serialize for Setting {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Setting::Given(v) => v.serialize(s),
            Setting::Int(v) => s.serialize_u64(*v),
            Setting::Float(v) => s.serialize_f32(*v),
        }
    }
}

/// The declared keys of a catalogue, each once (methods that share a setting declare the same row).
pub fn declared<'a>(rows: impl IntoIterator<Item = &'a MethodSettings>) -> Vec<&'static Key> {
    let mut out: Vec<&'static Key> = Vec::new();
    for k in rows.into_iter().flat_map(|m| m.own.iter()) {
        if !out.iter().any(|o| o.path == k.path) {
            out.push(k);
        }
    }
    out
}

/// What a method's row says of its settings: the config's own keys it reads, the settings it
/// declares (with their defaults) and the rules between them. Written as the list of every key
/// path it reads, for the page to show its controls.
#[derive(Clone, Copy, Debug)]
pub struct MethodSettings {
    /// Keys of the config's own it reads (SLaM's α and k keys).
    pub shared: &'static [&'static str],
    /// Settings it declares; methods that share one declare the same row.
    pub own: &'static [Key],
    /// Rules between its settings.
    pub rules: &'static [super::keys::Rule],
}

impl MethodSettings {
    /// No settings.
    pub const NONE: MethodSettings = MethodSettings {
        shared: &[],
        own: &[],
        rules: &[],
    };

    /// Every key path it reads: the shared ones, then its own.
    pub fn paths(&self) -> impl Iterator<Item = &'static str> {
        self.shared
            .iter()
            .copied()
            .chain(self.own.iter().map(|k| k.path))
    }
}

impl Serialize for MethodSettings {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.paths())
    }
}

/// The rules of a catalogue's settings, each once.
pub fn rules<'a>(rows: impl IntoIterator<Item = &'a MethodSettings>) -> Vec<&'static Rule> {
    let mut out: Vec<&'static Rule> = Vec::new();
    for r in rows.into_iter().flat_map(|m| m.rules.iter()) {
        if !out.iter().any(|o| o.path == r.path && o.text == r.text) {
            out.push(r);
        }
    }
    out
}
