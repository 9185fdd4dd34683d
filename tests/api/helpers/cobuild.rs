//! `TestApp` methods for co-building: units, resources, projects, referral, the needs list and
//! supply and demand — one per endpoint.

use serde_json::{Value, json};

use super::{Answer, TestApp, TestUser};

impl TestApp {
    /// `POST /admin/units` with a name and contact email (and a robot key, if any).
    pub async fn unit(&self, admin: &TestUser, name: &str, email: &str, robot: Option<&str>) -> Answer {
        let mut body = json!({
            "name": name, "contact_name": "陈医生", "contact_phone": "13512345678", "contact_email": email,
            "party_org": "区医院党委", "agreement_from": "2026-01-01", "agreement_to": "2030-12-31",
        });
        if let Some(key) = robot {
            body["wecom_robot_key"] = json!(key);
        }
        self.post("/api/v1/admin/units", &admin.token, body).await
    }

    /// `PUT /admin/units/{id}/contact`.
    pub async fn link_contact(&self, admin: &TestUser, unit_id: i64, user_id: Option<i64>) -> Answer {
        let path = format!("/api/v1/admin/units/{unit_id}/contact");
        self.put(&path, &admin.token, json!({ "user_id": user_id })).await
    }

    /// `GET /units`.
    pub async fn units(&self, user: &TestUser) -> Answer {
        self.get("/api/v1/units", &user.token).await
    }

    /// `POST /units/{id}/resources`.
    pub async fn offer(&self, user: &TestUser, unit_id: i64, body: Value) -> Answer {
        self.post(&format!("/api/v1/units/{unit_id}/resources"), &user.token, body)
            .await
    }

    /// `PUT /units/{id}/resources/{resource_id}`.
    pub async fn update_resource(&self, user: &TestUser, unit_id: i64, id: i64, body: Value) -> Answer {
        self.put(&format!("/api/v1/units/{unit_id}/resources/{id}"), &user.token, body)
            .await
    }

    /// `GET /resources?…` with this query string.
    pub async fn resources(&self, user: &TestUser, query: &str) -> Answer {
        self.get(&format!("/api/v1/resources?{query}"), &user.token).await
    }
}
