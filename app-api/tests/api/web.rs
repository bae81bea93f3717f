//! The web app's needs on a tenant host without nginx in front: the built files with their
//! headers, and the control plane's sign-in routes reached same-origin, refresh cookie included.

use harness::TestResponse;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{PASSWORD, Platform, Replica};

/// A request on the tenant's own host name (the web app never names its tenant otherwise).
async fn on_host(
    app: &Replica,
    host: &str,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    body: Option<serde_json::Value>,
) -> TestResponse {
    let mut request = app.server.request(method, path).header("host", host);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    TestResponse::from(request.send().await.expect("request sent")).await
}

/// The `name=value` part of the refresh cookie a response sets.
fn refresh_cookie(response: &TestResponse) -> String {
    let set = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("helpdeskly_refresh="))
        .unwrap_or_else(|| panic!("no refresh cookie in {:?}", response.headers));
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/v1/auth"] {
        assert!(set.contains(attribute), "{set} lacks {attribute}");
    }
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn sign_in_refresh_and_logout_work_same_origin_with_the_cookie() {
    let (platform, org) = Platform::with_org(false).await;
    let app = platform.replica().await;
    let host = format!("{}.{}", org.slug, crate::helpers::BASE_DOMAIN);

    let login = json!({ "tenant": org.slug, "email": org.owner_email, "password": PASSWORD });
    let signed_in = on_host(&app, &host, Method::POST, "/v1/auth/login", None, Some(login)).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let first = refresh_cookie(&signed_in);
    let access = signed_in.json()["access_token"].as_str().unwrap().to_owned();
    assert!(first.ends_with(signed_in.json()["refresh_token"].as_str().unwrap()));

    // The cookie alone refreshes, and is rotated.
    let refreshed = on_host(&app, &host, Method::POST, "/v1/auth/refresh", Some(&first), Some(json!({}))).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let second = refresh_cookie(&refreshed);
    assert_ne!(first, second);
    let access = refreshed.json()["access_token"].as_str().map_or(access, str::to_owned);
    let me = app.get(&org.slug, "/v1/me", Some(&access)).await;
    assert_eq!(me.status, 200, "{}", me.body);

    // No token anywhere: 401, and the answer clears the cookie.
    let without = on_host(&app, &host, Method::POST, "/v1/auth/refresh", None, Some(json!({}))).await;
    without.assert_problem(401, "unauthorized");
    assert!(without.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")), "{:?}", without.headers);

    // Logout revokes the cookie's session and clears it: the access token and the cookie die.
    let mut request = app.server.request(Method::POST, "/v1/auth/logout").header("host", &host);
    request = request.header("cookie", &second).bearer_auth(&access).json(&json!({}));
    let logout = TestResponse::from(request.send().await.unwrap()).await;
    assert_eq!(logout.status, 204, "{}", logout.body);
    assert!(logout.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
    let again = on_host(&app, &host, Method::POST, "/v1/auth/refresh", Some(&second), Some(json!({}))).await;
    again.assert_problem(401, "unauthorized");
    let mut request = app.server.request(Method::GET, "/v1/auth/me").header("host", &host).bearer_auth(&access);
    request = request.header("user-agent", "web-test");
    TestResponse::from(request.send().await.unwrap()).await.assert_problem(401, "unauthorized");

    // The control plane's other routes are forwarded too, errors unchanged.
    let members = on_host(&app, &host, Method::GET, &format!("/v1/tenants/{}/members", org.slug), None, None).await;
    members.assert_problem(401, "unauthorized");
    let invitation = on_host(&app, &host, Method::POST, "/v1/invitations/nope/accept", None, Some(json!({}))).await;
    invitation.assert_problem(400, "validation_failed");
    // Bad input stays bad input: the control plane's own answer comes back.
    let unknown = json!({ "tenant": org.slug, "email": org.owner_email, "password": PASSWORD, "extra": 1 });
    on_host(&app, &host, Method::POST, "/v1/auth/login", None, Some(unknown))
        .await
        .assert_problem(400, "validation_failed");
}

#[tokio::test]
async fn without_a_control_plane_address_its_routes_are_not_found() {
    let platform = Platform::start(false).await;
    let app = platform.replica_with(|c| c.control_api_url = None).await;
    let response = app.server.post_json("/v1/auth/login", &json!({})).await;
    response.assert_problem(404, "not_found");
}

#[tokio::test]
async fn the_built_app_is_served_with_its_headers() {
    let platform = Platform::start(false).await;
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir(web.path().join("assets")).unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>Helpdeskly</title>").unwrap();
    std::fs::write(web.path().join("assets/app-3f2a.js"), "console.log(1)").unwrap();
    std::fs::write(web.path().join("favicon.svg"), "<svg/>").unwrap();
    let app = platform.replica_with(|c| c.http.web_dir = Some(web.path().to_owned())).await;

    for path in ["/", "/tickets/0195e2b4-3f00-7000-8000-000000000000", "/login?next=%2F"] {
        let page = app.server.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains("<title>Helpdeskly</title>"), "{path}: {}", page.body);
        assert_eq!(page.header("cache-control"), Some("no-cache"), "{path}");
        assert_eq!(page.header("content-security-policy"), Some(shared::http::web::CONTENT_SECURITY_POLICY));
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    }
    let script = app.server.get("/assets/app-3f2a.js").await;
    assert_eq!(script.status, 200);
    assert_eq!(script.body, "console.log(1)");
    assert!(script.header("content-type").unwrap().contains("javascript"), "{:?}", script.headers);
    assert_eq!(script.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(app.server.get("/favicon.svg").await.body, "<svg/>");

    // Missing assets, the API's unknown paths and other methods are the API's 404, never the page.
    for path in ["/assets/missing.js", "/v1/nope", "/assets/..%2findex.html"] {
        let missing = app.server.get(path).await;
        assert_eq!(missing.status, 404, "{path}: {}", missing.body);
        assert!(!missing.body.contains("<title>"), "{path}");
    }
    let posted = app.server.request(Method::POST, "/somewhere").json(&json!({})).send().await.unwrap();
    assert_eq!(posted.status(), 404);
    // The API itself is untouched.
    assert_eq!(app.server.get("/health").await.status, 200);
    let me = app.server.get("/v1/me").await;
    assert_eq!(me.status, 400, "{}", me.body);
}

#[test]
fn a_web_dir_without_the_app_is_refused_at_start() {
    let platform_env = shared::config::Env::from_pairs([("WEB_DIR", "/nonexistent/dist")]);
    let error = shared::config::HttpConfig::from_env(&platform_env, "APP_PORT", 6501).unwrap_err();
    assert_eq!(error.name, "WEB_DIR");
}

/// Polling the queue or a ticket costs a 304 while nothing changed, and sees any change.
#[tokio::test]
async fn polls_get_not_modified_until_something_changes() {
    let (platform, org) = Platform::with_org(false).await;
    let app = platform.replica().await;
    let poll = |path: &'static str, tag: Option<String>| {
        let mut request = app.server.request(Method::GET, path).header("x-tenant-slug", &org.slug);
        request = request.bearer_auth(&org.owner_token);
        if let Some(tag) = tag {
            request = request.header("if-none-match", tag);
        }
        async move { TestResponse::from(request.send().await.unwrap()).await }
    };
    let first = poll("/v1/tickets", None).await;
    assert_eq!(first.status, 200);
    let tag = first.header("etag").expect("an ETag").to_owned();
    assert_eq!(first.header("cache-control"), Some("private, no-cache"));
    let same = poll("/v1/tickets", Some(tag.clone())).await;
    assert_eq!(same.status, 304);
    assert!(same.body.is_empty());
    assert_eq!(same.header("etag"), Some(tag.as_str()));
    let listed = poll("/v1/tickets", Some(format!("\"other\", W/{tag}"))).await;
    assert_eq!(listed.status, 304, "a list of tags, weak or not");

    let ticket = json!({ "subject": "Colis abîmé", "description": "Le carton est arrivé ouvert." });
    let created = app.post(&org.slug, "/v1/tickets", &org.owner_token, &ticket).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let changed = poll("/v1/tickets", Some(tag.clone())).await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    assert!(changed.body.contains("Colis abîmé"));
    // Errors are never cached or tagged.
    let mut request = app.server.request(Method::GET, "/v1/tickets").header("x-tenant-slug", &org.slug);
    request = request.header("if-none-match", "*");
    let refused = TestResponse::from(request.send().await.unwrap()).await;
    assert_eq!(refused.status, 401);
    assert!(refused.header("etag").is_none());
}
