//! Charts as pictures: small server-rendered SVGs — a trend line over months and bars per grid.
//! Every mark carries its number in `data-value` (and its month or grid), so a test, a screen
//! reader's title and the picture all say the same thing. Colours are presentation attributes,
//! not inline styles, so the console's strict CSP lets them through.

use std::fmt::Write;

/// One labelled number (a month's value, or a grid's); `None` where there is no number.
pub struct Mark {
    /// The month (`YYYY-MM`) or the grid's name.
    pub label: String,
    /// The value.
    pub value: Option<f64>,
    /// Where the mark leads (a grid's drill-down), if anywhere.
    pub href: Option<String>,
}

const W: f64 = 320.0;
const H: f64 = 120.0;
const PAD: f64 = 22.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number as people read it: no trailing `.0`.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn top(marks: &[Mark]) -> f64 {
    marks
        .iter()
        .filter_map(|m| m.value)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE)
}

/// A trend line over `marks` (oldest first); gaps where a month has no number.
pub fn line(measure: &str, title: &str, marks: &[Mark]) -> String {
    let max = top(marks);
    let step = (W - 2.0 * PAD) / (marks.len().max(2) - 1) as f64;
    let at = |i: usize, v: f64| (PAD + i as f64 * step, H - PAD - v / max * (H - 2.0 * PAD));
    let mut svg = format!(
        r#"<svg class="chart line" data-measure="{measure}" viewBox="0 0 {W} {H}" role="img"><title>{}</title>"#,
        escape(title)
    );
    let _ = write!(
        svg,
        r##"<line x1="{PAD}" y1="{0}" x2="{1}" y2="{0}" stroke="#ccc"/>"##,
        H - PAD,
        W - PAD
    );
    let mut path = String::new();
    for (i, m) in marks.iter().enumerate() {
        match m.value {
            Some(v) => {
                let (x, y) = at(i, v);
                let _ = write!(path, "{}{x:.1},{y:.1} ", if path.is_empty() { "M" } else { "L" });
            }
            None if !path.is_empty() => {
                let _ = write!(
                    svg,
                    r##"<path d="{path}" fill="none" stroke="#c0392b" stroke-width="2"/>"##
                );
                path.clear();
            }
            None => {}
        }
    }
    if !path.is_empty() {
        let _ = write!(
            svg,
            r##"<path d="{path}" fill="none" stroke="#c0392b" stroke-width="2"/>"##
        );
    }
    for (i, m) in marks.iter().enumerate() {
        let x = PAD + i as f64 * step;
        let month = escape(&m.label);
        let short = month.get(5..).unwrap_or(&month);
        let _ = write!(
            svg,
            r##"<text x="{x:.1}" y="{}" font-size="9" text-anchor="middle" fill="#666">{short}</text>"##,
            H - 6.0
        );
        if let Some(v) = m.value {
            let (x, y) = at(i, v);
            let n = number(v);
            let _ = write!(
                svg,
                r##"<circle class="point" cx="{x:.1}" cy="{y:.1}" r="3" fill="#c0392b" data-month="{month}" data-value="{n}"><title>{month}: {n}</title></circle><text x="{x:.1}" y="{:.1}" font-size="9" text-anchor="middle">{n}</text>"##,
                y - 6.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one per grid; a grid without a number gets no bar and a dash.
pub fn bars(measure: &str, title: &str, marks: &[Mark]) -> String {
    let max = top(marks);
    let row = 20.0;
    let label_w = 90.0;
    let height = row * marks.len().max(1) as f64 + 4.0;
    let mut svg = format!(
        r#"<svg class="chart bars" data-measure="{measure}" viewBox="0 0 {W} {height}" role="img"><title>{}</title>"#,
        escape(title)
    );
    for (i, m) in marks.iter().enumerate() {
        let y = 2.0 + i as f64 * row;
        let name = escape(&m.label);
        let label = format!(
            r##"<text x="0" y="{:.1}" font-size="11" fill="#333">{name}</text>"##,
            y + 13.0
        );
        match &m.href {
            Some(href) => {
                let _ = write!(svg, r#"<a href="{}">{label}</a>"#, escape(href));
            }
            None => svg.push_str(&label),
        }
        let Some(v) = m.value else {
            let _ = write!(
                svg,
                r##"<text x="{label_w}" y="{:.1}" font-size="11" fill="#999">–</text>"##,
                y + 13.0
            );
            continue;
        };
        let width = (v / max * (W - label_w - 40.0)).max(1.0);
        let n = number(v);
        let _ = write!(
            svg,
            r##"<rect class="bar" x="{label_w}" y="{y:.1}" width="{width:.1}" height="{:.1}" fill="#c0392b" data-grid="{name}" data-value="{n}"><title>{name}: {n}</title></rect><text x="{:.1}" y="{:.1}" font-size="11">{n}</text>"##,
            row - 6.0,
            label_w + width + 4.0,
            y + 13.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::{Mark, bars, line};

    fn mark(label: &str, value: Option<f64>) -> Mark {
        Mark {
            label: label.into(),
            value,
            href: None,
        }
    }

    #[test]
    fn every_mark_carries_its_number() {
        let svg = line(
            "m",
            "t",
            &[
                mark("2026-09", None),
                mark("2026-10", Some(0.75)),
                mark("2026-11", Some(1.0)),
            ],
        );
        assert!(svg.contains(r#"data-month="2026-10" data-value="0.75""#), "{svg}");
        assert!(svg.contains(r#"data-month="2026-11" data-value="1""#));
        assert!(!svg.contains(r#"data-month="2026-09""#));
        let svg = bars("m", "t", &[mark("第<一>网格", Some(3.0)), mark("二", None)]);
        assert!(svg.contains(r#"data-grid="第&lt;一&gt;网格" data-value="3""#), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 1);
    }
}
