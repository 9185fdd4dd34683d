//! The digests say what they are about: the leader's daily figures match the data, with the few
//! wishes that need them named and linked to the console; the volunteer's weekly list names the
//! open wishes of their grid with links into the mini-program. Both by WeChat (their own
//! template: count and figures) or by email, in their own words.

use serde_json::json;

use microwish_core::NotificationKind::Digest;
use microwish_core::clock::parse_rfc3339;
use microwish_core::outbox;
use microwish_notifier::Scheduler;
use microwish_notifier::render::{Lang, render};
use microwish_testkit::smtp::SmtpCapture;

use super::{register_templates, sent_to, subscribe};
use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};
use crate::notifier::{email, worker};

const CONSOLE: &str = "https://shequ.example.org";

fn at(text: &str) -> i64 {
    parse_rfc3339(text).expect("an RFC 3339 time")
}

async fn posted(app: &TestApp, who: &TestUser, title: &str, category: &str) -> i64 {
    let body = json!({ "title": title, "description": "请帮帮忙", "category": category });
    app.post("/api/v1/wishes", &who.token, body).await.expect(201)["id"]
        .as_i64()
        .unwrap()
}

both_engines!(digests_name_their_figures_and_wishes, digests, |s| {
    crate::messages::configure(s);
    s.console.public_url = super::CONSOLE.into();
});
async fn digests(app: TestApp) {
    // Friday: a wish that waits unclaimed, and one claimed and then left.
    app.clock.set_ms(at("2026-12-04T10:00:00+08:00"));
    let capture = SmtpCapture::start().await.unwrap();
    let c = Community::seed(&app).await;
    register_templates(&app);
    let worker = worker(&app, &capture, |_| {});
    subscribe(&app, &c.leader_a, &[Digest], 1).await;
    email(&app, &c.volunteer, "xiaowang@example.com").await;
    app.put("/api/v1/me", &c.volunteer.token, json!({ "weekly_digest": true }))
        .await
        .expect(200);
    let waiting = posted(&app, &c.owner, "帮忙取快递", "errand").await;
    let left = posted(&app, &c.other_resident, "修楼道灯", "errand").await;
    app.act(&c.volunteer2, left, "claim", None).await.expect(200);
    // Sunday: three new wishes in grid A — one done and rated 4, one open a day, one medicine
    // unclaimed past its 4 hours — and one in grid B, which is not leader A's.
    app.clock.set_ms(at("2026-12-06T10:00:00+08:00"));
    let done = posted(&app, &c.owner, "帮忙买菜", "errand").await;
    app.act(&c.volunteer, done, "claim", None).await.expect(200);
    app.act(&c.volunteer, done, "fulfil", Some(json!({ "note": "已送到" })))
        .await
        .expect(200);
    app.act(&c.owner, done, "confirm", Some(json!({ "rating": 4 })))
        .await
        .expect(200);
    let fresh = posted(&app, &c.other_resident, "陪我散步", "errand").await;
    let medicine = posted(&app, &c.owner, "买降压药", "medicine").await;
    let elsewhere = app.login("grid-b-resident").await;
    app.profile(&elsewhere, "张阿姨", "13500006666", c.grid_b).await;
    posted(&app, &elsewhere, "修自行车", "errand").await;

    // Monday 09:00: the leader's digest and the volunteer's weekly one.
    app.clock.set_ms(at("2026-12-07T09:00:00+08:00"));
    Scheduler::new(app.db.clone(), app.state().settings.clone(), app.clock.clone())
        .scan_once()
        .await
        .expect("scan");
    while worker.run_once().await.unwrap() > 0 {}

    let mut conn = app.db.pool().acquire().await.unwrap();
    let daily = outbox::list(&mut conn, None, Some("digest"), 10).await.unwrap();
    let weekly = outbox::list(&mut conn, None, Some("weekly_digest"), 10).await.unwrap();
    drop(conn);
    let mine: Vec<_> = daily.iter().filter(|n| n.recipient_id == c.leader_a.id).collect();
    assert_eq!(mine.len(), 1, "{daily:#?}");
    let p = &mine[0].payload;
    let figures = [
        "date",
        "new",
        "closed",
        "open",
        "overdue",
        "escalated",
        "attention",
        "more",
    ]
    .map(|k| p[k].clone());
    assert_eq!(
        figures,
        [
            json!("2026-12-07"),
            json!(3),
            json!(1),
            json!(3),
            json!(1),
            json!(0),
            json!(3),
            json!(0)
        ],
        "{p:#}"
    );
    assert_eq!(p["average_rating"].as_f64(), Some(4.0));
    let named: Vec<(i64, &str)> = p["wishes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["id"].as_i64().unwrap(), w["need"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [(left, "overdue"), (waiting, "unclaimed"), (medicine, "unclaimed")],
        "most pressing, then oldest"
    );
    assert_eq!(p["wishes"][0]["link"], format!("{CONSOLE}/console/wishes/{left}"));

    // The leader subscribed to the digest's template: it comes by WeChat with its count.
    let sent = sent_to(&app, &c.leader_a, Digest);
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0]["data"]["thing1"]["value"], "2026-12-07 网格日报");
    assert_eq!(sent[0]["data"]["number2"]["value"], "3", "wishes that need the leader");
    assert_eq!(sent[0]["data"]["thing4"]["value"], "待认领3，逾期1，新增3");
    assert_eq!(sent[0]["page"], "pages/grid/digest?date=2026-12-07");
    // Its email, in either language, names the figures and the wishes with their links.
    for (lang, words) in [
        (
            Lang::ZhCn,
            [
                "新增心愿 3 个，完成 1 个，平均评分 4.0",
                "待认领 3 个，逾期 1 个",
                "「修楼道灯」认领后逾期未完成",
                "需要您处理的心愿（3 个）",
            ],
        ),
        (
            Lang::En,
            [
                "3 new wishes, 1 closed (average rating 4.0)",
                "3 open, 1 overdue",
                "\"修楼道灯\", claimed and overdue",
                "Wishes that need you (3)",
            ],
        ),
    ] {
        let mail = render(Digest, lang, p, "幸福社区").unwrap();
        for w in words {
            assert!(mail.text.contains(w), "{lang:?} `{w}` in {}", mail.text);
        }
        assert!(
            mail.text.contains(&format!("{CONSOLE}/console/wishes/{medicine}")),
            "{}",
            mail.text
        );
        // As a browser reads the attribute: entities decoded.
        let html = mail.html.replace("&#x2f;", "/").replace("&amp;", "&");
        assert!(
            html.contains(&format!("href=\"{CONSOLE}/console/wishes/{waiting}\"")),
            "{html}"
        );
        assert!(mail.subject.contains('3'), "{}", mail.subject);
    }

    // The volunteer has no quota: the weekly list comes by email, with links into the mini-program.
    assert_eq!(weekly.len(), 1, "only the volunteer who asked: {weekly:#?}");
    let w = &weekly[0].payload;
    assert_eq!((w["open"].clone(), w["grid_id"].clone()), (json!(3), json!(c.grid_a)));
    let listed: Vec<i64> = w["wishes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [waiting, fresh, medicine]);
    let mails = capture.messages();
    let mail = mails
        .iter()
        .find(|m| {
            m.to == ["xiaowang@example.com"] && m.subject().is_some_and(|s| s.contains("本周网格内有 3 个心愿等待认领"))
        })
        .expect("the weekly email");
    let text = mail.text().unwrap();
    for title in ["帮忙取快递", "陪我散步", "买降压药"] {
        assert!(text.contains(&format!("「{title}」")), "{text}");
    }
    assert!(!text.contains("修自行车"), "another grid's wish: {text}");
    let link = format!(
        "weixin://dl/business/?appid={}&path=pages/wish/detail&query=id%3D{fresh}",
        crate::helpers::APPID
    );
    assert!(text.contains(&link), "{text}");
}
