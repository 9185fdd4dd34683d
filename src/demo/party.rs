//! The demo's party organisation and co-building: one branch covering both grids with the two
//! volunteers as members, and a co-building unit offering a health check and repairs, so the
//! party pages, the resources list, projects and the supply–demand report have something to show;
//! and a resident's 双报到 registration waiting for the secretary's decision.

use microwish_core::cobuild::resource::{self, NewResource, ResourceKind, ResourceStatus};
use microwish_core::cobuild::unit::{self, UnitFields};
use microwish_core::fields::{ContactName, Email, ItemTitle, PartyOrg, Phone, UnitName};
use microwish_core::party::branch::{self, BranchInput};
use microwish_core::party::member::{self, Category};
use microwish_core::party::registration::{self, RegistrationInput};
use microwish_core::people::user;
use microwish_core::{Clock, Db, Settings, SystemClock};

/// Seeds the branch, its members and the unit with its resources. `admin` acts; `volunteers`
/// become members of the branch; `applicant` files a 双报到 registration, left pending.
pub(super) async fn seed(
    db: &Db,
    settings: &Settings,
    (admin, applicant): (i64, i64),
    grids: &[i64],
    volunteers: &[i64],
) -> anyhow::Result<()> {
    let now = SystemClock.now_ms();
    let by = user::caller(db.pool(), admin).await?;
    let mut tx = db.begin_write().await?;
    let branch = branch::create(
        &mut tx,
        &by,
        BranchInput::parse("幸福里社区第一党支部", grids.to_vec())?,
        now,
    )
    .await?;
    for &volunteer in volunteers {
        member::put(&mut tx, &by, branch.id, volunteer, Category::Community, now).await?;
    }
    let fields = UnitFields {
        name: UnitName::parse("市第一人民医院")?,
        party_org: PartyOrg::parse("市第一人民医院党委")?,
        agreement: (Some("2026-01-01".parse()?), Some("2027-12-31".parse()?)),
        contact_name: ContactName::parse("孙主任")?,
        contact_phone: Phone::parse("13900000010")?,
        contact_email: Email::parse("cobuild@hospital.demo")?,
        wecom_robot_key: None,
    };
    let unit = unit::write(&mut tx, &by, None, &fields.check()?, now).await?;
    let offers = [
        (
            "老年人免费健康体检（每月一次）",
            "medicine",
            ResourceKind::Service,
            Some(20),
        ),
        ("医院后勤维修小队", "repair", ResourceKind::Team, Some(4)),
    ];
    for (title, category, kind, quantity) in offers {
        let offer = NewResource {
            title: ItemTitle::parse(title)?,
            category: category.into(),
            kind,
            quantity,
            window: (None, None),
            status: ResourceStatus::Available,
        };
        resource::write(&mut tx, &by, unit.id, None, &offer, now).await?;
    }
    let known = (
        settings.wishes.categories.as_slice(),
        settings.party.service_posts.as_slice(),
    );
    let filing = RegistrationInput::parse("区税务局", "区税务局机关党委", &["study"], &["policy_outreach"], known)?;
    let applicant = user::caller(db.pool(), applicant).await?;
    registration::file(&mut tx, &applicant, filing, now).await?;
    tx.commit().await?;
    Ok(())
}
