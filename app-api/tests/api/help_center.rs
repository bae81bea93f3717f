//! The help center on a real tenant database: staff write articles and categories, anyone on
//! the organisation's host reads what is published (never another organisation's, never a
//! draft), search stems English and French and folds accents with titles first, votes count
//! once a day per person or address, suggested views become deflections when no ticket follows,
//! searches that found nothing are kept for the team, the public pages are whole HTML, and bad
//! input changes nothing.

use harness::TestResponse;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::Person;
use crate::tickets::Desk;

/// An anonymous request for `slug`'s host.
async fn anonymous(desk: &Desk, method: Method, path: &str, body: Option<&Value>) -> TestResponse {
    anonymous_at(desk, &desk.org.slug, method, path, body).await
}

/// An anonymous request for `slug`'s host; redirects are answers, not followed.
async fn anonymous_at(desk: &Desk, slug: &str, method: Method, path: &str, body: Option<&Value>) -> TestResponse {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut request = client.request(method, desk.app.server.url(path)).header("x-tenant-slug", slug);
    if let Some(body) = body {
        request = request.json(body);
    }
    TestResponse::from(request.send().await.expect("request sent")).await
}

/// An article `who` writes; the answer.
async fn write(desk: &Desk, who: &Person, body: Value) -> Value {
    let answer = desk.post(who, "/v1/kb/articles", &body).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()
}

async fn published(desk: &Desk, title: &str, body: &str, locale: &str) -> Value {
    let article = json!({ "title": title, "body": body, "locale": locale, "status": "published" });
    write(desk, &desk.owner, article).await
}

fn ids(list: &Value) -> Vec<String> {
    list["data"].as_array().expect("a list").iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect()
}

fn titles(found: &Value) -> Vec<String> {
    found["data"].as_array().expect("results").iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect()
}

async fn search(desk: &Desk, query: &str) -> Value {
    let answer = anonymous(desk, Method::GET, &format!("/v1/kb/search?{query}"), None).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

async fn report(desk: &Desk) -> Value {
    let today = chrono::Utc::now().date_naive();
    let path =
        format!("/v1/reports/help-center?from={}&to={}", today - chrono::Days::new(1), today + chrono::Days::new(1));
    let answer = desk.get(&desk.owner, &path).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn row<'a>(report: &'a Value, article: &Value) -> &'a Value {
    report["articles"].as_array().unwrap().iter().find(|a| a["id"] == article["id"]).expect("the article's row")
}

#[tokio::test]
async fn staff_write_anyone_reads_what_is_published_and_drafts_stay_with_staff() {
    let desk = Desk::open().await;
    let agent = desk.member("agent").await;
    let customer = desk.member("customer").await;
    let category = desk
        .post(
            &desk.owner,
            "/v1/kb/categories",
            &json!({ "name": { "en": "Orders", "fr": "Commandes" }, "position": 1 }),
        )
        .await;
    assert_eq!(category.status, 201, "{}", category.body);
    let category = category.json();
    let draft = write(
        &desk,
        &agent,
        json!({ "title": "Où est mon colis ?", "body": "Suivez-le **ici**.", "locale": "fr", "status": "draft", "category_id": category["id"] }),
    )
    .await;
    assert_eq!(draft["slug"], "ou-est-mon-colis");
    assert_eq!(draft["body_html"], "<p>Suivez-le <strong>ici</strong>.</p>\n");
    assert_eq!(draft["body"], "Suivez-le **ici**.");
    assert_eq!(draft["published_at"], Value::Null);
    let path = format!("/v1/kb/articles/{}", draft["id"].as_str().unwrap());

    // A draft does not exist for readers, signed in or not.
    assert_eq!(anonymous(&desk, Method::GET, &path, None).await.status, 404);
    assert_eq!(desk.get(&customer, &path).await.status, 404);
    assert!(ids(&anonymous(&desk, Method::GET, "/v1/kb/articles", None).await.json()).is_empty());
    assert_eq!(ids(&desk.get(&agent, "/v1/kb/articles?status=draft").await.json()), [draft["id"].as_str().unwrap()]);

    // Published, anyone reads it, without the Markdown; the translation links both ways.
    let changed = desk.patch(&agent, &path, &json!({ "status": "published" })).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert!(changed.json()["published_at"].is_string());
    let read = anonymous(&desk, Method::GET, &path, None).await;
    assert_eq!(read.status, 200, "{}", read.body);
    let read = read.json();
    assert_eq!(read["title"], "Où est mon colis ?");
    assert!(read.get("body").is_none(), "readers get the HTML alone: {read}");
    let english = write(
        &desk,
        &agent,
        json!({ "title": "Where is my parcel?", "body": "Track it.", "locale": "en", "status": "published", "translation_of": draft["id"] }),
    )
    .await;
    assert_eq!(english["translations"][0]["slug"], "ou-est-mon-colis");
    let french = anonymous(&desk, Method::GET, &path, None).await.json();
    assert_eq!(french["translations"][0]["slug"], "where-is-my-parcel");
    let list = anonymous(&desk, Method::GET, "/v1/kb/articles?locale=fr", None).await.json();
    assert_eq!(ids(&list), [draft["id"].as_str().unwrap()]);
    let by_title = desk.get(&agent, "/v1/kb/articles?q=COLIS").await.json();
    assert_eq!(ids(&by_title), [draft["id"].as_str().unwrap()]);

    // The same title again gets a numbered slug.
    let again =
        write(&desk, &agent, json!({ "title": "Where is my parcel", "body": "", "locale": "en", "status": "draft" }))
            .await;
    assert_eq!(again["slug"], "where-is-my-parcel-2");
    // Made at once from one title, each gets a slug of its own, never a 409.
    let same = json!({ "title": "Returns at once", "body": "", "locale": "en", "status": "draft" });
    let articles = "/v1/kb/articles";
    let made = tokio::join!(
        desk.post(&agent, articles, &same),
        desk.post(&agent, articles, &same),
        desk.post(&agent, articles, &same),
        desk.post(&agent, articles, &same)
    );
    let mut slugs: Vec<String> = [made.0, made.1, made.2, made.3]
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.body);
            r.json()["slug"].as_str().unwrap().to_owned()
        })
        .collect();
    slugs.sort();
    assert_eq!(slugs, ["returns-at-once", "returns-at-once-2", "returns-at-once-3", "returns-at-once-4"]);

    // Customers and nobody write nothing; admins alone keep categories.
    let article = json!({ "title": "Mine", "body": "x", "locale": "en", "status": "published" });
    assert_eq!(desk.post(&customer, "/v1/kb/articles", &article).await.status, 403);
    assert_eq!(anonymous(&desk, Method::POST, "/v1/kb/articles", Some(&article)).await.status, 401);
    let renamed = json!({ "name": { "en": "Shipping" } });
    let category_path = format!("/v1/kb/categories/{}", category["id"].as_str().unwrap());
    assert_eq!(desk.patch(&agent, &category_path, &renamed).await.status, 403);
    let categories = anonymous(&desk, Method::GET, "/v1/kb/categories", None).await.json();
    assert_eq!(categories[0]["name"], json!({ "en": "Orders", "fr": "Commandes" }));
    // One category reads alone, by anyone.
    let one = anonymous(&desk, Method::GET, &category_path, None).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.json(), categories[0]);

    // A category deleted leaves its articles without one; an article deleted is gone.
    assert_eq!(desk.delete(&desk.owner, &category_path).await.status, 204);
    assert_eq!(anonymous(&desk, Method::GET, &category_path, None).await.status, 404);
    assert_eq!(anonymous(&desk, Method::GET, "/v1/kb/categories/not-an-id", None).await.status, 400);
    assert_eq!(anonymous(&desk, Method::GET, &path, None).await.json()["category_id"], Value::Null);
    assert_eq!(desk.delete(&agent, &path).await.status, 204);
    assert_eq!(anonymous(&desk, Method::GET, &path, None).await.status, 404);
    assert_eq!(desk.delete(&agent, &path).await.status, 404);
}

#[tokio::test]
async fn hostile_markdown_is_stored_sanitised() {
    let desk = Desk::open().await;
    let body = "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> [x](javascript:alert(3))\n\n<iframe src=\"https://evil.example\"></iframe><a href=\"https://ok.example\" onmouseover=\"x()\">ok</a>";
    let article = published(&desk, "Hostile", body, "en").await;
    let html = article["body_html"].as_str().unwrap().to_lowercase();
    for banned in ["<script", "onerror", "javascript:", "<iframe", "onmouseover", "alert(1)"] {
        assert!(!html.contains(banned), "{banned} in {html}");
    }
    assert!(html.contains("href=\"https://ok.example\""), "{html}");
    let stored = desk
        .db
        .text(&format!("SELECT body_html FROM help_articles WHERE id = '{}'", article["id"].as_str().unwrap()))
        .await;
    assert_eq!(stored.to_lowercase(), html);
}

#[tokio::test]
async fn organisations_never_see_each_others_articles() {
    let desk = Desk::open().await;
    let other = desk.platform.org().await;
    let article = published(&desk, "Refund policy", "Refunds take five days.", "en").await;
    let path = format!("/v1/kb/articles/{}", article["id"].as_str().unwrap());
    assert_eq!(anonymous_at(&desk, &other.slug, Method::GET, &path, None).await.status, 404);
    let found = anonymous_at(&desk, &other.slug, Method::GET, "/v1/kb/search?q=refund", None).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.json()["data"], json!([]));
    let page = anonymous_at(&desk, &other.slug, Method::GET, "/help/en/articles/refund-policy", None).await;
    assert_eq!(page.status, 404);
    // Another organisation's owner writes nothing here, and may not vote with its token.
    let token = desk.platform.login(&other.slug, &other.owner_email).await;
    let foreign = desk.app.post(&desk.org.slug, "/v1/kb/articles", &token, &json!({})).await;
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    assert_eq!(foreign.json()["code"], "tenant_mismatch");
    // Nor name its category.
    let category =
        desk.app.post(&other.slug, "/v1/kb/categories", &token, &json!({ "name": { "en": "Theirs" } })).await;
    assert_eq!(category.status, 201, "{}", category.body);
    let refused = desk
        .post(&desk.owner, "/v1/kb/articles", &json!({ "title": "T", "body": "", "locale": "en", "status": "draft", "category_id": category.json()["id"] }))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["field"], "category_id");
}

#[tokio::test]
async fn search_stems_each_language_folds_accents_and_ranks_titles_first() {
    let desk = Desk::open().await;
    let refunds =
        published(&desk, "Refunds", "We process every refund within five days of receiving the parcel.", "en").await;
    published(&desk, "Delivery times", "Parcels are delivered in two days. Damaged parcels are refunded.", "en").await;
    let rembourse =
        published(&desk, "Être remboursé", "Les remboursements sont effectués sous cinq jours.", "fr").await;
    published(&desk, "Garantie", "La garantie couvre deux ans. Un produit défectueux est remboursé ou échangé.", "fr")
        .await;
    let draft = json!({ "title": "Refund secrets", "body": "refund", "locale": "en", "status": "draft" });
    write(&desk, &desk.owner, draft).await;

    // English stemming: "refunded" and "refunds" are "refund"; the title's match comes first;
    // the draft is never found.
    let found = search(&desk, "q=refunded&locale=en").await;
    assert_eq!(titles(&found), ["Refunds", "Delivery times"]);
    assert_eq!(found["data"][0]["id"], refunds["id"]);
    let snippet = found["data"][1]["snippet_html"].as_str().unwrap();
    assert!(snippet.contains("<mark>refunded</mark>"), "{snippet}");
    // French stemming with accents folded: "rembourse" finds "remboursé" and "remboursements".
    let found = search(&desk, "q=rembourse&locale=fr").await;
    assert_eq!(titles(&found), ["Être remboursé", "Garantie"]);
    assert_eq!(found["data"][0]["id"], rembourse["id"]);
    assert_eq!(titles(&search(&desk, "q=etre%20REMBOURSES").await), ["Être remboursé"]);
    // Stemmed before the accents are folded: the feminine finds the masculine.
    published(&desk, "Colis endommagé", "Que faire d'un colis arrivé abîmé.", "fr").await;
    assert_eq!(titles(&search(&desk, "q=endommag%C3%A9e&locale=fr").await), ["Colis endommagé"]);
    assert_eq!(titles(&search(&desk, "q=ABIMES&locale=fr").await), ["Colis endommagé"]);
    // Without a locale, each article in its own language: the English word finds the English
    // articles, the French one the French.
    assert_eq!(titles(&search(&desk, "q=parcels").await), ["Delivery times", "Refunds"]);
    assert_eq!(titles(&search(&desk, "q=garanties").await), ["Garantie"]);
    // Every word when some article has them all; any of them otherwise (a subject being typed).
    assert_eq!(titles(&search(&desk, "q=damaged%20parcels").await), ["Delivery times"]);
    assert_eq!(titles(&search(&desk, "q=refund%20xylophone").await), ["Refunds", "Delivery times"]);
    assert_eq!(search(&desk, "q=xylophone").await["data"], json!([]));
    // A snippet never carries the article's markup or the reader's.
    let tricky = published(&desk, "Escaping", "Type <b>bold</b> to write a refund", "en").await;
    let found = search(&desk, "q=escaping%20refund").await;
    assert_eq!(found["data"][0]["id"], tricky["id"]);
    let snippet = found["data"][0]["snippet_html"].as_str().unwrap();
    assert!(!snippet.contains("<b>") && snippet.contains("<mark>refund</mark>"), "{snippet}");
}

#[tokio::test]
async fn votes_count_once_a_day_per_person_or_address_and_staff_are_not_counted() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;
    let article = published(&desk, "Returns", "Send it back.", "en").await;
    let path = format!("/v1/kb/articles/{}/feedback", article["id"].as_str().unwrap());
    let vote = |helpful: bool| json!({ "helpful": helpful });
    assert_eq!(desk.post(&customer, &path, &vote(true)).await.json(), json!({ "counted": true }));
    assert_eq!(desk.post(&customer, &path, &vote(false)).await.json(), json!({ "counted": false }));
    assert_eq!(anonymous(&desk, Method::POST, &path, Some(&vote(false))).await.json(), json!({ "counted": true }));
    assert_eq!(anonymous(&desk, Method::POST, &path, Some(&vote(false))).await.json(), json!({ "counted": false }));
    assert_eq!(desk.post(&agent, &path, &vote(true)).await.json(), json!({ "counted": false }));
    // The public page's form counts as the API does: this address voted already today.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form = client
        .post(desk.app.server.url("/help/en/articles/returns/feedback"))
        .header("x-tenant-slug", &desk.org.slug)
        .form(&[("helpful", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 303);
    assert_eq!(form.headers()["location"], "/help/en/articles/returns?voted=1#feedback");
    let counted = report(&desk).await;
    let returns = row(&counted, &article);
    assert_eq!((returns["helpful"].as_i64(), returns["not_helpful"].as_i64()), (Some(1), Some(1)));
    assert_eq!(desk.db.count("help_votes").await, 2, "the voters of the day: a person and an address's digest");
    let digest = desk.db.text("SELECT voter FROM help_votes WHERE voter LIKE 'address:%'").await;
    assert!(!digest.contains("127.0.0.1"), "the address is never stored: {digest}");
    // A draft takes no vote.
    let draft =
        write(&desk, &desk.owner, json!({ "title": "Soon", "body": "", "locale": "en", "status": "draft" })).await;
    let draft_path = format!("/v1/kb/articles/{}/feedback", draft["id"].as_str().unwrap());
    assert_eq!(desk.post(&customer, &draft_path, &vote(true)).await.status, 404);
}

#[tokio::test]
async fn suggested_views_without_a_ticket_after_them_are_deflections() {
    let desk = Desk::open().await;
    let article = published(&desk, "Reset a kettle", "Hold the button for five seconds.", "en").await;
    let path = format!("/v1/kb/articles/{}?from=suggestion", article["id"].as_str().unwrap());
    let (helped, wrote) = (desk.member("customer").await, desk.member("customer").await);
    let waiting = desk.member("customer").await;
    for customer in [&helped, &wrote, &waiting] {
        assert_eq!(desk.get(customer, &path).await.status, 200);
    }
    // Staff reads are no views; a plain read is a view, not a suggested one.
    desk.get(&desk.owner, &path).await;
    anonymous(&desk, Method::GET, &format!("/v1/kb/articles/{}", article["id"].as_str().unwrap()), None).await;
    let ticket = desk.create(&wrote, json!({ "subject": "Kettle", "description": "Still broken" })).await;
    // Forty minutes ago for two of them (the ticket ten minutes after its view); the third is
    // still within its thirty minutes.
    desk.db
        .execute(&format!(
            "UPDATE help_suggested_views SET at = at - interval '40 minutes' WHERE user_id IN ('{}', '{}')",
            helped.id, wrote.id
        ))
        .await;
    desk.db
        .execute(&format!(
            "UPDATE support_tickets SET created_at = now() - interval '30 minutes' WHERE id = {}",
            ticket["id"]
        ))
        .await;
    let counted = report(&desk).await;
    let kettle = row(&counted, &article);
    // On a clock east of UTC, today's range (its midnight to the next) holds today's reads, though
    // it ends during a UTC day.
    let tokyo_today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let path = format!(
        "/v1/reports/help-center?from={tokyo_today}&to={}&time_zone=Asia/Tokyo",
        tokyo_today + chrono::Days::new(1)
    );
    let east = desk.get(&desk.owner, &path).await;
    assert_eq!(east.status, 200, "{}", east.body);
    assert_eq!(row(&east.json(), &article)["views"], 4, "{}", east.body);
    assert_eq!(kettle["views"], 4, "{kettle}");
    assert_eq!(kettle["suggested_views"], 3, "{kettle}");
    assert_eq!(kettle["deflections"], 1, "{kettle}");
}

#[tokio::test]
async fn searches_that_found_nothing_are_kept_for_the_team() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    published(&desk, "Warranty", "Two years.", "en").await;
    search(&desk, "q=Grille-pain%20%20CASSÉ").await;
    desk.get(&customer, "/v1/kb/search?q=grille-pain%20cass%C3%A9").await;
    search(&desk, "q=warranty").await;
    desk.get(&desk.owner, "/v1/kb/search?q=staff%20only%20words").await;
    let counted = report(&desk).await;
    assert_eq!(counted["unanswered_searches"], json!([{ "query": "grille-pain casse", "locale": "any", "count": 2 }]));

    // Without a range: the last 30 days, named in the answer.
    let recent = desk.get(&desk.owner, "/v1/reports/help-center").await;
    assert_eq!(recent.status, 200, "{}", recent.body);
    let recent = recent.json();
    assert_eq!(recent["unanswered_searches"], counted["unanswered_searches"]);
    let instant = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!((instant(&recent["to"]) - instant(&recent["from"])).num_days(), 30, "{recent}");
    // Half a range, or a zone that is none, is refused naming it; anyone but an admin is refused
    // first, whatever the query holds.
    let half = desk.get(&desk.owner, "/v1/reports/help-center?from=2026-01-01").await;
    assert_eq!(half.assert_problem(422, "validation_failed")["errors"][0]["field"], "to");
    let zone = desk.get(&desk.owner, "/v1/reports/help-center?time_zone=Mars/Olympus").await;
    assert_eq!(zone.assert_problem(422, "validation_failed")["errors"][0]["field"], "time_zone");
    let agent = desk.member("agent").await;
    for query in ["?from=garbage", "?nonsense=1", ""] {
        let refused = desk.get(&agent, &format!("/v1/reports/help-center{query}")).await;
        refused.assert_problem(403, "forbidden");
    }
}

#[tokio::test]
async fn the_public_pages_are_whole_html_in_both_languages() {
    let desk = Desk::open().await;
    let category = desk
        .post(&desk.owner, "/v1/kb/categories", &json!({ "name": { "en": "Orders", "fr": "Commandes" } }))
        .await
        .json();
    let english = write(
        &desk,
        &desk.owner,
        json!({ "title": "Track a parcel", "body": "Open **Orders** and follow the link.", "locale": "en", "status": "published", "category_id": category["id"] }),
    )
    .await;
    write(
        &desk,
        &desk.owner,
        json!({ "title": "Suivre un colis", "body": "Ouvrez **Commandes**.", "locale": "fr", "status": "published", "category_id": category["id"], "translation_of": english["id"] }),
    )
    .await;
    write(&desk, &desk.owner, json!({ "title": "Unreleased", "body": "", "locale": "en", "status": "draft" })).await;

    let home = anonymous(&desk, Method::GET, "/help/en", None).await;
    assert_eq!(home.status, 200);
    assert_eq!(home.headers["content-type"], "text/html; charset=utf-8");
    assert!(home.body.contains(r#"<a href="/help/en/articles/track-a-parcel">Track a parcel</a>"#), "{}", home.body);
    assert!(home.body.contains("Orders") && !home.body.contains("Unreleased"));
    let accueil = anonymous(&desk, Method::GET, "/help/fr", None).await;
    assert!(
        accueil.body.contains("<html lang=\"fr\">")
            && accueil.body.contains("Commandes")
            && accueil.body.contains("Suivre un colis")
    );

    let page = anonymous(&desk, Method::GET, "/help/en/articles/track-a-parcel", None).await;
    assert_eq!(page.status, 200);
    let config = &desk.app.state.config;
    let origin = config.notifications.app_url(&desk.org.slug, config.base_domain.as_ref());
    assert!(page.body.contains("<title>Track a parcel – Help center</title>"));
    assert!(
        page.body.contains(r#"<meta name="description" content="Open Orders and follow the link.">"#),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!(r#"<link rel="canonical" href="{origin}"#)), "{}", page.body);
    assert!(
        page.body.contains(r#"hreflang="fr" href=""#) && page.body.contains("/help/fr/articles/suivre-un-colis\">")
    );
    assert!(page.body.contains("<strong>Orders</strong>") && !page.body.contains("<script"));
    assert!(page.headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    // An article asked at the other locale's address moves to its own; drafts and unknown
    // pages are not there.
    let moved = anonymous(&desk, Method::GET, "/help/fr/articles/track-a-parcel", None).await;
    assert_eq!(moved.status, 308);
    assert_eq!(moved.headers["location"], "/help/en/articles/track-a-parcel");
    assert_eq!(anonymous(&desk, Method::GET, "/help/en/articles/unreleased", None).await.status, 404);
    assert_eq!(anonymous(&desk, Method::GET, "/help/de", None).await.status, 404);
    assert_eq!(anonymous(&desk, Method::GET, "/help/en/categories/not-an-id", None).await.status, 404);

    let results = anonymous(&desk, Method::GET, "/help/fr/search?q=colis", None).await;
    assert_eq!(results.status, 200);
    assert!(results.body.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(results.body.contains("Suivre un colis"), "{}", results.body);
    let css = anonymous(&desk, Method::GET, "/help/help.css", None).await;
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    let root = anonymous(&desk, Method::GET, "/help", None).await;
    assert_eq!(root.headers["location"], "/help/en");
    assert_eq!(report(&desk).await["articles"][0]["views"], 1, "the page's view counted");
}

#[tokio::test]
async fn bad_input_is_refused_by_name_and_changes_nothing() {
    let desk = Desk::open().await;
    let article = published(&desk, "Taken", "x", "en").await;
    let before = desk.db.count("help_articles").await;
    let unknown = uuid::Uuid::now_v7();
    let cases = [
        (json!({ "title": "", "body": "", "locale": "en", "status": "draft" }), 422, "title"),
        (json!({ "title": "x".repeat(201), "body": "", "locale": "en", "status": "draft" }), 422, "title"),
        (json!({ "title": "T", "body": "x".repeat(100_001), "locale": "en", "status": "draft" }), 422, "body"),
        (json!({ "title": "T", "body": "", "locale": "de", "status": "draft" }), 400, ""),
        (json!({ "title": "T", "body": "", "locale": "en", "status": "live" }), 400, ""),
        (json!({ "title": "T", "body": "", "locale": "en", "status": "draft", "extra": 1 }), 400, ""),
        (json!({ "title": 5, "body": "", "locale": "en", "status": "draft" }), 400, ""),
        (json!({ "title": "T", "body": "", "locale": "en", "status": "draft", "slug": "Not A Slug" }), 422, "slug"),
        (json!({ "title": "T", "body": "", "locale": "en", "status": "draft", "slug": "taken" }), 409, "slug"),
        (
            json!({ "title": "T", "body": "", "locale": "en", "status": "draft", "category_id": unknown }),
            422,
            "category_id",
        ),
        (
            json!({ "title": "T", "body": "", "locale": "en", "status": "draft", "translation_of": unknown }),
            422,
            "translation_of",
        ),
        (
            json!({ "title": "T", "body": "", "locale": "en", "status": "draft", "translation_of": article["id"] }),
            422,
            "translation_of",
        ),
    ];
    for (body, status, field) in cases {
        let answer = desk.post(&desk.owner, "/v1/kb/articles", &body).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        if !field.is_empty() {
            assert_eq!(answer.json()["errors"][0]["field"], field, "{}", answer.body);
        }
    }
    assert_eq!(desk.db.count("help_articles").await, before);
    let huge = desk.send_raw(&desk.owner, Method::POST, "/v1/kb/articles", vec![b'x'; 3 * 1024 * 1024]).await;
    assert_eq!(huge.status, 413, "{}", huge.body);
    for query in ["q=", "q=%20%20", &format!("q={}", "x".repeat(201))] {
        let answer = anonymous(&desk, Method::GET, &format!("/v1/kb/search?{query}"), None).await;
        assert_eq!(answer.status, 422, "{query}: {}", answer.body);
    }
    for query in ["q=x&locale=de", "q=x&limit=0", "q=x&limit=51", "q=x&other=1"] {
        let answer = anonymous(&desk, Method::GET, &format!("/v1/kb/search?{query}"), None).await;
        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
    }
    for (query, status) in
        [("status=gone", 400), ("locale=es", 400), ("other=1", 400), ("limit=101", 422), ("cursor=nope", 422)]
    {
        let answer = anonymous(&desk, Method::GET, &format!("/v1/kb/articles?{query}"), None).await;
        assert_eq!(answer.status, status, "{query}: {}", answer.body);
    }
    let path = format!("/v1/kb/articles/{}", article["id"].as_str().unwrap());
    let patched = desk.patch(&desk.owner, &path, &json!({ "title": " " })).await;
    assert_eq!(patched.status, 422, "{}", patched.body);
    assert_eq!(anonymous(&desk, Method::GET, &path, None).await.json()["title"], "Taken");
    let forged = desk.app.get(&desk.org.slug, &path, Some("not.a.token")).await;
    assert_eq!(forged.status, 401, "a token given must be valid, even where none is needed: {}", forged.body);
    let category = desk.post(&desk.owner, "/v1/kb/categories", &json!({ "name": { "en": "" } })).await;
    assert_eq!(category.status, 422, "{}", category.body);
    assert_eq!(category.json()["errors"][0]["field"], "name.en");
    assert_eq!(desk.db.count("help_categories").await, 0);
}
