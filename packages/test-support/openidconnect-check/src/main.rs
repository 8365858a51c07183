//! Verifies ID tokens with the `openidconnect` crate, as the OpenTalk controller does: the
//! provider's metadata (issuer, keys) from its discovery document and JWKS, a client built from
//! them, and that client's ID-token verifier (signature, issuer, audience, expiry, issue time).
//! Tokens from a password grant or an exchange carry no nonce, so none is expected.
//!
//! Reads {"discovery": {...}, "jwks": {...}, "checks": [{"name", "client_id", "client_secret"?,
//! "id_token"}]} on stdin and writes one result per check: accepted with the subject, audiences
//! and preferred username, or refused with the crate's reason.

use std::io::Read;

use openidconnect::core::{CoreClient, CoreIdToken, CoreJsonWebKeySet, CoreProviderMetadata};
use openidconnect::{ClientId, ClientSecret, Nonce};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct Input {
    discovery: Value,
    jwks: Value,
    checks: Vec<Check>,
}

#[derive(Deserialize)]
struct Check {
    name: String,
    client_id: String,
    client_secret: Option<String>,
    id_token: String,
}

fn verify(metadata: &CoreProviderMetadata, check: &Check) -> Result<Value, String> {
    let client = CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(check.client_id.clone()),
        check.client_secret.clone().map(ClientSecret::new),
    );
    let verifier = client.id_token_verifier();
    let token: CoreIdToken = check.id_token.parse().map_err(|e| format!("not an ID token: {e}"))?;
    let claims = token
        .claims(&verifier, |_: Option<&Nonce>| Ok(()))
        .map_err(|e| e.to_string())?;
    Ok(json!({
        "name": check.name,
        "accepted": true,
        "sub": claims.subject().as_str(),
        "aud": claims.audiences().iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "preferred_username": claims.preferred_username().map(|u| u.as_str()),
    }))
}

fn main() {
    let mut raw = String::new();
    std::io::stdin().read_to_string(&mut raw).expect("stdin");
    let input: Input = serde_json::from_str(&raw).expect("input JSON");
    let jwks: CoreJsonWebKeySet = serde_json::from_value(input.jwks).expect("JWKS");
    let metadata: CoreProviderMetadata =
        serde_json::from_value(input.discovery).expect("discovery document");
    let metadata = metadata.set_jwks(jwks);
    let results: Vec<Value> = input
        .checks
        .iter()
        .map(|check| {
            verify(&metadata, check).unwrap_or_else(|error| {
                json!({ "name": check.name, "accepted": false, "error": error })
            })
        })
        .collect();
    println!("{}", Value::Array(results));
}
