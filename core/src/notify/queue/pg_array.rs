//! PostgreSQL array literals (`{1,2}`, `{"a","b\"c",NULL}`), for passing a column of a batch as
//! one parameter to `unnest`: sqlx's `Any` driver binds no arrays, so each travels as text and
//! is cast in the statement (`$3::BIGINT[]`). Text elements are always quoted, with `"` and `\`
//! escaped — the whole of the quoting rule of `array_in` — so no content can end an element.

/// `{1,2,3}`.
pub(super) fn ints(values: impl Iterator<Item = i64>) -> String {
    let items: Vec<String> = values.map(|v| v.to_string()).collect();
    format!("{{{}}}", items.join(","))
}

/// `{"a","b\"c",NULL}`.
pub(super) fn texts<'a>(values: impl Iterator<Item = Option<&'a str>>) -> String {
    let mut out = String::from("{");
    for (i, value) in values.enumerate() {
        if i > 0 {
            out.push(',');
        }
        match value {
            None => out.push_str("NULL"),
            Some(text) => {
                out.push('"');
                for c in text.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            }
        }
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_listed() {
        assert_eq!(ints([1, -2, 30].into_iter()), "{1,-2,30}");
        assert_eq!(ints(std::iter::empty()), "{}");
    }

    #[test]
    fn text_is_quoted_and_escaped_and_null_is_bare() {
        let values = [Some("sent"), None, Some(r#"say "hi" \ {a,b}"#), Some(""), Some("NULL")];
        assert_eq!(
            texts(values.into_iter()),
            r#"{"sent",NULL,"say \"hi\" \\ {a,b}","","NULL"}"#
        );
    }
}
