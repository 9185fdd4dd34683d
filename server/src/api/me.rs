//! The caller's own profile: read and update it, bind a phone number through WeChat, switch
//! notifications, end sessions (subscribe-message choices are in `subscriptions`).

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sqlx::AnyConnection;

use microwish_core::Lang;
use microwish_core::config::Category;
use microwish_core::fields::{Address, Building, DisplayName, Email, Phone};
use microwish_core::people::preferences::{self, Preference};
use microwish_core::people::skills::{self, Skills};
use microwish_core::people::user::{self, ProfileUpdate, User};
use microwish_core::register::{Place, requests, verify};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;
use crate::views::UserView;

/// Profile fields to change; absent fields stay as they are.
#[derive(Object)]
#[oai(skip_serializing_if_is_none, deny_unknown_fields)]
struct ProfileBody {
    display_name: Option<Text>,
    /// Mainland mobile number.
    phone: Option<Text>,
    email: Option<Text>,
    /// The grid you live in: files a residence request for its leader (your grid is set once
    /// it is verified). `POST /me/residence` with building and room can be verified at once.
    grid_id: Option<i64>,
    /// The building, e.g. "3号楼" (shown to everyone who sees your wishes).
    building: Option<Text>,
    /// Exact address (shown only to the volunteer helping you, your grid leader and staff).
    address: Option<Text>,
    /// Volunteers: a weekly digest of open wishes in your grid, on Monday mornings.
    weekly_digest: Option<bool>,
    /// What you can help with: category codes from `GET /api/v1/categories` (replaces the list).
    skills: Option<Vec<Text>>,
    /// The language your notifications and the API's error messages are in: `zh-CN` or `en`.
    language: Option<Text>,
}

impl ProfileBody {
    fn parse(self, categories: &[Category]) -> Result<ProfileUpdate, ApiError> {
        Ok(ProfileUpdate {
            display_name: self.display_name.as_deref().map(DisplayName::parse).transpose()?,
            phone: self.phone.as_deref().map(Phone::parse).transpose()?,
            email: self.email.as_deref().map(Email::parse).transpose()?,
            grid_id: self.grid_id,
            building: self.building.as_deref().map(Building::parse).transpose()?,
            address: self.address.as_deref().map(Address::parse).transpose()?,
            weekly_digest: self.weekly_digest,
            skills: self.skills.map(|s| Skills::parse(&s, categories)).transpose()?,
            language: self.language.as_deref().map(language).transpose()?,
        })
    }
}

fn language(tag: &str) -> Result<Lang, ApiError> {
    Lang::parse(tag).ok_or_else(|| ApiError::invalid("invalid_field", "language: zh-CN or en"))
}

/// A `getPhoneNumber` code from the mini-program's phone button.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct PhoneCodeBody {
    code: Text,
}

/// One channel switched on or off for one kind of notification.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct PreferenceItem {
    /// wish_claimed, wish_assigned, wish_released, wish_fulfilled, wish_confirmed, wish_cancelled,
    /// wish_rejected, wish_approved, wish_review, wish_offered, alert, digest (and the other kinds a
    /// person hears).
    kind: Text,
    /// wechat, robot or email.
    channel: Text,
    /// On or off.
    enabled: bool,
}

/// Notification preferences; kinds and channels not listed are on.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct PreferencesBody {
    preferences: Vec<PreferenceItem>,
}

fn preferences_view(list: Vec<Preference>) -> PreferencesBody {
    let preferences = list.into_iter().map(|p| PreferenceItem {
        kind: Text(p.kind),
        channel: Text(p.channel),
        enabled: p.enabled,
    });
    PreferencesBody {
        preferences: preferences.collect(),
    }
}

/// The caller's own profile as `/me` answers it: with the pending residence request and skills.
async fn own_view(conn: &mut AnyConnection, user: User) -> Result<UserView, ApiError> {
    let pending = requests::pending_of(conn, user.id).await?;
    let skills = skills::of(conn, user.id).await?;
    let mut view = UserView::from(user).with_pending(pending);
    view.skills = Some(skills);
    Ok(view)
}

pub struct MeApi(pub AppState);

#[OpenApi(tag = "Tag::Me")]
impl MeApi {
    /// Your profile.
    #[oai(path = "/me", method = "get")]
    async fn get(&self, auth: BearerAuth) -> Result<Json<UserView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let user = user::get(&mut conn, caller.user_id).await?;
        Ok(Json(own_view(&mut conn, user).await?))
    }

    /// Change your profile.
    #[oai(path = "/me", method = "put")]
    async fn put(&self, auth: BearerAuth, body: Json<ProfileBody>) -> Result<Json<UserView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut update = body.0.parse(&self.0.settings.wishes.categories)?;
        // A grid is never set from what a client types: it becomes a residence request.
        let grid = update.grid_id.take();
        let language_changed = update.language.is_some();
        let now = self.0.clock.now_ms();
        let mut tx = self.0.db.begin_write().await?;
        let mut user = user::update_profile(&mut tx, caller.user_id, update, now).await?;
        if let Some(grid_id) = grid.filter(|g| user.grid_id != Some(*g)) {
            verify::file(&mut tx, &caller, caller.user_id, Place::Grid(grid_id), now).await?;
            user = user::get(&mut tx, caller.user_id).await?;
        }
        let view = own_view(&mut tx, user).await?;
        tx.commit().await?;
        if language_changed {
            // The cached caller carries the language errors are worded in.
            self.0.callers.forget_user(caller.user_id);
        }
        Ok(Json(view))
    }

    /// Bind your phone number from the mini-program's `getPhoneNumber` button.
    #[oai(path = "/me/phone", method = "post")]
    async fn phone(&self, auth: BearerAuth, body: Json<PhoneCodeBody>) -> Result<Json<UserView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let code = body.0.code.trim();
        // A code WeChat could never accept is refused here, before spending a call on it.
        if code.is_empty()
            || code.len() > 128
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ApiError::invalid(
                "invalid_code",
                "code: the 1–128 character code from the getPhoneNumber button",
            ));
        }
        let info = self
            .0
            .wechat
            .phone_number(code)
            .await
            .map_err(|e| self.0.wechat_error("getPhoneNumber", e))?;
        if info.country_code != "86" {
            return Err(ApiError::invalid(
                "invalid_field",
                "phone: only mainland China numbers are supported",
            ));
        }
        let update = ProfileUpdate {
            phone: Some(Phone::parse(&info.pure_phone_number)?),
            ..Default::default()
        };
        let now = self.0.clock.now_ms();
        let mut tx = self.0.db.begin_write().await?;
        user::update_profile(&mut tx, caller.user_id, update, now).await?;
        user::mark_phone_verified(&mut tx, caller.user_id, now).await?;
        // A pending residence whose household lists this phone is verified now.
        verify::recheck_phone(&mut tx, caller.user_id, now).await?;
        let user = user::get(&mut tx, caller.user_id).await?;
        let view = own_view(&mut tx, user).await?;
        tx.commit().await?;
        Ok(Json(view))
    }

    /// Your notification preferences (only the ones you changed; everything else is on).
    #[oai(path = "/me/notification-preferences", method = "get")]
    async fn get_preferences(&self, auth: BearerAuth) -> Result<Json<PreferencesBody>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        Ok(Json(preferences_view(
            preferences::get(&mut conn, caller.user_id).await?,
        )))
    }

    /// Switch channels on or off per kind. Urgent alerts keep at least one channel.
    #[oai(path = "/me/notification-preferences", method = "put")]
    async fn put_preferences(
        &self,
        auth: BearerAuth,
        body: Json<PreferencesBody>,
    ) -> Result<Json<PreferencesBody>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        if body.0.preferences.len() > 100 {
            return Err(ApiError::invalid("invalid_field", "preferences: at most 100 entries"));
        }
        let list: Vec<Preference> = body
            .0
            .preferences
            .into_iter()
            .map(|p| Preference {
                kind: p.kind.into_inner(),
                channel: p.channel.into_inner(),
                enabled: p.enabled,
            })
            .collect();
        let mut tx = self.0.db.begin_write().await?;
        let saved = preferences::set(&mut tx, caller.user_id, &list).await?;
        tx.commit().await?;
        Ok(Json(preferences_view(saved)))
    }

    /// Sign out everywhere: every token of yours stops working, this one included.
    #[oai(path = "/me/sessions", method = "delete")]
    async fn delete_sessions(&self, auth: BearerAuth) -> Result<super::auth::Done, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        microwish_core::people::session::revoke_all(&mut tx, caller.user_id).await?;
        tx.commit().await?;
        self.0.callers.forget_user(caller.user_id);
        Ok(super::auth::Done::NoContent)
    }
}
