//! The database: a throwaway one per run, seeded through the core store functions (grids,
//! volunteers, residents, 10,000 wishes in several states) before the server starts.

use super::*;

/// What the load phases need from the seeded community.
pub(crate) struct Seeded {
    pub(crate) volunteer_tokens: Vec<String>,
    pub(crate) open_wishes: Vec<i64>,
    pub(crate) claimed: usize,
    pub(crate) cancelled: usize,
}

pub(crate) const TITLES: &[&str] = &[
    "帮忙买降压药",
    "楼道灯坏了",
    "想找人聊聊天",
    "孙女需要学习用品",
    "帮忙取快递",
    "水龙头漏水",
    "陪我去医院复查",
    "教我用智能手机",
];

/// Seeds an admin, two grids with leaders, volunteers, residents (with profiles) and wishes —
/// 5 % claimed, 2 % cancelled, the rest open — through the core store functions.
pub(crate) async fn seed(db: &Db, settings: &Settings) -> anyhow::Result<Seeded> {
    let now = SystemClock.now_ms();
    let ttl = 7 * 86_400_000;
    let mut tx = db.begin_write().await?;
    let (admin, _) = user::find_or_create(&mut tx, "bench-admin", now).await?;
    user::grant(&mut tx, admin.id, Role::Admin).await?;
    let mut grids = Vec::new();
    for (i, name) in ["第一网格（1–4号楼）", "第二网格（5–8号楼）"].into_iter().enumerate() {
        let input = GridInput {
            name: GridName::parse(name)?,
            leader_user_id: None,
            wecom_robot_key: None,
        };
        let grid_id = grid::create(&mut tx, None, input, now).await?.id;
        let (leader, _) = user::find_or_create(&mut tx, &format!("bench-leader-{i}"), now).await?;
        user::grant(&mut tx, leader.id, Role::GridLeader).await?;
        grid::set_leader(&mut tx, grid_id, leader.id, now).await?;
        grids.push(grid_id);
    }
    let person = async |tx: &mut sqlx::AnyConnection, openid: String, name: String, n: usize| {
        let (u, _) = user::find_or_create(tx, &openid, now).await?;
        let building = n % 8 + 1;
        let update = ProfileUpdate {
            weekly_digest: None,
            skills: None,
            language: None,
            display_name: Some(DisplayName::parse(&name)?),
            phone: Some(Phone::parse(&format!("138{:08}", n))?),
            grid_id: Some(grids[usize::from(building > 4)]),
            building: Some(Building::parse(&format!("{building}号楼"))?),
            address: Some(Address::parse(&format!(
                "{building}号楼{}单元{}室",
                n % 3 + 1,
                100 + n
            ))?),
            email: None,
        };
        user::update_profile(tx, u.id, update, now).await?;
        anyhow::Ok(u.id)
    };
    let mut volunteers = Vec::new();
    let mut volunteer_tokens = Vec::new();
    for i in 0..VOLUNTEERS {
        let id = person(&mut tx, format!("bench-volunteer-{i}"), format!("志愿者{i}"), i).await?;
        user::grant(&mut tx, id, Role::Volunteer).await?;
        volunteers.push(id);
        volunteer_tokens.push(session::create(&mut tx, id, now, ttl).await?);
    }
    let mut residents = Vec::new();
    for i in 0..RESIDENTS {
        let n = VOLUNTEERS + i;
        residents.push(person(&mut tx, format!("bench-resident-{i}"), format!("居民{i}"), n).await?);
    }
    tx.commit().await?;

    let mut callers: Vec<Caller> = Vec::new();
    for &id in residents.iter().chain(&volunteers) {
        callers.push(user::caller(db.pool(), id).await?);
    }
    let (resident_callers, volunteer_callers) = callers.split_at(RESIDENTS);
    let categories: Vec<String> = settings.wishes.categories.iter().map(|c| c.code.clone()).collect();
    let (mut open_wishes, mut claimed, mut cancelled) = (Vec::new(), 0, 0);
    let mut tx = db.begin_write().await?;
    for i in 0..WISHES {
        let resident = &resident_callers[i % RESIDENTS];
        let new = NewWish {
            title: Title::parse(&format!("{} #{i}", TITLES[i % TITLES.len()]))?,
            description: Description::parse(&format!(
                "第{i}号心愿：腿脚不便，麻烦邻居志愿者帮个忙，谢谢！联系时请先敲门。"
            ))?,
            category: categories[i % categories.len()].clone(),
            urgency: if i % 10 == 0 { Urgency::Urgent } else { Urgency::Normal },
            due_at: None,
            on_behalf_of: None,
            consent_note: None,
            repeat: None,
            slots: 1,
        };
        let id = store::create(&mut tx, resident, new, &settings.wishes, false, now)
            .await?
            .id;
        if i % 20 == 7 {
            let volunteer = &volunteer_callers[i % VOLUNTEERS];
            let input = ChangeInput::default();
            store::apply(&mut tx, Some(volunteer), id, Action::Claim, input, settings, now).await?;
            claimed += 1;
        } else if i % 50 == 3 {
            let input = ChangeInput {
                note: Some("不需要了".into()),
                ..Default::default()
            };
            store::apply(&mut tx, Some(resident), id, Action::Cancel, input, settings, now).await?;
            cancelled += 1;
        } else {
            open_wishes.push(id);
        }
        if i % 1000 == 999 {
            tx.commit().await?;
            tx = db.begin_write().await?;
        }
    }
    tx.commit().await?;
    Ok(Seeded {
        volunteer_tokens,
        open_wishes,
        claimed,
        cancelled,
    })
}
