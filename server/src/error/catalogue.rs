//! The words of every API error, in one place: `server/i18n/errors.tsv` gives each `code` its
//! Simplified Chinese and English wording (and a wording for when the error names a field), so a
//! client shows `message` to the person as it is, in their language. The code that refused keeps
//! writing its precise reason (English, for developers), which goes beside as `detail`; codes
//! never change with the language.

use std::collections::HashMap;
use std::sync::OnceLock;

use microwish_core::Lang;

/// The catalogue as shipped.
const SOURCE: &str = include_str!("../../i18n/errors.tsv");

/// Key → (Chinese, English).
type Words = HashMap<&'static str, (&'static str, &'static str)>;

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| parse(SOURCE))
}

/// Reads `key<TAB>zh<TAB>en` lines; `#` starts a comment line. A malformed line is a bug in the
/// shipped file, caught by the tests below.
fn parse(source: &'static str) -> Words {
    source
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?, (cols.next()?, cols.next()?)))
        })
        .collect()
}

fn pick(lang: Lang, (zh, en): (&'static str, &'static str)) -> &'static str {
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}

/// The field a refusal names: its detail starts `field: …` (`title: 1 to 100 characters`).
fn field_of(detail: &str) -> Option<&str> {
    let (field, _) = detail.split_once(':')?;
    let plain = !field.is_empty()
        && field
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    plain.then_some(field)
}

/// The message for `code` in `lang`: the field-naming wording when `detail` names a field the
/// catalogue has a wording for, else the code's own; `{seconds}` from `retry_after`. A code the
/// catalogue does not know (a bug the tests catch) reads as the generic `error`.
pub fn message(lang: Lang, code: &str, detail: &str, retry_after: Option<u64>) -> String {
    let words = words();
    let field = field_of(detail);
    let with_field = field.and_then(|_| words.get(format!("{code}@field").as_str()));
    let entry = with_field
        .or_else(|| words.get(code))
        .or_else(|| words.get("error"))
        .copied()
        .unwrap_or(("请求未能完成。", "The request could not be completed."));
    let mut text = pick(lang, entry).to_string();
    if let Some(field) = field {
        let label = words
            .get(format!("field:{field}").as_str())
            .map_or(field, |w| pick(lang, *w));
        text = text.replace("{field}", label);
    }
    if let Some(seconds) = retry_after {
        text = text.replace("{seconds}", &seconds.to_string());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knows(code: &str) -> bool {
        words().contains_key(code)
    }

    /// The codes the catch-all (`to_json`) gives poem's own errors.
    const POEM_CODES: [&str; 11] = [
        "malformed",
        "unauthenticated",
        "forbidden",
        "not_found",
        "method_not_allowed",
        "too_large",
        "unsupported_media_type",
        "invalid_field",
        "rate_limited",
        "internal",
        "error",
    ];

    #[test]
    fn every_line_has_both_languages() {
        for line in SOURCE.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "key, zh-CN, en: `{line}`");
            assert!(cols.iter().all(|c| !c.trim().is_empty()), "`{line}`");
            let (zh, en) = (cols[1], cols[2]);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "Chinese: `{line}`"
            );
            assert!(en.is_ascii(), "English: `{line}`");
            for placeholder in ["{field}", "{seconds}"] {
                assert_eq!(zh.contains(placeholder), en.contains(placeholder), "`{line}`");
            }
        }
        assert_eq!(
            words().len(),
            SOURCE
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .count(),
            "a key twice"
        );
    }

    #[test]
    fn a_field_and_a_wait_are_named_in_the_readers_words() {
        let zh = message(Lang::ZhCn, "invalid_field", "title: 1 to 100 characters", None);
        assert_eq!(zh, "「标题」填写不符合要求，请检查后重试。");
        let en = message(Lang::En, "invalid_field", "title: 1 to 100 characters", None);
        assert_eq!(en, "Please check the title: it is not acceptable.");
        assert_eq!(
            message(Lang::En, "invalid_field", "colour: red", None),
            "Please check the colour: it is not acceptable."
        );
        assert_eq!(
            message(Lang::ZhCn, "invalid_field", "the body is not JSON", None),
            "填写的内容不符合要求，请检查后重试。"
        );
        assert_eq!(
            message(Lang::En, "rate_limited", "", Some(3)),
            "Too many requests: please try again in 3 s."
        );
        assert_eq!(
            message(Lang::En, "claim_lost", "claim_lost: taken", None),
            "Someone else has already claimed this wish."
        );
        assert_eq!(
            message(Lang::En, "no_such_code", "", None),
            "The request could not be completed."
        );
    }

    /// Every code the server can answer, found in the source where errors are made
    /// (`CoreError::invalid(CODE, …)`, `ApiError::new(StatusCode::…, CODE, …)`, …) and in the
    /// catch-all's mapping of poem's own errors, has its words: a new code without them fails here.
    #[test]
    fn every_code_in_the_source_has_words() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut missing = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for dir in ["core/src", "server/src", "console/src", "src"] {
            for (path, text) in rust_files(&root.join(dir)) {
                for code in codes_in(&text) {
                    seen.insert(code.clone());
                    if !knows(&code) {
                        missing.push(format!("{code} ({})", path.display()));
                    }
                }
            }
        }
        for code in POEM_CODES {
            if !knows(code) {
                missing.push(code.to_string());
            }
        }
        assert!(
            missing.is_empty(),
            "codes without words in server/i18n/errors.tsv: {missing:#?}"
        );
        // The scan itself works: it finds codes of every kind of constructor.
        for code in [
            "claim_lost",
            "wrong_code",
            "not_permitted",
            "invalid_code",
            "wechat_busy",
            "not_ready",
        ] {
            assert!(seen.contains(code), "{code} not found by the scan: {seen:?}");
        }
        assert!(seen.len() > 50, "{seen:?}");
    }

    fn rust_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((path.clone(), std::fs::read_to_string(&path).unwrap_or_default()));
            }
        }
        out
    }

    /// The string literal that follows each error constructor: the code.
    fn codes_in(text: &str) -> Vec<String> {
        let mut codes = Vec::new();
        for opener in [
            "Error::invalid(",
            "Error::forbidden(",
            "Error::conflict(",
            "ApiError::new(",
            "Self::new(",
        ] {
            for (at, _) in text.match_indices(opener) {
                let rest = text[at + opener.len()..].trim_start();
                // After a status (`ApiError::new(StatusCode::X, CODE, …)`) the code is the first literal.
                let rest = match rest.find('"') {
                    Some(q) if !rest[..q].contains(['(', ')', ';']) => &rest[q + 1..],
                    _ => continue,
                };
                let code: String = rest.chars().take_while(|c| *c != '"').collect();
                if !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    codes.push(code);
                }
            }
        }
        codes
    }
}
