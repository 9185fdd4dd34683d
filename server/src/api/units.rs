//! Co-building units (共建单位) over HTTP: admins register and edit them and link the signed-in
//! user who acts for each; admins, grid leaders and unit contacts list them, the contact's phone
//! and email shown in full only to admins and the unit's own contact.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use microwish_core::cobuild::unit::{self, Unit, UnitFields, parse_date};
use microwish_core::fields::{ContactName, Email, PartyOrg, Phone, UnitName};
use microwish_core::people::Caller;
use microwish_core::privacy::mask_phone;

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// A unit's settings.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct UnitBody {
    /// Unique name, 1 to 60 characters.
    name: Text,
    /// The contact person, 1 to 32 characters.
    contact_name: Text,
    /// The contact's mobile number.
    contact_phone: Text,
    /// The contact's email: project proposals are sent there.
    contact_email: Text,
    /// The unit's party organisation, up to 60 characters.
    party_org: Option<Text>,
    /// First day of the agreement, YYYY-MM-DD.
    agreement_from: Option<Text>,
    /// Last day of the agreement, YYYY-MM-DD.
    agreement_to: Option<Text>,
    /// The unit's WeCom group robot key (the key= part of its webhook URL).
    wecom_robot_key: Option<Text>,
}

impl UnitBody {
    fn parse(self) -> Result<UnitFields, ApiError> {
        let date = |field: &str, text: Option<Text>| text.map(|t| parse_date(field, &t)).transpose();
        let fields = UnitFields {
            name: UnitName::parse(&self.name)?,
            party_org: PartyOrg::parse(self.party_org.as_deref().unwrap_or(""))?,
            agreement: (
                date("agreement_from", self.agreement_from)?,
                date("agreement_to", self.agreement_to)?,
            ),
            contact_name: ContactName::parse(&self.contact_name)?,
            contact_phone: Phone::parse(&self.contact_phone)?,
            contact_email: Email::parse(&self.contact_email)?,
            wecom_robot_key: self.wecom_robot_key.map(|k| k.trim().to_string()),
        };
        Ok(fields.check()?)
    }
}

/// Who acts for the unit.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct ContactBody {
    /// A signed-in user; absent or null unlinks the current one.
    user_id: Option<i64>,
}

/// A co-building unit.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnitView {
    id: i64,
    name: String,
    party_org: String,
    /// YYYY-MM-DD.
    agreement_from: Option<String>,
    /// YYYY-MM-DD.
    agreement_to: Option<String>,
    contact_name: String,
    /// In full for admins and the unit's own contact, masked like `135****5678` for others.
    contact_phone: String,
    /// Admins and the unit's own contact only.
    contact_email: Option<String>,
    /// Whether phone and email are shown in full.
    contact_visible: bool,
    /// The signed-in user who acts for the unit.
    contact_user_id: Option<i64>,
    /// Admins only: a secret.
    wecom_robot_key: Option<String>,
}

impl UnitView {
    /// The unit as `caller` may see it.
    pub fn new(caller: &Caller, u: Unit) -> Self {
        let visible = unit::may_see_contact(caller, &u);
        Self {
            id: u.id,
            name: u.name,
            party_org: u.party_org,
            agreement_from: u.agreement_from,
            agreement_to: u.agreement_to,
            contact_name: u.contact_name,
            contact_phone: if visible {
                u.contact_phone
            } else {
                mask_phone(&u.contact_phone)
            },
            contact_email: Some(u.contact_email).filter(|_| visible),
            contact_visible: visible,
            contact_user_id: u.contact_user_id,
            wecom_robot_key: u.wecom_robot_key.filter(|_| caller.is_admin()),
        }
    }
}

/// The units.
#[derive(Object)]
struct UnitList {
    /// By id.
    items: Vec<UnitView>,
}

#[derive(ApiResponse)]
enum UnitCreated {
    /// The new unit.
    #[oai(status = 201)]
    Unit(Json<UnitView>),
}

pub struct UnitApi(pub AppState);

#[OpenApi(tag = "Tag::CoBuilding")]
impl UnitApi {
    /// Admins: register a co-building unit (共建单位) — a work unit's party organisation that
    /// signed an agreement with the community — and its contact person.
    #[oai(path = "/admin/units", method = "post")]
    async fn create(&self, auth: BearerAuth, body: Json<UnitBody>) -> Result<UnitCreated, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let fields = body.0.parse()?;
        let mut tx = self.0.db.begin_write().await?;
        let u = unit::write(&mut tx, &caller, None, &fields, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(UnitCreated::Unit(Json(UnitView::new(&caller, u))))
    }

    /// Admins: change a unit's settings (every field, as on creation).
    #[oai(path = "/admin/units/:id", method = "put")]
    async fn update(&self, auth: BearerAuth, id: Path<i64>, body: Json<UnitBody>) -> Result<Json<UnitView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let fields = body.0.parse()?;
        let mut tx = self.0.db.begin_write().await?;
        let u = unit::write(&mut tx, &caller, Some(id.0), &fields, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(UnitView::new(&caller, u)))
    }

    /// Admins: link the signed-in user who acts for the unit (they then keep its resources and
    /// answer its projects), or unlink with `{"user_id": null}`.
    #[oai(path = "/admin/units/:id/contact", method = "put")]
    async fn link(&self, auth: BearerAuth, id: Path<i64>, body: Json<ContactBody>) -> Result<Json<UnitView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let u = unit::link_contact(&mut tx, &caller, id.0, body.0.user_id, self.0.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(Json(UnitView::new(&caller, u)))
    }

    /// The co-building units (admins, grid leaders, unit contacts).
    #[oai(path = "/units", method = "get")]
    async fn list(&self, auth: BearerAuth) -> Result<Json<UnitList>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let units = unit::list(&mut conn, &caller).await?;
        let items = units.into_iter().map(|u| UnitView::new(&caller, u)).collect();
        Ok(Json(UnitList { items }))
    }
}
