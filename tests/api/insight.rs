//! The four indicators over HTTP, on both engines: a month seeded through the API (wishes
//! posted, claimed, released, fulfilled, rated) plus the register's households and a few alerts,
//! whose figures are counted by hand below; the closed month kept as computed when a resident
//! moves; the current month live; who may read what; the CSV of every grid × month.

use serde_json::{Value, json};
use sqlx::Row;

use crate::both_engines;
use crate::helpers::{Community, TestApp, TestUser};

pub const MIN: i64 = 60_000;
pub const HOUR: i64 = 60 * MIN;
/// 2026-10-01T00:00+08:00 (the default community time zone is Asia/Shanghai).
pub const OCT: i64 = 1_790_784_000_000;
/// 2026-10-10T10:00+08:00.
pub const T0: i64 = OCT + 9 * 24 * HOUR + 10 * HOUR;
/// 2026-11-15T12:00+08:00: "now" while reading October.
pub const NOV_15: i64 = OCT + 45 * 24 * HOUR + 12 * HOUR;

async fn exec(app: &TestApp, sql: &str, binds: &[i64]) -> i64 {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = q.bind(*b);
    }
    let row = q.fetch_optional(app.db.pool()).await.unwrap();
    row.map_or(0, |r| r.get::<i64, _>(0))
}

/// A building per grid and four households in grid A (one never acts), one in grid B.
pub async fn register(app: &TestApp, c: &Community) -> i64 {
    let building = "INSERT INTO buildings (grid_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id";
    let a = sqlx::query(building)
        .bind(c.grid_a)
        .bind("A1")
        .bind(OCT)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let b = sqlx::query(building)
        .bind(c.grid_b)
        .bind("B1")
        .bind(OCT)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let (a, b): (i64, i64) = (a.get(0), b.get(0));
    let household =
        "INSERT INTO households (building_id, room, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id";
    let mut ids = Vec::new();
    for (building, room) in [(a, "101"), (a, "102"), (a, "103"), (a, "104"), (b, "201")] {
        let r = sqlx::query(household)
            .bind(building)
            .bind(room)
            .bind(OCT)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        ids.push(r.get::<i64, _>(0));
    }
    let lives = "UPDATE users SET household_id = $1 WHERE id = $2 RETURNING id";
    for (user, household) in [
        (c.owner.id, ids[0]),
        (c.other_resident.id, ids[1]),
        (c.volunteer.id, ids[2]),
        (c.volunteer2.id, ids[2]),
        (c.leader_b.id, ids[4]),
    ] {
        exec(app, lives, &[household, user]).await;
    }
    ids[4]
}

pub async fn at(app: &TestApp, ms: i64) {
    app.clock.set_ms(ms);
}

/// October in grid A: W1 claimed after 30 min, fulfilled an hour later, rated 5; W2 claimed
/// after 25 h (past the 24 h limit for errands) and released; W3 cancelled. Grid B: W4 open.
pub async fn october(app: &TestApp, c: &Community) {
    at(app, T0).await;
    let w1 = app.wish(&c.owner, "买药").await["id"].as_i64().unwrap();
    app.wish(&c.leader_b, "修灯").await;
    at(app, T0 + 30 * MIN).await;
    app.act(&c.volunteer, w1, "claim", None).await.expect(200);
    at(app, T0 + HOUR).await;
    let w2 = app.wish(&c.other_resident, "陪诊").await["id"].as_i64().unwrap();
    at(app, T0 + 90 * MIN).await;
    app.act(&c.volunteer, w1, "fulfil", Some(json!({ "note": "送到了" })))
        .await
        .expect(200);
    at(app, T0 + 2 * HOUR).await;
    app.act(&c.owner, w1, "confirm", Some(json!({ "rating": 5 })))
        .await
        .expect(200);
    at(app, T0 + 3 * HOUR).await;
    let w3 = app.wish(&c.owner, "取快递").await["id"].as_i64().unwrap();
    at(app, T0 + 4 * HOUR).await;
    app.act(&c.owner, w3, "cancel", Some(json!({}))).await.expect(200);
    at(app, T0 + 26 * HOUR).await;
    app.act(&c.volunteer2, w2, "claim", None).await.expect(200);
    at(app, T0 + 27 * HOUR).await;
    app.act(&c.volunteer2, w2, "release", Some(json!({ "reason": "临时有事" })))
        .await
        .expect(200);
    // What the scheduler would have recorded: the unclaimed alert (acknowledged after 20 min),
    // its escalation to the admins (never acknowledged), and the hour credited for W1.
    let alert = "INSERT INTO alerts (kind, level, wish_id, grid_id, status, unique_key, summary, created_at, acked_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'open', $5, 's', $6, $7, $6) RETURNING id";
    for (kind, level, key, created, acked) in [
        ("unclaimed", 1, "k1", T0 + 25 * HOUR, Some(T0 + 25 * HOUR + 20 * MIN)),
        ("unclaimed_escalated", 2, "k2", T0 + 25 * HOUR + 30 * MIN, None),
    ] {
        sqlx::query(alert)
            .bind(kind)
            .bind(level)
            .bind(w2)
            .bind(c.grid_a)
            .bind(key)
            .bind(created)
            .bind(acked)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    }
    let hours = "INSERT INTO volunteer_hours (user_id, minutes, source, wish_id, unique_key, created_at) \
                 VALUES ($1, 90, 'wish', $2, 'wish:test', $3) RETURNING id";
    exec(app, hours, &[c.volunteer.id, w1, T0 + 3 * HOUR]).await;
}

fn measure<'a>(report: &'a Value, indicator: &str, key: &str) -> &'a Value {
    report[indicator]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == key)
        .unwrap_or_else(|| panic!("{key}"))
}

fn value(report: &Value, indicator: &str, key: &str) -> Value {
    measure(report, indicator, key)["value"].clone()
}

async fn grid_b_of(app: &TestApp, admin: &TestUser, c: &Community) -> Value {
    insight(app, &admin.token, &format!("month=2026-10&grid_id={}", c.grid_b)).await
}

async fn insight(app: &TestApp, token: &str, query: &str) -> Value {
    app.get(&format!("/api/v1/insight?{query}"), token).await.expect(200)
}

async fn seeded_month_counted_by_hand(app: TestApp) {
    at(&app, OCT + HOUR).await;
    let c = Community::seed(&app).await;
    // The volunteers are party members: one in-service, one of the community's own.
    let branch = app.branch(&c.admin, "第一党支部", &[c.grid_a]).await;
    app.set_party(&c.admin, &c.volunteer, branch, "in_service")
        .await
        .expect(200);
    app.set_party(&c.admin, &c.volunteer2, branch, "community")
        .await
        .expect(200);
    let b_household = register(&app, &c).await;
    october(&app, &c).await;
    at(&app, NOV_15).await;
    // October's sessions have expired by now.
    let admin = app.login(&c.admin.openid).await;
    let resident = app.login(&c.other_resident.openid).await;
    let grid_a = insight(&app, &admin.token, &format!("month=2026-10&grid_id={}", c.grid_a)).await;
    assert_eq!(grid_a["live"], false, "{grid_a}");
    let expected = [
        ("participation", "households_active", json!(0.75)),
        ("participation", "event_attendance", json!(0.0)),
        ("coordination", "median_minutes_to_claim", json!(765.0)),
        ("coordination", "median_minutes_to_fulfil", json!(60.0)),
        ("coordination", "claimed_within_sla", json!(0.5)),
        ("coordination", "escalations", json!(1.0)),
        ("coordination", "median_minutes_to_acknowledge", json!(20.0)),
        ("coordination", "handoffs", json!(1.0)),
        ("supply_demand", "fulfilment_rate", json!(0.33)),
        ("supply_demand", "unclaimed_past_sla", json!(1.0)),
        ("supply_demand", "demand", json!(3.0)),
        ("supply_demand", "volunteer_supply", json!(2.0)),
        ("supply_demand", "demand_per_volunteer", json!(1.5)),
        ("supply_demand", "average_rating", json!(5.0)),
        ("supply_demand", "callbacks", json!(0.0)),
        ("resources", "volunteer_hours", json!(1.5)),
        ("resources", "projects_delivered", json!(0.0)),
    ];
    for (indicator, key, want) in &expected {
        assert_eq!(&value(&grid_a, indicator, key), want, "{key}: {grid_a}");
    }
    let demand = measure(&grid_a, "supply_demand", "demand");
    assert_eq!(demand["by_category"], json!([{ "category": "errand", "value": 3.0 }]));
    assert!(demand["definition"].as_str().unwrap().contains("posted"));
    // Both members acted in October (hours credited, a claim). The in-service one has 1.5 hours
    // by 1 November against 24 × 10/12 = 20 due: not on track.
    assert_eq!(value(&grid_a, "participation", "party_members_active"), json!(2.0));
    assert_eq!(
        value(&grid_a, "participation", "in_service_members_on_track"),
        json!(0.0)
    );
    assert_eq!(
        value(
            &grid_b_of(&app, &admin, &c).await,
            "participation",
            "party_members_active"
        ),
        json!(0.0)
    );
    let community = insight(&app, &admin.token, "month=2026-10").await;
    assert_eq!(value(&community, "participation", "households_active"), json!(0.8));
    assert_eq!(value(&community, "supply_demand", "demand"), json!(4.0));
    assert_eq!(value(&community, "supply_demand", "fulfilment_rate"), json!(0.25));

    // The owner moves to grid B: October stays as it was computed.
    exec(
        &app,
        "UPDATE users SET household_id = $1, grid_id = $2 WHERE id = $3 RETURNING id",
        &[b_household, c.grid_b, c.owner.id],
    )
    .await;
    let again = insight(&app, &admin.token, &format!("month=2026-10&grid_id={}", c.grid_a)).await;
    assert_eq!(value(&again, "participation", "households_active"), json!(0.75));
    let settings = app.state().settings.clone();
    let mut conn = app.db.pool().acquire().await.unwrap();
    let october = microwish_core::insight::Month::parse("2026-10").unwrap();
    let recomputed = microwish_core::insight::compute(&mut conn, &settings, c.grid_a, october)
        .await
        .unwrap();
    assert_eq!(
        recomputed["households_active"].value,
        Some(0.5),
        "a recomputation would rewrite history"
    );
    drop(conn);

    // November is live, with October beside it.
    let live = insight(&app, &admin.token, &format!("grid_id={}", c.grid_a)).await;
    assert_eq!(
        (live["month"].as_str(), live["live"].as_bool()),
        (Some("2026-11"), Some(true))
    );
    let households = measure(&live, "participation", "households_active");
    assert_eq!(
        (households["value"].clone(), households["previous"].clone()),
        (json!(0.0), json!(0.75))
    );
    assert_eq!(households["trend"], "down");
    app.wish(&resident, "换灯泡").await;
    let live = insight(&app, &admin.token, &format!("grid_id={}", c.grid_a)).await;
    assert_eq!(value(&live, "participation", "households_active"), json!(0.25));

    // Every grid × month as CSV: a community row and one per grid, each month.
    let csv = app
        .get("/api/v1/insight.csv?from=2026-10&to=2026-11", &admin.token)
        .await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines.len(), 1 + 2 * 3, "{}", csv.text);
    assert!(lines[0].starts_with("month,grid_id,grid,households_active,"));
    let row = lines
        .iter()
        .find(|l| l.starts_with(&format!("2026-10,{},", c.grid_a)))
        .unwrap();
    assert!(row.contains(",0.75,"), "{row}");
}
both_engines!(a_seeded_month_counted_by_hand, seeded_month_counted_by_hand);

async fn who_may_read(app: TestApp) {
    let c = Community::seed(&app).await;
    let (a, b) = (c.grid_a, c.grid_b);
    insight(&app, &c.leader_a.token, &format!("grid_id={a}")).await;
    app.get(&format!("/api/v1/insight?grid_id={b}"), &c.leader_a.token)
        .await
        .expect_error(403, "forbidden");
    app.get("/api/v1/insight", &c.leader_a.token)
        .await
        .expect_error(403, "forbidden");
    app.get("/api/v1/insight", &c.owner.token)
        .await
        .expect_error(403, "forbidden");
    app.get("/api/v1/insight.csv", &c.leader_a.token)
        .await
        .expect_error(403, "forbidden");
    app.get("/api/v1/insight?grid_id=999999", &c.admin.token)
        .await
        .expect_error(404, "not_found");
    for bad in ["2026-13", "soon", "1999-01", "2999-01"] {
        app.get(&format!("/api/v1/insight?month={bad}"), &c.admin.token)
            .await
            .expect_error(422, "invalid_month");
    }
    app.get("/api/v1/insight.csv?from=2020-01", &c.admin.token)
        .await
        .expect_error(422, "invalid_month");
}
both_engines!(only_admins_and_the_grids_leader_read_it, who_may_read);
