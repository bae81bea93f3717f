//! `DELETE /v1/users/{id}`: a customer's erasure. Nothing of the person is left in any table of
//! the tenant database but the pseudonym and what the organisation keeps (its staff's replies,
//! the tickets' statuses and times); the control plane removes the membership and the identity
//! with no other membership, so the login is refused; erasing twice answers the same.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Desk, id};

/// Every row of every table of the tenant database, as JSON text.
async fn all_rows(d: &Desk) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&d.db.pool)
    .await
    .unwrap();
    let mut rows = Vec::new();
    for table in tables {
        let text: Vec<String> = sqlx::query_scalar(&format!("SELECT to_jsonb(t)::text FROM {table} t"))
            .fetch_all(&d.db.pool)
            .await
            .unwrap();
        rows.extend(text);
    }
    rows
}

#[tokio::test]
async fn an_erased_customer_leaves_only_a_pseudonym_and_what_the_organisation_keeps() {
    let d = Desk::open().await;
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    let t = id(&d
        .create(
            &customer,
            json!({ "subject": "Zephyrine's broken phone", "description": "I live at 12 Zephyr Road",
                    "metadata": { "phone": "+33 612345678" } }),
        )
        .await);
    d.assign(&agent, t, Some(&agent)).await;
    let message = d.say(&customer, t, "Call me on +33 612345678", false).await;
    d.say(&agent, t, "We will call you tomorrow", false).await;
    d.say(&agent, t, "Internal: check the warranty", true).await;
    d.attach(&customer, t, message["id"].as_i64().unwrap(), "zephyrine-id.png", crate::attachments::PNG).await;
    let order = d
        .put(
            &d.owner,
            "/v1/orders/5",
            &json!({ "user_id": customer.id, "total": 10, "currency": "EUR", "status": "paid" }),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.body);
    let digest = json!({ "frequency": "weekly", "hour": 8, "time_zone": "UTC",
                         "recipients": [customer.email, "lead@example.com"] });
    assert_eq!(d.put(&d.owner, "/v1/reports/digest", &digest).await.status, 200);
    let secrets = [customer.email.as_str(), "Zephyr", "612345678"];
    assert!(all_rows(&d).await.iter().any(|row| row.contains("Zephyr")), "the test's data is there to erase");

    let path = format!("/v1/users/{}", customer.id);
    let erased = d.app.send(Method::DELETE, &d.org.slug, &path, &d.owner.token, None).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    let answer = erased.json();
    let pseudonym = answer["pseudonym"].as_str().unwrap().to_owned();
    assert!(pseudonym.starts_with("erased-"), "{answer}");
    assert_eq!(answer["membership_removed"], true);
    assert_eq!(
        answer["erased"],
        json!({ "tickets": 1, "messages": 1, "attachments": 1, "order_references": 1, "events": 1, "memberships": 0 })
    );

    for row in all_rows(&d).await {
        for secret in secrets {
            assert!(!row.contains(secret), "{secret} is still in the tenant database: {row}");
        }
    }
    let recipients = d.get(&d.owner, "/v1/reports/digest").await.json()["recipients"].clone();
    assert_eq!(recipients, json!(["lead@example.com"]), "off the digest, the others kept");
    // What the organisation keeps: the ticket, its status and its staff's replies.
    let kept = d.ticket(&agent, t).await;
    assert_eq!((kept["status"].as_str(), kept["subject"].as_str()), (Some("in_progress"), Some("[erased]")));
    let thread = d.get(&agent, &format!("/v1/tickets/{t}/messages")).await.json();
    let texts: Vec<&str> = thread["data"].as_array().unwrap().iter().map(|m| m["message"].as_str().unwrap()).collect();
    assert_eq!(texts, ["[erased]", "We will call you tomorrow", "Internal: check the warranty"]);
    let audit: Value = sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'user.erased'")
        .fetch_one(&d.db.pool)
        .await
        .unwrap();
    assert_eq!(audit, answer["erased"], "recorded, without the erased data");

    // The control plane: no membership, no identity (it had no other), no login.
    let control = &d.platform.control.db;
    let identities: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1 OR lower(email) = lower($2)")
        .bind(customer.id)
        .bind(&customer.email)
        .fetch_one(control)
        .await
        .unwrap();
    assert_eq!(identities, 0, "the identity is erased");
    let login = d
        .platform
        .control_server()
        .post_json(
            "/v1/auth/login",
            &json!({ "tenant": d.org.slug, "email": customer.email, "password": crate::helpers::PASSWORD }),
        )
        .await;
    assert_eq!(login.status, 401, "{}", login.body);
    // Their old token is refused: 403 as soon as the mirror row is inactive, 401 once the
    // revoked session reached this replica.
    let old_token = d.get(&customer, "/v1/tickets").await;
    assert!(matches!(old_token.status.as_u16(), 401 | 403), "{}", old_token.body);

    // Erasing twice answers the same.
    let again = d.app.send(Method::DELETE, &d.org.slug, &path, &d.owner.token, None).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json(), answer);
}

#[tokio::test]
async fn only_admins_erase_and_only_customers_are_erased() {
    let d = Desk::open().await;
    let (customer, agent) = tokio::join!(d.member("customer"), d.member("agent"));
    let counts = d.counts().await;
    let erase = |who: &crate::helpers::Person, target: uuid::Uuid| {
        let (d, token) = (&d, who.token.clone());
        async move { d.app.send(Method::DELETE, &d.org.slug, &format!("/v1/users/{target}"), &token, None).await }
    };
    erase(&agent, customer.id).await.assert_problem(403, "forbidden");
    erase(&customer, customer.id).await.assert_problem(403, "forbidden");
    erase(&d.owner, agent.id).await.assert_problem(422, "validation_failed");
    erase(&d.owner, uuid::Uuid::new_v4()).await.assert_problem(404, "not_found");
    assert_eq!(d.counts().await, counts);
    assert_eq!(d.get(&customer, "/v1/me").await.status, 200, "still a member");
}

/// A server that cannot reach the control plane erases nothing: an erasure is whole (the
/// tenant's data and the membership) or not done at all.
#[tokio::test]
async fn an_erasure_that_cannot_finish_does_not_start() {
    let d = Desk::open_with(|c| c.control_api_url = None).await;
    let customer = d.member("customer").await;
    d.create(&customer, serde_json::json!({ "subject": "Keep me", "description": "Still here" })).await;
    let (counts, rows) = (d.counts().await, all_rows(&d).await);
    let path = format!("/v1/users/{}", customer.id);
    let refused = d.app.send(Method::DELETE, &d.org.slug, &path, &d.owner.token, None).await;
    let problem = refused.assert_problem(503, "dependency_unavailable");
    assert!(refused.header("retry-after").is_some(), "{problem}");
    assert_eq!(d.counts().await, counts);
    assert_eq!(all_rows(&d).await, rows, "not a row changed");
    assert_eq!(d.get(&customer, "/v1/me").await.status, 200, "still a member");
}

#[tokio::test]
async fn erasing_a_customer_in_one_tenant_of_a_pool_leaves_them_whole_in_another() {
    let d = Desk::open().await;
    let customer = d.member("customer").await;
    // The same person registers with the other organisation of the pool.
    let other = d.platform.org().await;
    let body = json!({ "tenant": other.slug, "email": customer.email, "password": crate::helpers::PASSWORD,
                       "firstname": "Cust", "lastname": "Omer" });
    let registered = d.platform.control_server().post_json("/v1/auth/register", &body).await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    let (ours_db, theirs_db): (String, String) = (
        sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
            .bind(&d.org.slug)
            .fetch_one(&d.platform.control.db)
            .await
            .unwrap(),
        sqlx::query_scalar("SELECT database_name FROM tenants WHERE slug = $1")
            .bind(&other.slug)
            .fetch_one(&d.platform.control.db)
            .await
            .unwrap(),
    );
    assert_eq!(ours_db, theirs_db, "one pool database holds both");
    let their_token = d.platform.login(&other.slug, &customer.email).await;
    let theirs = harness::eventually(std::time::Duration::from_secs(15), "the customer is known there", || {
        let (app, slug, token) = (&d.app, &other.slug, &their_token);
        async move {
            let created = app
                .post(slug, "/v1/tickets", token, &json!({"subject": "Zephyrine's kettle", "description": "Leaks"}))
                .await;
            (created.status == 201).then(|| id(&created.json()))
        }
    })
    .await;
    id(&d.create(&customer, json!({ "subject": "Zephyrine's phone", "description": "Broken" })).await);

    let erased =
        d.app.send(Method::DELETE, &d.org.slug, &format!("/v1/users/{}", customer.id), &d.owner.token, None).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(erased.json()["membership_removed"], true, "{}", erased.body);

    // Erased here; whole there: their row, their ticket and their sign-in.
    for row in all_rows(&d).await {
        assert!(!row.contains("Zephyrine") && !row.contains(&customer.email), "still here: {row}");
    }
    let there = d.platform.tenant_db(&other.slug).await;
    let kept: (String, String) =
        sqlx::query_as("SELECT email, (SELECT subject FROM support_tickets WHERE id = $1) FROM users WHERE id = $2")
            .bind(theirs)
            .bind(customer.id)
            .fetch_one(&there.pool)
            .await
            .unwrap();
    assert_eq!(kept, (customer.email.clone(), "Zephyrine's kettle".to_owned()));
    let login = d
        .platform
        .control_server()
        .post_json(
            "/v1/auth/login",
            &json!({ "tenant": other.slug, "email": customer.email, "password": crate::helpers::PASSWORD }),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
}
