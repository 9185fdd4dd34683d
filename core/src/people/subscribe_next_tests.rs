//! The rules of `subscribe_next`, without a database.

use super::*;
use crate::notify::TemplateMapping;

fn templates() -> WechatTemplates {
    let mut t = WechatTemplates::default();
    for (kind, id) in [
        (WishClaimed, "TC"),
        (WishFulfilled, "TF"),
        (WishApproved, "TS"),
        (WishCancelled, "TS"),
        (WishOverdue, "TO"),
        (EventReminder, "TR"),
        (EventUpdate, "TU"),
        (Alert, "TA"),
    ] {
        t.set(kind, TemplateMapping::classic(id));
    }
    t
}

/// A resident whose wish is in hand, who also holds a claim, registered for an event and leads a grid.
fn busy() -> Outlook {
    Outlook {
        in_hand: true,
        holding: true,
        event: true,
        leader: true,
        ..Default::default()
    }
}

fn ids(s: &[Suggestion]) -> Vec<&str> {
    s.iter().map(|s| s.template_id.as_str()).collect()
}

#[test]
fn a_state_calls_for_the_news_it_makes_likely() {
    let open = Outlook {
        open: true,
        ..Default::default()
    };
    assert_eq!(likely(&open).iter().map(|(k, _)| *k).collect::<Vec<_>>(), [WishClaimed]);
    let busy = busy();
    let kinds: Vec<_> = likely(&busy).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        kinds,
        [
            WishFulfilled,
            WishOverdue,
            WishCancelled,
            EventReminder,
            EventUpdate,
            Alert,
            Digest
        ]
    );
    assert!(likely(&Outlook::default()).is_empty(), "nothing coming, nothing asked");
}

#[test]
fn least_stock_first_then_soonest_at_most_three_each_once() {
    let t = templates();
    let quota = HashMap::from([("TF".to_string(), 3), ("TO".to_string(), 1)]);
    let busy = busy();
    let s = suggest(&likely(&busy), &t, &[], &quota);
    assert_eq!(ids(&s), ["TS", "TR", "TU"], "none left of these; TO has one, TF three");
    assert_eq!(s[0].kind, WishCancelled);
    assert_eq!(s[0].remaining, 0);
    let plenty: HashMap<String, i64> = ["TF", "TO", "TS", "TR", "TU", "TA"]
        .iter()
        .map(|i| (i.to_string(), 5))
        .collect();
    assert_eq!(
        ids(&suggest(&likely(&busy), &t, &[], &plenty)),
        ["TF", "TO", "TS"],
        "all stocked: soonest first"
    );
    // A template shared by two kinds is asked once; one without quota tracking, never.
    let holding = Outlook {
        holding: true,
        in_review: true,
        ..Default::default()
    };
    assert_eq!(
        ids(&suggest(&likely(&holding), &t, &["TO".into()], &HashMap::new())),
        ["TS"]
    );
    // Kinds without a template are passed over.
    let visitor = Outlook {
        visitor: true,
        weekly: true,
        ..Default::default()
    };
    assert!(suggest(&likely(&visitor), &t, &[], &HashMap::new()).is_empty());
}
