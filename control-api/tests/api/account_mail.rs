//! Account mail, read over IMAP from the test mail server as a mail client reads it: password
//! reset links, email verification, invitations, and mail that waits for a mail server.

use std::time::Duration;

use harness::{TestResponse, eventually};
use reqwest::Method;
use serde_json::{Value, json};
use testkit::mailbox::{self, Mail};
use uuid::Uuid;

use crate::helpers::{ControlOptions, PASSWORD, Service, TestApp, Worker, parse, unique_email, unique_slug};
use crate::members::{accept_as_newcomer, active_org};

const NEW_PASSWORD: &str = "a brand new passphrase";

fn options(mail: Service) -> ControlOptions {
    ControlOptions::default().mail(mail).configure(|c| c.app_public_url = Some(parse("http://{slug}.helpdeskly.test")))
}

/// A control plane for identity alone, mailing the test server.
async fn plane() -> TestApp {
    options(Service::Test).start().await
}

/// An active tenant (no database behind it) and a member of it; returns (slug, email, user id).
async fn member(app: &TestApp) -> (String, String, Uuid) {
    let slug = unique_slug();
    let tenant = app.create_tenant(&slug, "active").await;
    let email = unique_email("member");
    let user = app.create_user(&email).await;
    app.add_member(user, tenant, "customer").await;
    (slug, email, user)
}

async fn forgot(app: &TestApp, slug: &str, email: &str, language: Option<&str>) -> TestResponse {
    let mut body = json!({ "tenant": slug, "email": email });
    if let Some(language) = language {
        body["language"] = json!(language);
    }
    app.server.post_json("/v1/auth/password/forgot", &body).await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> TestResponse {
    app.server.post_json("/v1/auth/password/reset", &json!({ "token": token, "new_password": password })).await
}

/// The token of the link to `{slug}`'s `path` in the mail's text part (and the same link in its
/// HTML part).
fn link_token(mail: &Mail, slug: &str, path: &str) -> String {
    let prefix = format!("http://{slug}.helpdeskly.test{path}");
    let start = mail.text.find(&prefix).unwrap_or_else(|| panic!("no {prefix} link in:\n{}", mail.text)) + prefix.len();
    let token: String =
        mail.text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
    assert_eq!(token.len(), 43, "{}", mail.text);
    assert!(mail.html.contains(&format!("href=\"{prefix}{token}\"")), "{}", mail.html);
    token
}

/// The account mail rows addressed to `email`: (kind, status).
async fn rows_to(app: &TestApp, email: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT kind, status FROM account_mail WHERE lower(address) = lower($1) ORDER BY created_at")
        .bind(email)
        .fetch_all(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_password_reset_runs_from_the_mail_to_a_new_password_and_ends_every_session() {
    let app = plane().await;
    let (slug, email, _) = member(&app).await;
    let login = app.login(Some(&slug), &email, PASSWORD).await.json();
    let (access, refresh) = (login["access_token"].as_str().unwrap(), login["refresh_token"].as_str().unwrap());
    assert_eq!(login["user"]["email_verified"], true);

    // Two requests, two links: the reset with one ends the other.
    for _ in 0..2 {
        let asked = forgot(&app, &slug, &email, None).await;
        assert_eq!(asked.status, 202, "{}", asked.body);
    }
    let mails = mailbox::wait_for(&email, 2).await;
    let mail = &mails[1];
    assert_eq!(mail.subject, "Reset your Helpdeskly password");
    assert!(mail.header("from").unwrap().starts_with("Helpdeskly <"), "{:?}", mail.header("from"));
    assert_eq!(mail.header("auto-submitted"), Some("auto-generated"));
    assert_eq!(mail.header("x-auto-response-suppress"), Some("All"));
    assert_eq!(mail.header("content-language"), Some("en"));
    assert_eq!(mail.header("list-unsubscribe"), None);
    let reply_domain = &app.state.config.mail.reply_domain;
    let message_id = mail.message_id();
    let (id, domain) = message_id.split_once('@').unwrap();
    assert_eq!(domain, reply_domain);
    assert!(id.parse::<Uuid>().is_ok(), "{message_id}");
    assert_ne!(mails[0].message_id(), message_id);
    assert!(mail.text.contains("within 30 minutes"));
    let first = link_token(&mails[0], &slug, "/reset-password?token=");
    let token = link_token(mail, &slug, "/reset-password?token=");

    reset(&app, &token, "short").await.assert_problem(422, "validation_failed");
    let done = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(done.status, 204, "{}", done.body);

    let refreshed = app.server.post_json("/v1/auth/refresh", &json!({ "refresh_token": refresh })).await;
    assert_eq!(refreshed.status, 401, "{}", refreshed.body);
    app.get_bearer("/v1/auth/me", access).await.assert_problem(401, "unauthorized");
    assert_eq!(app.login(Some(&slug), &email, PASSWORD).await.status, 401);
    let signed_in = app.login(Some(&slug), &email, NEW_PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    reset(&app, &token, "another new passphrase").await.assert_problem(400, "invalid_token");
    reset(&app, &first, "another new passphrase").await.assert_problem(400, "invalid_token");
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"password_reset_requested".to_owned()) && actions.contains(&"password_reset".to_owned()));
}

/// What an answer says, without what differs between any two answers (its date, its id).
fn answer(response: &TestResponse) -> (u16, Vec<(String, String)>, String) {
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    (response.status.as_u16(), headers, response.body.clone())
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_answer_as_a_member_and_no_mail() {
    let app = plane().await;
    let (slug, email, _) = member(&app).await;
    // An identity that belongs to another organisation only.
    let (_, elsewhere, _) = member(&app).await;
    let unknown = unique_email("nobody");

    let for_unknown = forgot(&app, &slug, &unknown, None).await;
    let for_outsider = forgot(&app, &slug, &elsewhere, None).await;
    let for_member = forgot(&app, &slug, &email, None).await;
    assert_eq!(for_member.status, 202);
    assert_eq!(answer(&for_unknown), answer(&for_member));
    assert_eq!(answer(&for_outsider), answer(&for_member));
    assert!(for_member.header("content-length").is_some());

    mailbox::wait_for(&email, 1).await;
    assert_eq!(rows_to(&app, &email).await.len(), 1);
    assert!(rows_to(&app, &unknown).await.is_empty());
    assert!(rows_to(&app, &elsewhere).await.is_empty());
    assert!(mailbox::inbox(&unknown).await.is_empty());
    assert!(mailbox::inbox(&elsewhere).await.is_empty());
}

#[tokio::test]
async fn expired_forged_and_foreign_tokens_are_refused() {
    let app = plane().await;
    let (slug, email, _) = member(&app).await;
    reset(&app, "forged-token-forged-token-forged-token-1234", NEW_PASSWORD).await.assert_problem(400, "invalid_token");
    reset(&app, &"x".repeat(500), NEW_PASSWORD).await.assert_problem(400, "invalid_token");
    reset(&app, "", NEW_PASSWORD).await.assert_problem(400, "invalid_token");

    assert_eq!(forgot(&app, &slug, &email, None).await.status, 202);
    let token = link_token(&mailbox::wait_for(&email, 1).await[0], &slug, "/reset-password?token=");
    // A reset link is no verification link.
    let verify = app.server.post_json("/v1/auth/email/verify", &json!({ "token": token })).await;
    verify.assert_problem(400, "invalid_token");
    sqlx::query("UPDATE account_tokens SET expires_at = now() - interval '1 second'")
        .execute(&app.state.db)
        .await
        .unwrap();
    reset(&app, &token, NEW_PASSWORD).await.assert_problem(400, "invalid_token");
    assert_eq!(app.login(Some(&slug), &email, PASSWORD).await.status, 200, "the password is unchanged");
}

#[tokio::test]
async fn reset_requests_are_limited_per_email_and_per_address() {
    let app = options(Service::Off)
        .configure(|c| {
            c.abuse.password_resets_per_email_per_hour = 2;
            c.abuse.password_resets_per_ip_per_hour = 4;
        })
        .start()
        .await;
    let slug = unique_slug();
    let (email, other, third) = (unique_email("limited"), unique_email("other"), unique_email("third"));
    for _ in 0..2 {
        assert_eq!(forgot(&app, &slug, &email, None).await.status, 202);
    }
    let over = forgot(&app, &slug, &email.to_uppercase(), None).await;
    over.assert_problem(429, "rate_limited");
    assert!(over.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // Another email from the same address, until the address's budget is spent (the refused
    // request counted against it too).
    assert_eq!(forgot(&app, &slug, &other, None).await.status, 202);
    forgot(&app, &slug, &third, None).await.assert_problem(429, "rate_limited");
}

#[tokio::test]
async fn mail_speaks_french_and_keeps_names_as_text() {
    let app = plane().await;
    let (slug, email, user) = member(&app).await;
    sqlx::query("UPDATE users SET firstname = '<script>alert(1)</script>' WHERE id = $1")
        .bind(user)
        .execute(&app.state.db)
        .await
        .unwrap();
    sqlx::query("UPDATE tenants SET name = 'Dupont & <b>Fils</b>' WHERE slug = $1")
        .bind(&slug)
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(forgot(&app, &slug, &email, Some("fr")).await.status, 202);
    let mail = &mailbox::wait_for(&email, 1).await[0];
    assert_eq!(mail.subject, "Réinitialisez votre mot de passe Helpdeskly");
    assert_eq!(mail.header("content-language"), Some("fr"));
    assert!(mail.text.starts_with("Bonjour <script>alert(1)</script>,"), "{}", mail.text);
    assert!(mail.text.contains("pour Dupont & <b>Fils</b>."), "{}", mail.text);
    assert!(mail.text.contains("dans les 30 minutes"), "{}", mail.text);
    assert!(mail.html.contains("Bonjour &lt;script&gt;alert(1)&lt;/script&gt;,"), "{}", mail.html);
    assert!(mail.html.contains("Dupont &amp; &lt;b&gt;Fils&lt;/b&gt;"), "{}", mail.html);
    assert!(!mail.html.contains("<script>") && !mail.html.contains("<b>"), "{}", mail.html);
    link_token(mail, &slug, "/reset-password?token=");

    let unsupported = forgot(&app, &slug, &email, Some("de")).await;
    assert!(matches!(unsupported.status.as_u16(), 400 | 422), "{}", unsupported.body);
}

/// A tenancy plane (tenant databases, the worker in the background) mailing the test server.
async fn tenancy_plane() -> TestApp {
    options(Service::Test).tenancy(Worker::Background).start().await
}

#[tokio::test]
async fn an_invitation_is_mailed_with_a_link_that_accepts() {
    let app = tenancy_plane().await;
    let org = active_org(&app).await;
    let email = unique_email("invitee");
    let response = app
        .post_bearer(
            &format!("/v1/tenants/{}/invitations", org.slug),
            &org.owner_token,
            &json!({ "email": email, "role": "agent", "language": "en" }),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    let answered = response.json()["token"].as_str().unwrap().to_owned();

    let mail = &mailbox::wait_for(&email, 1).await[0];
    assert_eq!(mail.subject, format!("{} SAV invites you to Helpdeskly", org.slug));
    let from = mail.header("from").unwrap();
    assert!(from.trim_start_matches('"').starts_with(&format!("{} SAV", org.slug)), "{from}");
    assert!(
        mail.text.contains(&format!("Grace Hopper invites you to join {} SAV on Helpdeskly as an agent.", org.slug)),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("can be accepted until"));
    let token = link_token(mail, &org.slug, "/invite/");
    assert_eq!(token, answered);

    let joined = accept_as_newcomer(&app, &token, PASSWORD, ["Alan", "Turing"]).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(joined.json()["user"]["email_verified"], true);

    // French, on request.
    let french = unique_email("invitee-fr");
    let body = json!({ "email": french, "role": "customer", "language": "fr" });
    let created = app.post_bearer(&format!("/v1/tenants/{}/invitations", org.slug), &org.owner_token, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let mail = &mailbox::wait_for(&french, 1).await[0];
    assert_eq!(mail.subject, format!("{} SAV vous invite sur Helpdeskly", org.slug));
    assert!(mail.text.contains("en tant que client ou cliente"), "{}", mail.text);
}

/// The tenant database's mirror of `user`: its `email_verified`.
async fn mirrored_verification(app: &TestApp, slug: &str, user: Uuid) -> Option<bool> {
    let mut conn = app.connect_as_tenant(slug, None).await.unwrap();
    let mut tx = tenant_schema::begin(&mut conn, app.tenant_id(slug).await).await.unwrap();
    sqlx::query_scalar("SELECT email_verified FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&mut *tx)
        .await
        .unwrap()
}

async fn await_mirrored_verification(app: &TestApp, slug: &str, user: Uuid, expected: bool) {
    eventually(Duration::from_secs(15), &format!("{user}'s mirror reads email_verified {expected}"), || async move {
        (mirrored_verification(app, slug, user).await == Some(expected)).then_some(())
    })
    .await;
}

async fn me(app: &TestApp, token: &str) -> Value {
    let response = app.get_bearer("/v1/auth/me", token).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn a_registered_customer_verifies_their_email_through_the_mailed_link() {
    let app = tenancy_plane().await;
    let org = active_org(&app).await;
    let email = unique_email("customer");
    let body = json!({ "tenant": org.slug, "email": email, "password": PASSWORD, "firstname": "Zoé", "lastname": "R", "language": "fr" });
    let registered = app.server.post_json("/v1/auth/register", &body).await;
    assert_eq!(registered.status, 201, "{}", registered.body);

    let login = app.login(Some(&org.slug), &email, PASSWORD).await.json();
    assert_eq!(login["user"]["email_verified"], false);
    let token = login["access_token"].as_str().unwrap().to_owned();
    let user: Uuid = login["user"]["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(me(&app, &token).await["user"]["email_verified"], false);
    await_mirrored_verification(&app, &org.slug, user, false).await;

    let mail = &mailbox::wait_for(&email, 1).await[0];
    assert_eq!(mail.subject, "Confirmez votre adresse e-mail");
    assert!(mail.text.starts_with("Bonjour Zoé,"), "{}", mail.text);
    let link = link_token(mail, &org.slug, "/verify-email?token=");
    let verified = app.server.post_json("/v1/auth/email/verify", &json!({ "token": link })).await;
    assert_eq!(verified.status, 204, "{}", verified.body);
    assert_eq!(me(&app, &token).await["user"]["email_verified"], true);
    await_mirrored_verification(&app, &org.slug, user, true).await;
    app.server.post_json("/v1/auth/email/verify", &json!({ "token": link })).await.assert_problem(400, "invalid_token");
    // The owner, from sign-up, counts as verified.
    assert_eq!(me(&app, &org.owner_token).await["user"]["email_verified"], true);
}

#[tokio::test]
async fn mail_waits_without_a_mail_server_and_goes_once_one_is_configured() {
    let app = options(Service::Off).start().await;
    let ready = app.server.get("/ready").await.json();
    assert_eq!(ready["dependencies"]["mail"]["status"], "not_configured");
    assert_eq!(ready["dependencies"]["mail"]["required"], false);
    let (slug, email, _) = member(&app).await;
    assert_eq!(forgot(&app, &slug, &email, None).await.status, 202);
    let db = &app.state.db;
    let id: Uuid = eventually(Duration::from_secs(10), "the reset mail is written", || async move {
        sqlx::query_scalar("SELECT id FROM account_mail WHERE status = 'pending'").fetch_optional(db).await.unwrap()
    })
    .await;
    // The plane's own sender has run meanwhile (it ran at start, and is woken by the commit):
    // without a mail server, nothing is tried.
    assert!(app.state.mail.sender.run_due().await.unwrap().away);
    let attempts: i32 =
        sqlx::query_scalar("SELECT attempts FROM account_mail WHERE id = $1").bind(id).fetch_one(db).await.unwrap();
    assert_eq!(attempts, 0);
    assert!(mailbox::inbox(&email).await.is_empty());

    // Another process on the same database, with a mail server.
    let mut config = app.state.config.clone();
    config.mail.smtp_url = Some(parse(&mailbox::smtp_url()));
    let with_mail = control_api::AppState::new(config).unwrap();
    let pass = with_mail.mail.sender.run_due().await.unwrap();
    assert_eq!((pass.done, pass.away), (1, false));
    let mail = &mailbox::wait_for(&email, 1).await[0];
    assert_eq!(mail.message_id().split('@').next(), Some(id.to_string().as_str()));
    let (status, text): (String, String) =
        sqlx::query_as("SELECT status, text FROM account_mail WHERE id = $1").bind(id).fetch_one(db).await.unwrap();
    assert_eq!((status.as_str(), text.as_str()), ("sent", ""), "sent, and the link's secret no longer kept");
    let ready = plane().await.server.get("/ready").await.json();
    assert_eq!(ready["dependencies"]["mail"]["status"], "up", "{ready}");
}

#[tokio::test]
async fn erasure_takes_the_mail_addressed_to_the_person_along() {
    let app = plane().await;
    let (slug, email, user) = member(&app).await;
    let tenant = app.tenant_id(&slug).await;
    let owner = unique_email("owner");
    let owner_id = app.create_user(&owner).await;
    app.add_member(owner_id, tenant, "owner").await;
    let owner_token =
        app.login(Some(&slug), &owner, PASSWORD).await.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(forgot(&app, &slug, &email, None).await.status, 202);
    mailbox::wait_for(&email, 1).await;
    assert_eq!(rows_to(&app, &email).await.len(), 1);

    let path = format!("/v1/tenants/{slug}/members/{user}?erase=true");
    let erased = app.send(Method::DELETE, &path, &owner_token, None).await;
    assert_eq!(erased.status, 204, "{}", erased.body);
    assert!(rows_to(&app, &email).await.is_empty());
    let tokens: i64 = sqlx::query_scalar("SELECT count(*) FROM account_tokens WHERE user_id = $1")
        .bind(user)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(tokens, 0);
}
