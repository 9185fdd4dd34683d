//! `TestApp` methods for the party organisation: branches and members, skills, 双报到
//! registrations, a member's year, care visits that count towards it — one per endpoint.

use serde_json::json;

use super::{Answer, TestApp, TestUser};

impl TestApp {
    /// Creates a party branch covering `grids` (as `admin`); returns its id.
    pub async fn branch(&self, admin: &TestUser, name: &str, grids: &[i64]) -> i64 {
        let body = json!({ "name": name, "grid_ids": grids });
        self.post("/api/v1/admin/branches", &admin.token, body)
            .await
            .expect(201)["id"]
            .as_i64()
            .unwrap()
    }

    /// The user ids of a branch's members (as `admin`).
    pub async fn branch_members(&self, admin: &TestUser, branch: i64) -> Vec<i64> {
        let path = format!("/api/v1/party/branches/{branch}/members");
        let members = self.get(&path, &admin.token).await.expect(200);
        members
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["user_id"].as_i64().unwrap())
            .collect()
    }

    /// `PUT /admin/users/{id}/party` (as `admin`).
    pub async fn set_party(&self, admin: &TestUser, user: &TestUser, branch: i64, category: &str) -> Answer {
        let path = format!("/api/v1/admin/users/{}/party", user.id);
        let body = json!({ "branch_id": branch, "category": category });
        self.put(&path, &admin.token, body).await
    }

    /// Sets a person's skills (`PUT /me {"skills"}`).
    pub async fn set_skills(&self, user: &TestUser, skills: &[&str]) -> Answer {
        self.put("/api/v1/me", &user.token, json!({ "skills": skills })).await
    }

    /// `GET /me/party`, with a query string such as `?year=2025` or "".
    pub async fn me_party(&self, user: &TestUser, query: &str) -> Answer {
        self.get(&format!("/api/v1/me/party{query}"), &user.token).await
    }

    /// Puts `resident` under care (as their grid's `leader`), visited weekly by `visitors`.
    pub async fn care(&self, leader: &TestUser, resident: &TestUser, visitors: &[i64]) -> Answer {
        let path = format!("/api/v1/residents/{}/care", resident.id);
        let body = json!({ "tags": ["lives_alone"], "visit_every": "7d", "visitor_ids": visitors });
        self.put(&path, &leader.token, body).await
    }

    /// Records a care visit to `resident` by `visitor`.
    pub async fn visit(&self, visitor: &TestUser, resident: &TestUser, outcome: &str) -> Answer {
        let path = format!("/api/v1/residents/{}/visits", resident.id);
        let body = json!({ "outcome": outcome, "note": "身体不错，聊了聊天" });
        self.post(&path, &visitor.token, body).await
    }
}
