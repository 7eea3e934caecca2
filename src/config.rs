//! User configuration, shared by the server (`initializationOptions`,
//! `workspace/didChangeConfiguration`, `workspace/configuration`) and the command line.
//!
//! Every field has a default, so Scholion works with no configuration at all. Unknown keys are
//! ignored; a malformed section is reported and replaced by its default rather than rejected.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::finding::Severity;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    /// Glob patterns (relative to a workspace folder) of the files to index.
    pub include: Vec<String>,
    /// Glob patterns of files to leave out, on top of `.gitignore`.
    pub exclude: Vec<String>,
    /// Extra glossary files (TOML), later ones overriding earlier ones.
    pub glossaries: Vec<String>,
    /// Per-rule settings, keyed by rule code.
    pub rules: BTreeMap<String, RuleSetting>,
    /// At most this many diagnostics per document; the rest are summarised in one.
    pub max_diagnostics_per_file: usize,
    /// Files larger than this many bytes are not indexed.
    pub max_file_size: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            include: vec!["**/*.txt".to_string()],
            exclude: Vec::new(),
            glossaries: Vec::new(),
            rules: BTreeMap::new(),
            max_diagnostics_per_file: 500,
            max_file_size: 16 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct RuleSetting {
    pub enabled: bool,
    /// Overrides the rule's default severity.
    pub severity: Option<Severity>,
}

impl Default for RuleSetting {
    fn default() -> Self {
        RuleSetting { enabled: true, severity: None }
    }
}

impl Config {
    /// Read a configuration sent by an editor. Accepts the settings object itself or one wrapped
    /// in a `scholion` section. Returns the configuration and a warning for every part that was
    /// malformed and fell back to its default.
    pub fn from_json(value: &Value) -> (Config, Vec<String>) {
        let mut warnings = Vec::new();
        let section = match value.get("scholion") {
            Some(inner) => inner,
            None => value,
        };
        // Some clients (Neovim) encode an empty settings table as `[]`.
        if section.as_array().is_some_and(Vec::is_empty) {
            return (Config::default(), warnings);
        }
        let Value::Object(fields) = section else {
            if !section.is_null() {
                warnings.push(format!("configuration must be an object, got `{section}`"));
            }
            return (Config::default(), warnings);
        };
        // Field by field, so one bad value does not discard the rest.
        let mut config = Config::default();
        for (key, field) in fields {
            let single = Value::Object([(key.clone(), field.clone())].into_iter().collect());
            match serde_json::from_value::<PartialConfig>(single) {
                Ok(partial) => partial.apply_to(&mut config),
                Err(err) => warnings.push(format!("ignoring setting `{key}`: {err}")),
            }
        }
        (config, warnings)
    }

    pub fn rule(&self, code: &str) -> RuleSetting {
        self.rules.get(code).cloned().unwrap_or_default()
    }
}

/// The same fields, all optional, to merge one setting at a time.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PartialConfig {
    include: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    glossaries: Option<Vec<String>>,
    rules: Option<BTreeMap<String, RuleSetting>>,
    max_diagnostics_per_file: Option<usize>,
    max_file_size: Option<u64>,
}

impl PartialConfig {
    fn apply_to(self, config: &mut Config) {
        if let Some(v) = self.include {
            config.include = v;
        }
        if let Some(v) = self.exclude {
            config.exclude = v;
        }
        if let Some(v) = self.glossaries {
            config.glossaries = v;
        }
        if let Some(v) = self.rules {
            config.rules = v;
        }
        if let Some(v) = self.max_diagnostics_per_file {
            config.max_diagnostics_per_file = v;
        }
        if let Some(v) = self.max_file_size {
            config.max_file_size = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_and_null_configuration_give_defaults() {
        assert_eq!(Config::from_json(&Value::Null), (Config::default(), vec![]));
        assert_eq!(Config::from_json(&json!({})).0, Config::default());
        assert_eq!(Config::from_json(&json!([])), (Config::default(), vec![]));
        assert_eq!(Config::from_json(&json!({"scholion": []})), (Config::default(), vec![]));
        assert_eq!(Config::from_json(&json!(5)).1.len(), 1);
    }

    #[test]
    fn wrapped_section_with_one_bad_field() {
        let (config, warnings) = Config::from_json(&json!({"scholion": {
            "include": ["**/*.md"],
            "maxFileSize": "big",
            "rules": {"garbled-character": {"severity": "error"}, "page-furniture": {"enabled": false}}
        }}));
        assert_eq!(config.include, vec!["**/*.md"]);
        assert_eq!(config.max_file_size, Config::default().max_file_size);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("maxFileSize"));
        assert_eq!(config.rule("garbled-character").severity, Some(Severity::Error));
        assert!(!config.rule("page-furniture").enabled);
        assert!(config.rule("anything-else").enabled);
    }
}
