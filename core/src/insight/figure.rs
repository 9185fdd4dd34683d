//! One measure's figure for one month and scope: a number, or why there is none — never a
//! made-up zero — optionally broken down by wish category.

use serde::{Deserialize, Serialize};

/// A measure's value for one month and scope.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Figure {
    /// The number, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Why there is no number (the data does not exist yet, or nothing to measure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// Per wish category, for the measures that are counted by category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_category: Vec<(String, f64)>,
}

impl Figure {
    /// A number, rounded to two decimals so that snapshots and live figures compare equal.
    pub fn of(value: f64) -> Self {
        Self {
            value: Some((value * 100.0).round() / 100.0),
            ..Self::default()
        }
    }

    /// A count.
    pub fn count(n: i64) -> Self {
        Self::of(n as f64)
    }

    /// No number, and why.
    pub fn none(reason: &str) -> Self {
        Self {
            unavailable: Some(reason.to_string()),
            ..Self::default()
        }
    }

    /// `part / whole`, or no number (`reason`) when the whole is zero.
    pub fn share(part: i64, whole: i64, reason: &str) -> Self {
        if whole == 0 {
            Self::none(reason)
        } else {
            Self::of(part as f64 / whole as f64)
        }
    }

    /// The median of `values`, or no number (`reason`) when there are none.
    pub fn median(mut values: Vec<i64>, reason: &str) -> Self {
        if values.is_empty() {
            return Self::none(reason);
        }
        values.sort_unstable();
        let mid = values.len() / 2;
        let median = if values.len().is_multiple_of(2) {
            (values[mid - 1] + values[mid]) as f64 / 2.0
        } else {
            values[mid] as f64
        };
        Self::of(median)
    }

    /// Adds a breakdown by category.
    pub fn with_categories(self, by_category: Vec<(String, f64)>) -> Self {
        Self { by_category, ..self }
    }
}

/// Which way a measure moved since the month before.
pub fn trend(now: &Figure, before: &Figure) -> Option<&'static str> {
    let (now, before) = (now.value?, before.value?);
    Some(if now > before {
        "up"
    } else if now < before {
        "down"
    } else {
        "flat"
    })
}

#[cfg(test)]
mod tests {
    use super::{Figure, trend};

    #[test]
    fn shares_medians_and_trends() {
        assert_eq!(Figure::share(1, 3, "x").value, Some(0.33));
        assert_eq!(Figure::share(1, 0, "none").unavailable.as_deref(), Some("none"));
        assert_eq!(Figure::median(vec![9, 1, 4, 2], "x").value, Some(3.0));
        assert_eq!(Figure::median(vec![], "x").value, None);
        assert_eq!(trend(&Figure::of(2.0), &Figure::of(1.0)), Some("up"));
        assert_eq!(trend(&Figure::of(1.0), &Figure::of(1.0)), Some("flat"));
        assert_eq!(trend(&Figure::of(1.0), &Figure::none("n")), None);
    }
}
