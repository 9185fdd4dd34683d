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

    /// `POST /projects`.
    pub async fn propose(&self, leader: &TestUser, title: &str, resource_id: i64, wish_ids: &[i64]) -> Answer {
        let body = json!({ "title": title, "resource_id": resource_id, "wish_ids": wish_ids });
        self.post("/api/v1/projects", &leader.token, body).await
    }

    /// `POST /projects/{id}/{action}` (agree, decline, deliver) with an optional body.
    pub async fn decide(&self, user: &TestUser, id: i64, action: &str, body: Option<Value>) -> Answer {
        let path = format!("/api/v1/projects/{id}/{action}");
        self.call("POST", &path, Some(&user.token), body).await
    }

    /// `GET /projects/{id}`.
    pub async fn project(&self, user: &TestUser, id: i64) -> Answer {
        self.get(&format!("/api/v1/projects/{id}"), &user.token).await
    }

    /// `GET /projects?…` with this query string.
    pub async fn projects(&self, user: &TestUser, query: &str) -> Answer {
        self.get(&format!("/api/v1/projects?{query}"), &user.token).await
    }

    /// `POST /wishes/{id}/refer`.
    pub async fn refer(&self, leader: &TestUser, wish_id: i64, reason: &str) -> Answer {
        self.act(leader, wish_id, "refer", Some(json!({ "reason": reason })))
            .await
    }

    /// Posts a wish of `category` (and `slots`, when given) and returns it.
    pub async fn wish_of(&self, user: &TestUser, title: &str, category: &str, slots: Option<i64>) -> Value {
        let mut body = json!({ "title": title, "description": "请帮帮忙", "category": category });
        if let Some(n) = slots {
            body["slots"] = json!(n);
        }
        self.post("/api/v1/wishes", &user.token, body).await.expect(201)
    }

    /// `GET /grids/{id}/needs`.
    pub async fn needs(&self, user: &TestUser, grid_id: i64) -> Answer {
        self.get(&format!("/api/v1/grids/{grid_id}/needs"), &user.token).await
    }

    /// `GET /grids/{id}/supply-demand?…` with this query string.
    pub async fn supply_demand(&self, user: &TestUser, grid_id: i64, query: &str) -> Answer {
        self.get(&format!("/api/v1/grids/{grid_id}/supply-demand?{query}"), &user.token)
            .await
    }
}
