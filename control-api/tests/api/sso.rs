//! Single sign-on against a real OpenID Provider (npm's `oidc-provider`, `testkit::oidc`): the
//! owner's settings, sign-in through the code flow with the role mapped, what is refused
//! (another browser, a tampered or replayed `state`, unverified or foreign addresses), the keys
//! rotated at the provider, back-channel logout, and `sso_required`.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use testkit::oidc::Provider;

use crate::helpers::{PASSWORD, TestApp, claims_of, parse, unique_email, unique_slug};

const SECRET: &str = "a client secret of the organisation";

/// An organisation with an owner, a control plane that knows its public address, and a
/// provider with a client for it and three people.
struct World {
    app: TestApp,
    provider: Provider,
    slug: String,
    owner_token: String,
    client_id: String,
}

async fn world() -> World {
    let app = TestApp::spawn_with(|c| {
        c.app_public_url = Some(parse("https://{slug}.helpdeskly.test"));
        c.sso_allow_insecure_issuers = true;
    })
    .await;
    let slug = unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let owner = unique_email("owner");
    let user = app.create_user(&owner).await;
    app.add_member(user, tenant, "owner").await;
    let owner_token =
        app.login(Some(&slug), &owner, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    let client_id = format!("helpdeskly-{slug}");
    let provider = Provider::start(json!({
        "port": 0,
        "clients": [{
            "client_id": client_id,
            "client_secret": SECRET,
            "redirect_uris": [format!("https://{slug}.helpdeskly.test/v1/auth/sso/callback")],
            "backchannel_logout_uri": app.server.url("/v1/auth/sso/backchannel-logout"),
            "backchannel_logout_session_required": true,
        }],
        "accounts": {
            "ana": { "email": "ana@acme.example", "email_verified": true, "groups": ["support"], "name": "Ana Lima" },
            "lea": { "email": "lea@acme.example", "email_verified": true, "groups": ["support", "leads"], "name": "Lea Roux",
                     "amr": ["pwd", "mfa"] },
            "eve": { "email": "eve@elsewhere.example", "email_verified": true, "groups": ["support"], "name": "Eve" },
            "ulf": { "email": "ulf@acme.example", "email_verified": false, "groups": [], "name": "Ulf" },
            "max": { "email": "max@acme.example", "email_verified": true, "groups": [], "name": "Max" },
        },
    }))
    .await;
    World { app, provider, slug, owner_token, client_id }
}

impl World {
    fn settings(&self) -> Value {
        json!({
            "issuer": self.provider.issuer,
            "client_id": self.client_id,
            "client_secret": SECRET,
            "allowed_domains": ["acme.example"],
            "role_claim": "groups",
            "role_map": { "support": "agent", "leads": "admin" },
            "default_role": "customer",
            "auto_create": true,
            "required_for_staff": false,
        })
    }

    async fn put_settings(&self, body: &Value) -> harness::TestResponse {
        self.app
            .send(reqwest::Method::PUT, &format!("/v1/tenants/{}/sso", self.slug), &self.owner_token, Some(body))
            .await
    }

    /// Starts a sign-in and has `login` sign in at the provider: the callback's path and query,
    /// and the browser cookie the start set.
    async fn at_provider(&self, login: &str) -> (String, String) {
        let browser = Provider::browser();
        let start =
            browser.get(self.app.server.url(&format!("/v1/auth/sso/{}/start", self.slug))).send().await.unwrap();
        assert_eq!(start.status(), StatusCode::FOUND);
        let cookie = start
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("helpdeskly_sso="))
            .expect("the browser cookie")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let location = start.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.starts_with(&self.provider.issuer), "{location}");
        assert!(location.contains("code_challenge_method=S256") && location.contains("nonce="), "{location}");
        let back = self.provider.sign_in(&browser, &location, login).await;
        assert_eq!(back.path(), "/v1/auth/sso/callback");
        (format!("{}?{}", back.path(), back.query().unwrap()), cookie)
    }

    /// The callback with `cookie`: where it sends the browser, and the refresh cookie it set.
    async fn callback(&self, path_and_query: &str, cookie: &str) -> (String, Option<String>) {
        let response =
            Provider::browser().get(self.app.server.url(path_and_query)).header(COOKIE, cookie).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let refresh = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("helpdeskly_refresh="))
            .map(|v| v.split(';').next().unwrap().trim_start_matches("helpdeskly_refresh=").to_owned());
        (response.headers()[LOCATION].to_str().unwrap().to_owned(), refresh)
    }

    /// A full sign-in of `login`: the refresh token.
    async fn sign_in(&self, login: &str) -> String {
        let (back, cookie) = self.at_provider(login).await;
        let (location, refresh) = self.callback(&back, &cookie).await;
        assert_eq!(location, "/", "{login} signs in");
        refresh.expect("the refresh cookie")
    }

    async fn refresh(&self, token: &str) -> harness::TestResponse {
        self.app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": token })).await
    }
}

#[tokio::test]
async fn staff_sign_in_through_the_provider_with_their_mapped_roles() {
    let w = world().await;
    let saved = w.put_settings(&w.settings()).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let offer = w.app.server.get(&format!("/v1/auth/sso/{}", w.slug)).await;
    assert_eq!(offer.status, 200, "{}", offer.body);
    assert_eq!(offer.json(), json!({ "enabled": true, "required_for_staff": false }));
    let saved = saved.json();
    assert_eq!(saved["redirect_uri"], format!("https://{}.helpdeskly.test/v1/auth/sso/callback", w.slug));
    assert!(saved.get("client_secret").is_none(), "the secret is never shown");
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT client_secret FROM tenant_sso").fetch_one(&w.app.state.db).await.unwrap();
    assert!(!stored.windows(SECRET.len()).any(|part| part == SECRET.as_bytes()), "the secret is sealed");

    // Ana is new: created on her first sign-in, an agent by her group.
    let refresh = w.sign_in("ana").await;
    let tokens = w.refresh(&refresh).await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let tokens = tokens.json();
    assert_eq!(tokens["user"]["email"], "ana@acme.example");
    assert_eq!(tokens["user"]["firstname"], "Ana");
    assert_eq!(tokens["role"], "agent");
    let claims = claims_of(tokens["access_token"].as_str().unwrap());
    assert_eq!(claims["amr"][0], "sso", "{claims}");

    // Lea's groups map to admin, the higher role.
    let refresh = w.sign_in("lea").await;
    assert_eq!(w.refresh(&refresh).await.json()["role"], "admin");

    // Without creation, a person who is not a member is refused; members still sign in.
    let no_creation = json!({ "auto_create": false, "client_secret": null });
    let mut settings = w.settings();
    settings.as_object_mut().unwrap().extend(no_creation.as_object().unwrap().clone());
    assert_eq!(w.put_settings(&settings).await.status, 200, "the stored secret is kept");
    let (back, cookie) = w.at_provider("max").await;
    assert_eq!(w.callback(&back, &cookie).await.0, "/login?sso_error=sso_not_a_member");
    w.sign_in("ana").await;

    let metrics = w.app.server.get("/metrics").await.body;
    assert!(metrics.contains(r#"sso_sign_ins_total{outcome="signed_in"} 3"#), "{metrics}");
    assert!(metrics.contains(r#"sso_sign_ins_total{outcome="sso_not_a_member"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"sso_sign_ins_total{outcome="sso_token_invalid"} 0"#), "every outcome from the start");
}

#[tokio::test]
async fn what_the_provider_does_not_vouch_for_does_not_sign_in() {
    let w = world().await;
    assert_eq!(w.put_settings(&w.settings()).await.status, 200);

    let (back, cookie) = w.at_provider("ulf").await;
    assert_eq!(w.callback(&back, &cookie).await.0, "/login?sso_error=sso_email_unverified");
    let (back, cookie) = w.at_provider("eve").await;
    assert_eq!(w.callback(&back, &cookie).await.0, "/login?sso_error=sso_domain_not_allowed");

    // Another browser (no cookie, another's cookie) cannot finish a sign-in it did not start,
    // and the attempt is spent.
    let (back, _) = w.at_provider("ana").await;
    let (_, other_cookie) = w.at_provider("ana").await;
    assert_eq!(w.callback(&back, &other_cookie).await.0, "/login?sso_error=sso_state_invalid");
    let (back, cookie) = w.at_provider("ana").await;
    assert_eq!(w.callback(&back, "").await.0, "/login?sso_error=sso_state_invalid");
    assert_eq!(w.callback(&back, &cookie).await.0, "/login?sso_error=sso_state_invalid", "spent by the failure");

    // A tampered state is unknown; a replayed callback (its code and state) is refused.
    let (back, cookie) = w.at_provider("ana").await;
    let tampered = back.replace("state=", "state=x");
    assert_eq!(w.callback(&tampered, &cookie).await.0, "/login?sso_error=sso_state_invalid");
    let (back, cookie) = w.at_provider("ana").await;
    assert_eq!(w.callback(&back, &cookie).await.0, "/");
    assert_eq!(w.callback(&back, &cookie).await.0, "/login?sso_error=sso_state_invalid");

    let users: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE email IN ('ulf@acme.example', 'eve@elsewhere.example')")
            .fetch_one(&w.app.state.db)
            .await
            .unwrap();
    assert_eq!(users, 0, "nobody refused was created");
}

#[tokio::test]
async fn keys_rotated_at_the_provider_are_followed() {
    let w = world().await;
    assert_eq!(w.put_settings(&w.settings()).await.status, 200);
    w.sign_in("ana").await;
    w.provider.rotate_keys().await;
    // The keys read before the rotation lack the new one: they are read again.
    w.sign_in("ana").await;
}

#[tokio::test]
async fn the_providers_back_channel_logout_ends_the_persons_sessions() {
    let w = world().await;
    assert_eq!(w.put_settings(&w.settings()).await.status, 200);
    let first = w.sign_in("ana").await;
    let second = w.sign_in("ana").await;
    let lea = w.sign_in("lea").await;

    let sid: Option<String> = None;
    w.provider.backchannel_logout(&w.client_id, "ana", sid.as_deref()).await.expect("the logout token is accepted");
    assert_eq!(w.refresh(&first).await.status, 401);
    assert_eq!(w.refresh(&second).await.status, 401);
    assert_eq!(w.refresh(&lea).await.status, 200, "only Ana's sessions end");
    let audited = w.app.audit_actions().await;
    assert!(audited.iter().any(|a| a == "sso_logout"), "{audited:?}");

    // An invalid logout token is a 400 with the specification's error, and changes nothing.
    for body in ["", "logout_token=", "logout_token=not.a.jwt"] {
        let response = w
            .app
            .server
            .client
            .post(w.app.server.url("/v1/auth/sso/backchannel-logout"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "invalid_request", "{problem}");
    }
    let metrics = w.app.server.get("/metrics").await.body;
    assert!(metrics.contains(r#"sso_backchannel_logouts_total{outcome="ended"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"sso_backchannel_logouts_total{outcome="refused"} 3"#), "{metrics}");
}

#[tokio::test]
async fn staff_must_use_the_provider_when_required_and_the_owner_keeps_a_way_back() {
    let w = world().await;
    let mut settings = w.settings();
    settings["required_for_staff"] = json!(true);
    let refused = w.put_settings(&settings).await;
    refused.assert_problem(422, "validation_failed");
    assert!(refused.body.contains("required_for_staff"), "{}", refused.body);

    assert_eq!(w.put_settings(&w.settings()).await.status, 200);
    sqlx::query("UPDATE tenant_sso SET required_for_staff = true").execute(&w.app.state.db).await.unwrap();
    let tenant = w.app.tenant_id(&w.slug).await;
    let agent = unique_email("agent");
    let user = w.app.create_user(&agent).await;
    w.app.add_member(user, tenant, "agent").await;
    w.app.login(Some(&w.slug), &agent, PASSWORD).await.assert_problem(403, "sso_required");
    let customer = unique_email("customer");
    let user = w.app.create_user(&customer).await;
    w.app.add_member(user, tenant, "customer").await;
    assert_eq!(w.app.login(Some(&w.slug), &customer, PASSWORD).await.status, 200, "customers keep passwords");
}

#[tokio::test]
async fn bad_settings_are_refused_with_why_and_only_owners_set_them() {
    let w = world().await;
    let mut wrong_issuer = w.settings();
    wrong_issuer["issuer"] = json!(format!("{}/elsewhere", w.provider.issuer));
    let refused = w.put_settings(&wrong_issuer).await;
    refused.assert_problem(422, "validation_failed");
    assert!(refused.body.contains("issuer"), "{}", refused.body);

    let mut unknown = w.settings();
    unknown["surprise"] = json!(1);
    assert!(matches!(w.put_settings(&unknown).await.status.as_u16(), 400 | 422));
    let mut no_secret = w.settings();
    no_secret["client_secret"] = Value::Null;
    w.put_settings(&no_secret).await.assert_problem(422, "validation_failed");
    let mut owner_role = w.settings();
    owner_role["role_map"] = json!({ "support": "owner" });
    w.put_settings(&owner_role).await.assert_problem(422, "validation_failed");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_sso").fetch_one(&w.app.state.db).await.unwrap();
    assert_eq!(count, 0, "nothing was saved");

    // An admin may not set it; another organisation without it has no sign-in to start.
    let tenant = w.app.tenant_id(&w.slug).await;
    let admin = unique_email("admin");
    let user = w.app.create_user(&admin).await;
    w.app.add_member(user, tenant, "admin").await;
    let admin_token =
        w.app.login(Some(&w.slug), &admin, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    let forbidden = w
        .app
        .send(reqwest::Method::PUT, &format!("/v1/tenants/{}/sso", w.slug), &admin_token, Some(&w.settings()))
        .await;
    forbidden.assert_problem(403, "forbidden");
    let other = unique_slug();
    w.app.create_tenant(&other, "active").await;
    assert_eq!(w.app.server.get(&format!("/v1/auth/sso/{other}/start")).await.status, 404);
    // An organisation without single sign-on says so, without a failed request.
    let none = w.app.server.get(&format!("/v1/auth/sso/{other}")).await;
    assert_eq!(none.status, 200, "{}", none.body);
    assert_eq!(none.json(), json!({ "enabled": false, "required_for_staff": false }));
    assert_eq!(w.app.server.get(&format!("/v1/auth/sso/{}", unique_slug())).await.status, 404);

    assert_eq!(w.put_settings(&w.settings()).await.status, 200);
    let deleted = w.app.delete_bearer(&format!("/v1/tenants/{}/sso", w.slug), &w.owner_token).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(w.app.server.get(&format!("/v1/auth/sso/{}/start", w.slug)).await.status, 404);
}

/// Marks `email`'s identity as having 2FA (the sign-in only reads that it is on).
async fn with_second_factor(app: &TestApp, email: &str) {
    sqlx::query(
        "INSERT INTO user_mfa (user_id, secret_encrypted, enabled_at)
         SELECT id, '\\x00', now() FROM users WHERE lower(email) = $1",
    )
    .bind(email)
    .execute(&app.state.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_second_factor_is_asked_unless_the_provider_asserts_one() {
    let w = world().await;
    assert_eq!(w.put_settings(&w.settings()).await.status, 200);
    w.sign_in("ana").await;
    w.sign_in("lea").await;
    with_second_factor(&w.app, "ana@acme.example").await;
    with_second_factor(&w.app, "lea@acme.example").await;

    // Ana's provider says a password alone: her second factor is asked here, with the same
    // challenge a password login gets, and no session is opened meanwhile.
    let sessions = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'ana@acme.example'",
        )
        .fetch_one(&w.app.state.db)
        .await
        .unwrap()
    };
    let before = sessions().await;
    let (back, cookie) = w.at_provider("ana").await;
    let (location, refresh) = w.callback(&back, &cookie).await;
    let token = location.strip_prefix("/login#mfa_token=").unwrap_or_else(|| panic!("{location}"));
    assert!(refresh.is_none() && sessions().await == before, "signed in without the second factor");
    let challenges: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mfa_challenges c JOIN users u ON u.id = c.user_id
         WHERE u.email = 'ana@acme.example' AND c.token_digest = sha256(convert_to($1, 'UTF8'))",
    )
    .bind(token)
    .fetch_one(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(challenges, 1, "the token is an open second-factor challenge of hers");

    // Lea's provider asserts a second factor (`amr` has `mfa`): she is signed in.
    w.sign_in("lea").await;
}

#[tokio::test]
async fn when_required_the_owner_with_2fa_keeps_a_password_login() {
    let w = world().await;
    let owner: String =
        sqlx::query_scalar("SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.role = 'owner' AND m.tenant_id = $1")
            .bind(w.app.tenant_id(&w.slug).await)
            .fetch_one(&w.app.state.db)
            .await
            .unwrap();
    with_second_factor(&w.app, &owner).await;
    let mut settings = w.settings();
    settings["required_for_staff"] = json!(true);
    let saved = w.put_settings(&settings).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let login = w.app.login(Some(&w.slug), &owner, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.json()["mfa_required"], true, "the owner's way back is a password with 2FA");
}

#[tokio::test]
async fn an_id_token_for_another_nonce_is_refused() {
    use control_api::identity::sso::provider::ClientSide;

    let w = world().await;
    assert_eq!(w.put_settings(&w.settings()).await.status, 200);
    let (back, _) = w.at_provider("ana").await;
    let url = reqwest::Url::parse(&format!("https://x{back}")).unwrap();
    let code = url.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    // The verifier this sign-in's code was asked with, so only the nonce differs.
    let verifier: String =
        sqlx::query_scalar("SELECT pkce_verifier FROM sso_attempts").fetch_one(&w.app.state.db).await.unwrap();
    let redirect = format!("https://{}.helpdeskly.test/v1/auth/sso/callback", w.slug);
    let scopes = ["openid".to_owned(), "email".to_owned(), "profile".to_owned()];
    let side = ClientSide {
        issuer: &w.provider.issuer,
        client_id: &w.client_id,
        client_secret: SECRET.to_owned(),
        redirect_uri: &redirect,
        scopes: &scopes,
    };
    let refused = w.app.state.sso.finish(&side, code, verifier, "another sign-in's nonce").await.unwrap_err();
    assert!(refused.to_string().to_lowercase().contains("nonce"), "{refused}");
}

#[tokio::test]
async fn another_organisations_configuration_never_signs_anyone_in_here() {
    let w = world().await;
    assert_eq!(w.put_settings(&w.settings()).await.status, 200);
    // A second organisation whose owner names this organisation's provider and client (without
    // its secret, and without its redirect URI registered there).
    let other = unique_slug();
    let tenant = w.app.create_tenant(&other, "active").await;
    let owner = unique_email("owner");
    let user = w.app.create_user(&owner).await;
    w.app.add_member(user, tenant, "owner").await;
    let token = w.app.login(Some(&other), &owner, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    let mut borrowed = w.settings();
    borrowed["client_secret"] = json!("a guess");
    let saved = w.app.send(reqwest::Method::PUT, &format!("/v1/tenants/{other}/sso"), &token, Some(&borrowed)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);

    // Its sign-in asks the provider for its own redirect URI, which the client does not have:
    // the provider refuses before anyone signs in.
    let browser = Provider::browser();
    let start = browser.get(w.app.server.url(&format!("/v1/auth/sso/{other}/start"))).send().await.unwrap();
    let location = start.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.contains(&format!("{other}.helpdeskly.test")), "{location}");
    let at_provider = browser.get(&location).send().await.unwrap();
    let refused = at_provider.status() == StatusCode::BAD_REQUEST
        || at_provider.headers().get(LOCATION).is_some_and(|to| !to.to_str().unwrap().contains("code="));
    assert!(refused, "the provider hands no code to a redirect URI it does not know: {}", at_provider.status());

    // A sign-in started here and finished with the other organisation's browser cookie is
    // refused; one finished properly lands in this organisation only.
    let (back, _) = w.at_provider("ana").await;
    let other_start =
        Provider::browser().get(w.app.server.url(&format!("/v1/auth/sso/{other}/start"))).send().await.unwrap();
    let cookie = other_start
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .find_map(|v| {
            v.to_str()
                .ok()
                .filter(|v| v.starts_with("helpdeskly_sso="))
                .map(|v| v.split(';').next().unwrap().to_owned())
        })
        .expect("the other organisation's browser cookie");
    assert_eq!(w.callback(&back, &cookie).await.0, "/login?sso_error=sso_state_invalid");
    let refresh = w.sign_in("ana").await;
    let tokens = w.refresh(&refresh).await.json();
    assert_eq!(tokens["tenant"]["slug"], w.slug);
    let memberships: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'ana@acme.example'",
    )
    .fetch_one(&w.app.state.db)
    .await
    .unwrap();
    assert_eq!(memberships, 1, "a member of this organisation alone");
}
