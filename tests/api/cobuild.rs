//! Co-building units and their resources through the core store, on both engines: admins keep
//! units, a linked contact keeps the unit's resources, leaders filter them, others are refused.

use microwish_core::cobuild::resource::{self, NewResource, ResourceFilter, ResourceKind, ResourceStatus};
use microwish_core::cobuild::unit::{self, UnitFields, parse_date};
use microwish_core::fields::{ContactName, Email, ItemTitle, PartyOrg, Phone, UnitName};
use microwish_core::people::user;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

fn fields(name: &str) -> UnitFields {
    UnitFields {
        name: UnitName::parse(name).unwrap(),
        party_org: PartyOrg::parse("区医院党委").unwrap(),
        agreement: (
            Some(parse_date("agreement_from", "2026-01-01").unwrap()),
            Some(parse_date("agreement_to", "2026-12-31").unwrap()),
        ),
        contact_name: ContactName::parse("陈医生").unwrap(),
        contact_phone: Phone::parse("13512345678").unwrap(),
        contact_email: Email::parse("chen@hospital.example").unwrap(),
        wecom_robot_key: None,
    }
}

fn health_check(status: ResourceStatus) -> NewResource {
    NewResource {
        title: ItemTitle::parse("老年人健康体检").unwrap(),
        category: "errand".into(),
        kind: ResourceKind::Service,
        quantity: Some(20),
        window: (None, None),
        status,
    }
}

async fn units_and_resources(app: TestApp) {
    let c = Community::seed(&app).await;
    let contact = app.login("unit-contact").await;
    let pool = app.db.pool();
    let admin = user::caller(pool, c.admin.id).await.unwrap();
    let leader = user::caller(pool, c.leader_a.id).await.unwrap();
    let them = user::caller(pool, contact.id).await.unwrap();
    let resident = user::caller(pool, c.owner.id).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let now = microwish_core::Clock::now_ms(app.clock.as_ref());

    assert!(
        unit::write(&mut conn, &leader, None, &fields("区医院"), now)
            .await
            .is_err()
    );
    let u = unit::write(&mut conn, &admin, None, &fields("区医院"), now)
        .await
        .unwrap();
    assert_eq!(u.agreement_to.as_deref(), Some("2026-12-31"));
    let dup = unit::write(&mut conn, &admin, None, &fields("区医院"), now)
        .await
        .unwrap_err();
    assert!(matches!(
        dup,
        microwish_core::CoreError::Conflict {
            code: "unit_name_taken",
            ..
        }
    ));
    assert!(!unit::may_see_contact(&them, &u));
    assert!(unit::may_see_contact(&leader, &u));

    let offer = health_check(ResourceStatus::Available)
        .check(&["errand".into()])
        .unwrap();
    assert!(
        resource::write(&mut conn, &them, u.id, None, &offer, now)
            .await
            .is_err()
    );
    let u = unit::link_contact(&mut conn, &admin, u.id, Some(contact.id), now)
        .await
        .unwrap();
    assert!(unit::may_see_contact(&them, &u));
    let r = resource::write(&mut conn, &them, u.id, None, &offer, now)
        .await
        .unwrap();
    let paused = health_check(ResourceStatus::Paused);
    resource::write(&mut conn, &them, u.id, None, &paused, now)
        .await
        .unwrap();
    assert!(
        health_check(ResourceStatus::Available)
            .check(&["legal".into()])
            .is_err()
    );

    let available = ResourceFilter {
        available_at: Some(now),
        ..ResourceFilter::default()
    };
    let listed = resource::list(&mut conn, &leader, &available).await.unwrap();
    assert_eq!(listed.iter().map(|x| x.id).collect::<Vec<_>>(), vec![r.id]);
    assert_eq!(
        resource::list(&mut conn, &them, &ResourceFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        resource::list(&mut conn, &resident, &ResourceFilter::default())
            .await
            .is_err()
    );
}

both_engines!(units_and_resources_kept_by_admins_and_contacts, units_and_resources);
