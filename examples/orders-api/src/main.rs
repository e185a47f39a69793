//! orders-api: a small order service on axum, guarded by lambda-guard.
//!
//! `GET /orders/{id}` and `POST /orders`. Authentication is required in code (not left to a
//! deployment setting): without JWT settings the function fails init; without a valid token
//! every request gets 401 before the router runs. Each route requires its own scope
//! (`orders:read`, `orders:write`); any other route is refused (least privilege). See the
//! README for minting a token locally.

use axum::{
    extract::Path,
    http::StatusCode,
    routing::{get, post},
    Extension, Json, Router,
};
use lambda_guard::{auth::RouteRule, http::VerifiedClaims, Mode};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewOrder {
    item: String,
    quantity: u32,
}

async fn get_order(
    Path(id): Path<String>,
    claims: Option<Extension<VerifiedClaims>>,
) -> Json<Value> {
    Json(json!({
        "id": id,
        "item": "espresso beans",
        "quantity": 1,
        "authenticated": claims.is_some(),
        "caller": claims.as_ref().and_then(|Extension(VerifiedClaims(c))| c.subject().map(str::to_owned)),
    }))
}

async fn create_order(Json(order): Json<NewOrder>) -> (StatusCode, Json<Value>) {
    (
        StatusCode::CREATED,
        Json(json!({ "id": "A-1001", "item": order.item, "quantity": order.quantity })),
    )
}

fn app() -> Router {
    Router::new()
        .route("/orders/{id}", get(get_order))
        .route("/orders", post(create_order))
}

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_guard::http::run_with(
        |config| {
            config.auth.mode = Some(Mode::Enforce);
            // The route policy, unless GUARD_CONFIG or GUARD_AUTH_ROUTES gave one.
            if config.auth.routes.is_empty() {
                for (route, scope) in [
                    ("GET /orders/{id}", "orders:read"),
                    ("POST /orders", "orders:write"),
                ] {
                    config.auth.routes.insert(
                        route.to_owned(),
                        RouteRule {
                            scopes: vec![scope.to_owned()],
                            ..RouteRule::default()
                        },
                    );
                }
            }
        },
        app(),
    )
    .await
}
