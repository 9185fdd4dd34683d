//! `microwish demo`: the whole system on one machine — SQLite in a temporary folder, the WeChat and
//! WeCom protocol stub, a seeded community — and a printed walkthrough with ready-made commands.

use std::sync::Arc;

use anyhow::Context;

use microwish_core::fields::{Address, Building, Description, DisplayName, Email, GridName, Phone, Title};
use microwish_core::people::grid::{self, GridInput};
use microwish_core::people::skills::Skills;
use microwish_core::people::user::{self, ProfileUpdate};
use microwish_core::people::{Role, session};
use microwish_core::wish::store::{self, ChangeInput};
use microwish_core::wish::{Action, NewWish, Urgency};
use microwish_core::{Clock, Db, Settings, SystemClock};
use microwish_testkit::smtp::SmtpCapture;
use microwish_wechat::WechatStub;

use crate::{config, startup};

mod guide;
mod party;
pub use guide::sign_in_commands;
use guide::{print_console_links, print_walkthrough, show_deliveries};

const APPID: &str = "wxdemo0000000000";
const CLAIM_TEMPLATE: &str = "demo-tpl-wish-claimed";
const SECRET: &str = "demo-secret";

/// Someone in the demo community.
struct Person {
    openid: &'static str,
    name: &'static str,
    role: Option<Role>,
    grid: usize,
    phone: &'static str,
    building: &'static str,
    address: &'static str,
    /// Wish categories a volunteer is good at.
    skills: &'static [&'static str],
}

const PEOPLE: &[Person] = &[
    Person {
        openid: "demo-admin",
        name: "陈书记",
        role: Some(Role::Admin),
        grid: 0,
        phone: "13900000001",
        building: "社区居委会",
        address: "社区居委会",
        skills: &[],
    },
    Person {
        openid: "demo-leader-1",
        name: "刘网格长",
        role: Some(Role::GridLeader),
        grid: 0,
        phone: "13900000002",
        building: "1号楼",
        address: "1号楼1单元101",
        skills: &[],
    },
    Person {
        openid: "demo-leader-2",
        name: "赵网格长",
        role: Some(Role::GridLeader),
        grid: 1,
        phone: "13900000003",
        building: "5号楼",
        address: "5号楼2单元201",
        skills: &[],
    },
    Person {
        openid: "demo-volunteer-1",
        name: "党员志愿者小王",
        role: Some(Role::Volunteer),
        grid: 0,
        phone: "13900000004",
        building: "2号楼",
        address: "2号楼3单元302",
        skills: &["repair", "errand"],
    },
    Person {
        openid: "demo-volunteer-2",
        name: "党员志愿者小李",
        role: Some(Role::Volunteer),
        grid: 1,
        phone: "13900000005",
        building: "6号楼",
        address: "6号楼1单元502",
        skills: &["companion", "medicine"],
    },
    Person {
        openid: "demo-resident-1",
        name: "王奶奶",
        role: None,
        grid: 0,
        phone: "13812345678",
        building: "3号楼",
        address: "3号楼2单元301",
        skills: &[],
    },
    Person {
        openid: "demo-resident-2",
        name: "李大爷",
        role: None,
        grid: 1,
        phone: "13812340000",
        building: "7号楼",
        address: "7号楼1单元102",
        skills: &[],
    },
];

/// Runs the demo until Ctrl-C.
pub async fn run(bind: &str) -> anyhow::Result<()> {
    let stub = Arc::new(WechatStub::start(APPID, SECRET).context("cannot start the WeChat protocol stub")?);
    let smtp = SmtpCapture::start()
        .await
        .context("cannot start the local SMTP capture")?;
    stub.register_template(CLAIM_TEMPLATE, &microwish_notifier::channel::wechat::TEMPLATE_KEYS);
    let dir = std::env::temp_dir().join(format!("microwish-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut settings = config::load(None)?;
    settings.server.bind = bind.to_string();
    settings.database.url = format!("sqlite://{}/demo.db", dir.display());
    settings.wechat.api_base = stub.base_url();
    settings.wechat.appid = APPID.into();
    settings.wechat.secret = SECRET.into();
    settings.wecom.api_base = stub.base_url();
    settings
        .wechat
        .templates
        .set(microwish_core::NotificationKind::WishClaimed, CLAIM_TEMPLATE);
    settings.email.smtp_url = smtp.url();
    settings.email.from = "幸福里社区 <noreply@microwish.demo>".into();
    // The demo is for trying things now, whatever the hour.
    settings.notifier.quiet_hours = String::new();
    settings.notifier.poll_interval = microwish_core::config::ConfigDuration(std::time::Duration::from_secs(1));
    settings.validate()?;
    let settings = Arc::new(settings);

    let db = startup::open_database(&settings).await?;
    let tokens = seed(&db, &settings).await.context("cannot seed the demo community")?;
    let server = startup::start_server(settings.clone(), db.clone(), Arc::new(SystemClock)).await?;
    let worker = server.start_worker()?;
    print_walkthrough(&format!("http://{}", server.addr), &stub.base_url(), &tokens);
    print_console_links(&db, &settings, &format!("http://{}", server.addr)).await?;
    tokio::spawn(show_deliveries(smtp, stub.clone()));

    startup::shutdown_signal().await;
    server.stop().await?;
    let _ = worker.await;
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Seeds two grids, their leaders, volunteers, residents and a few wishes; returns a session token per person.
async fn seed(db: &Db, settings: &Settings) -> anyhow::Result<Vec<(&'static str, &'static str, String)>> {
    let now = SystemClock.now_ms();
    let mut tx = db.begin_write().await?;
    let mut grids = Vec::new();
    for name in ["第一网格（1–4号楼）", "第二网格（5–8号楼）"] {
        let input = GridInput {
            name: GridName::parse(name)?,
            leader_user_id: None,
            wecom_robot_key: None,
        };
        grids.push(grid::create(&mut tx, None, input, now).await?.id);
    }
    let mut ids = Vec::new();
    let mut tokens = Vec::new();
    for p in PEOPLE {
        let (u, _) = user::find_or_create(&mut tx, p.openid, now).await?;
        let update = ProfileUpdate {
            display_name: Some(DisplayName::parse(p.name)?),
            phone: Some(Phone::parse(p.phone)?),
            grid_id: Some(grids[p.grid]),
            building: Some(Building::parse(p.building)?),
            address: Some(Address::parse(p.address)?),
            email: Some(Email::parse(&format!("{}@microwish.demo", p.openid))?),
            weekly_digest: None,
            skills: Some(Skills::parse(p.skills, &settings.wishes.categories)?),
            language: None,
        };
        user::update_profile(&mut tx, u.id, update, now).await?;
        if let Some(role) = p.role {
            user::grant(&mut tx, u.id, role).await?;
        }
        if p.role == Some(Role::GridLeader) {
            grid::set_leader(&mut tx, grids[p.grid], u.id, now).await?;
        }
        ids.push(u.id);
        tokens.push((
            p.openid,
            p.name,
            session::create(&mut tx, u.id, now, 7 * 86_400_000).await?,
        ));
    }
    tx.commit().await?;

    let wishes = [
        (
            5,
            "帮忙买降压药",
            "常吃的硝苯地平缓释片快吃完了，腿脚不便，麻烦帮忙去社区药店买两盒。",
            "medicine",
            Urgency::Urgent,
        ),
        (
            5,
            "楼道灯坏了",
            "3号楼2单元三楼楼道灯不亮，晚上上下楼看不清。",
            "repair",
            Urgency::Normal,
        ),
        (
            6,
            "想找人聊聊天",
            "老伴走了以后一个人在家，希望周末有人来陪我下盘象棋。",
            "companion",
            Urgency::Normal,
        ),
        (
            6,
            "孙女需要学习用品",
            "孙女上三年级，需要一个书包和几本练习册。",
            "study",
            Urgency::Normal,
        ),
    ];
    let mut created = Vec::new();
    for (who, title, description, category, urgency) in wishes {
        let caller = user::caller(db.pool(), ids[who]).await?;
        let new = NewWish {
            title: Title::parse(title)?,
            description: Description::parse(description)?,
            category: category.into(),
            urgency,
            due_at: None,
            on_behalf_of: None,
            consent_note: None,
            repeat: None,
            slots: 1,
        };
        let mut tx = db.begin_write().await?;
        created.push(
            store::create(&mut tx, &caller, new, &settings.wishes, false, now)
                .await?
                .id,
        );
        tx.commit().await?;
    }
    // One wish already under way, so the contact-detail rule can be seen at work.
    let volunteer = user::caller(db.pool(), ids[4]).await?;
    let mut tx = db.begin_write().await?;
    store::apply(
        &mut tx,
        Some(&volunteer),
        created[2],
        Action::Claim,
        ChangeInput::default(),
        settings,
        now,
    )
    .await?;
    tx.commit().await?;
    party::seed(db, settings, (ids[0], ids[6]), &grids, &ids[3..5]).await?;
    Ok(tokens)
}
