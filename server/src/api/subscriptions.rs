//! Subscribe messages from the mini-program's side: report what the person chose in
//! `wx.requestSubscribeMessage` (each accept is one later send), and ask which templates to
//! request next — those of the news the person's state makes likely soon, least stock first.

use std::collections::BTreeMap;

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use microwish_core::people::subscribe_next;
use microwish_core::people::subscription::{self, Choice};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::text::Text;

/// What `wx.requestSubscribeMessage` returned.
#[derive(Object)]
#[oai(deny_unknown_fields)]
struct SubscriptionsBody {
    /// Template id → accept, reject, ban or filter.
    results: BTreeMap<String, Text>,
}

/// Remaining one-time sends per template.
#[derive(Object)]
struct QuotaView {
    remaining: BTreeMap<String, i64>,
}

/// A template to ask the person to accept.
#[derive(Object)]
struct SuggestionView {
    /// Pass it to `wx.requestSubscribeMessage({ tmplIds })`.
    template_id: String,
    /// The notification it is asked for, e.g. `wish_claimed` (others may share the template).
    kind: String,
    /// Why now, in a few words.
    reason: String,
    /// Sends of it the person already has.
    remaining: i64,
}

/// Which templates to ask for next, and the quota of every template.
#[derive(Object)]
struct AdviceView {
    /// At most 3 (WeChat's dialog takes 3 ids), the most needed first; empty when nothing is
    /// coming the person's way (or no template is configured for it).
    suggested: Vec<SuggestionView>,
    /// Remaining one-time sends per template.
    remaining: BTreeMap<String, i64>,
}

pub struct SubscriptionApi(pub AppState);

#[OpenApi(tag = "Tag::Me")]
impl SubscriptionApi {
    /// Which subscribe-message templates to ask you to accept next: those of the news your wishes,
    /// claims, events and roles make likely soon, the ones you have least of first (at most 3).
    #[oai(path = "/me/subscriptions", method = "get")]
    async fn advice(&self, auth: BearerAuth) -> Result<Json<AdviceView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let advice = subscribe_next::advise(&mut conn, &caller, &self.0.settings, self.0.clock.now_ms()).await?;
        let suggested = advice.suggested.into_iter().map(|s| SuggestionView {
            template_id: s.template_id,
            kind: s.kind.as_str().to_string(),
            reason: s.reason.to_string(),
            remaining: s.remaining,
        });
        Ok(Json(AdviceView {
            suggested: suggested.collect(),
            remaining: advice.remaining.into_iter().collect(),
        }))
    }

    /// Report what the user chose in `wx.requestSubscribeMessage`; answers the remaining quota.
    #[oai(path = "/me/subscriptions", method = "post")]
    async fn subscriptions(
        &self,
        auth: BearerAuth,
        body: Json<SubscriptionsBody>,
    ) -> Result<Json<QuotaView>, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let known = self.0.template_ids();
        if body.0.results.len() > 10 {
            return Err(ApiError::invalid(
                "invalid_field",
                "results: at most 10 templates at once",
            ));
        }
        let mut choices = Vec::new();
        for (template, choice) in body.0.results {
            if !known.contains(&template.as_str()) {
                return Err(ApiError::invalid(
                    "unknown_template",
                    format!("results: `{template}` is not one of our templates"),
                ));
            }
            let choice: Choice = choice
                .parse()
                .map_err(|e: String| ApiError::invalid("invalid_field", format!("results.{template}: {e}")))?;
            choices.push((template, choice));
        }
        let mut tx = self.0.db.begin_write().await?;
        subscription::record(&mut tx, caller.user_id, &choices, self.0.clock.now_ms()).await?;
        let remaining = subscription::remaining(&mut tx, caller.user_id).await?;
        tx.commit().await?;
        Ok(Json(QuotaView {
            remaining: remaining.into_iter().collect(),
        }))
    }
}
