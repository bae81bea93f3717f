//! Colleagues' tickets, seen exactly as a customer organisation allows: without sharing a
//! colleague's ticket is 404 on every read path and absent from every list; a manager sees the
//! organisation's; with `shared_tickets` members read them, and post on them only with
//! `shared_comments`; notes never show, and status, rating and participants stay the
//! requester's. A change of sharing holds from the next request on, a conditional GET included.

use serde_json::{Value, json};

use super::{Desk, id, ids_of};
use crate::attachments::{Bucket, desk_on_s3, upload, uploaded};
use crate::helpers::Person;

/// The read paths of one ticket (and one of its files), as a customer calls them.
fn read_paths(ticket: i64, file: i64) -> [String; 6] {
    [
        format!("/v1/tickets/{ticket}"),
        format!("/v1/tickets/{ticket}/messages"),
        format!("/v1/tickets/{ticket}/attachments"),
        format!("/v1/tickets/{ticket}/participants"),
        format!("/v1/tickets/{ticket}/satisfaction"),
        format!("/v1/attachments/{file}"),
    ]
}

/// Whether `who` finds `ticket` by the organisation's list, a search, and their default list.
async fn listed(desk: &Desk, who: &Person, organization: &str, ticket: i64) -> [bool; 3] {
    let mut found = [false; 3];
    for (n, query) in
        [format!("organization_id={organization}"), format!("organization_id={organization}&q=pallet"), String::new()]
            .iter()
            .enumerate()
    {
        let page = desk.get(who, &format!("/v1/tickets?{query}")).await;
        assert_eq!(page.status, 200, "{query}: {}", page.body);
        found[n] = ids_of(&page.json()).contains(&ticket);
    }
    found
}

/// The statuses of every read path of `ticket` for `who`.
async fn reads(desk: &Desk, who: &Person, ticket: i64, file: i64) -> Vec<u16> {
    let mut statuses = Vec::new();
    for path in read_paths(ticket, file) {
        statuses.push(desk.get(who, &path).await.status.as_u16());
    }
    statuses
}

async fn share(desk: &Desk, organization: &str, tickets: bool, comments: bool) {
    let body = json!({"shared_tickets": tickets, "shared_comments": comments});
    let done = desk.patch(&desk.owner, &format!("/v1/organizations/{organization}"), &body).await;
    assert_eq!(done.status, 200, "{}", done.body);
}

/// A GET naming `tag` in `If-None-Match`: its status and its tag.
async fn conditional(desk: &Desk, who: &Person, path: &str, tag: Option<&str>) -> (u16, Option<String>) {
    let mut request = desk
        .app
        .server
        .request(reqwest::Method::GET, path)
        .header("x-tenant-slug", &desk.org.slug)
        .bearer_auth(&who.token);
    if let Some(tag) = tag {
        request = request.header("if-none-match", tag);
    }
    let response = request.send().await.unwrap();
    let tag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), tag)
}

#[tokio::test]
async fn colleagues_see_and_write_on_each_others_tickets_exactly_as_their_organisation_shares() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |_| ()).await;
    let (requester, manager, member, outsider, agent) = tokio::join!(
        desk.member("customer"),
        desk.member("customer"),
        desk.member("customer"),
        desk.member("customer"),
        desk.member("agent")
    );
    let created = desk.post(&desk.owner, "/v1/organizations", &json!({"name": "Acme"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let acme = created.json()["id"].as_str().unwrap().to_owned();
    for (who, role) in [(&requester, "member"), (&manager, "manager"), (&member, "member")] {
        let path = format!("/v1/organizations/{acme}/members/{}", who.id);
        assert_eq!(desk.put(&desk.owner, &path, &json!({"role": role})).await.status, 200);
    }

    // The requester's ticket, its organisation theirs; a file, a reply and a note on it.
    let ticket =
        desk.create(&requester, json!({"subject": "Pallet damaged", "description": "Pallet 7 arrived broken"})).await;
    assert_eq!(ticket["organization_id"], acme.as_str());
    let ticket = id(&ticket);
    let file = uploaded(&desk, &requester, ticket, "photo.txt", b"a broken pallet").await;
    let file = file["id"].as_i64().unwrap();
    desk.say(&agent, ticket, "A replacement is on its way", false).await;
    desk.say(&agent, ticket, "Carrier to blame, claim filed", true).await;

    // Without sharing: the manager reads everything its requester reads; the member and an
    // outsider nothing.
    assert_eq!(reads(&desk, &manager, ticket, file).await, [200; 6]);
    assert_eq!(reads(&desk, &member, ticket, file).await, [404; 6]);
    assert_eq!(reads(&desk, &outsider, ticket, file).await, [404; 6]);
    assert_eq!(listed(&desk, &manager, &acme, ticket).await, [true, true, false], "theirs by the organisation only");
    assert_eq!(listed(&desk, &member, &acme, ticket).await, [false; 3]);
    assert_eq!(listed(&desk, &requester, &acme, ticket).await, [true; 3]);
    let thread = desk.get(&manager, &format!("/v1/tickets/{ticket}/messages")).await.json();
    let texts: Vec<&str> = thread["data"].as_array().unwrap().iter().map(|m| m["message"].as_str().unwrap()).collect();
    assert!(texts.iter().any(|t| t.contains("replacement")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("Carrier")), "never a note: {texts:?}");
    // Their reading leaves the requester's unread reply unread.
    let own = desk.get(&requester, &format!("/v1/tickets/{ticket}")).await.json();
    assert_eq!(own["unread_count"], 1, "{own}");

    // Reading is not writing: without shared comments the manager may not post; status,
    // rating and participants stay the requester's.
    let post = async |who: &Person| {
        desk.post(who, &format!("/v1/tickets/{ticket}/messages"), &json!({"message": "Any news?"})).await
    };
    assert_eq!(post(&manager).await.status, 403);
    assert_eq!(upload(&desk, &manager, ticket, "more.txt", b"more", &[]).await.status, 403);
    for (path, body) in [
        (format!("/v1/tickets/{ticket}/status"), json!({"status": "closed"})),
        (format!("/v1/tickets/{ticket}/participants"), json!({"email": "boss@example.test", "kind": "cc"})),
    ] {
        let refused = desk.post(&manager, &path, &body).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
    }

    // Shared tickets: members read them too, and still may not write.
    share(&desk, &acme, true, false).await;
    assert_eq!(reads(&desk, &member, ticket, file).await, [200; 6]);
    assert_eq!(listed(&desk, &member, &acme, ticket).await, [true, true, false]);
    assert_eq!(reads(&desk, &outsider, ticket, file).await, [404; 6], "not a member");
    assert_eq!(post(&member).await.status, 403);

    // Shared comments: members and managers post messages and files, and nothing more.
    share(&desk, &acme, true, true).await;
    let said = post(&member).await;
    assert_eq!(said.status, 201, "{}", said.body);
    assert_eq!(upload(&desk, &manager, ticket, "more.txt", b"more", &[]).await.status, 201);
    let refused = desk.post(&member, &format!("/v1/tickets/{ticket}/status"), &json!({"status": "closed"})).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    desk.set_status(&agent, ticket, "in_progress").await;
    desk.set_status(&agent, ticket, "resolved").await;
    let rating = desk.post(&member, &format!("/v1/tickets/{ticket}/satisfaction"), &json!({"rating": 1})).await;
    assert_eq!(rating.status, 403, "{}", rating.body);
    let thread = desk.get(&requester, &format!("/v1/tickets/{ticket}/messages")).await.json();
    assert!(
        thread["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["message"] == "Any news?" && m["sender_id"] == member.id.to_string().as_str())
    );

    // Sharing ends: from the next request on, a conditional GET included.
    let path = format!("/v1/tickets/{ticket}");
    let (status, etag) = conditional(&desk, &member, &path, None).await;
    assert_eq!(status, 200);
    share(&desk, &acme, false, false).await;
    let (status, _) = conditional(&desk, &member, &path, etag.as_deref()).await;
    assert_eq!(status, 404, "a tag from when it was shared");
    assert_eq!(reads(&desk, &member, ticket, file).await, [404; 6]);
    assert_eq!(reads(&desk, &manager, ticket, file).await, [200; 6], "managers keep seeing it");
    // The manager demoted, then gone: the same.
    let membership = format!("/v1/organizations/{acme}/members/{}", manager.id);
    assert_eq!(desk.put(&desk.owner, &membership, &json!({"role": "member"})).await.status, 200);
    assert_eq!(reads(&desk, &manager, ticket, file).await, [404; 6]);
    share(&desk, &acme, true, false).await;
    assert_eq!(desk.delete(&desk.owner, &membership).await.status, 204);
    assert_eq!(reads(&desk, &manager, ticket, file).await, [404; 6], "no longer a member");
    assert_eq!(reads(&desk, &member, ticket, file).await, [200; 6]);

    // The ticket moved out of the organisation: nobody but its requester and staff.
    let moved = desk.patch(&agent, &path, &json!({"organization_id": Value::Null})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(reads(&desk, &member, ticket, file).await, [404; 6]);
    assert_eq!(reads(&desk, &requester, ticket, file).await, [200; 6]);
}

#[tokio::test]
async fn an_organisation_of_another_tenant_or_another_organisation_shows_nothing() {
    let desk = Desk::open().await;
    let (requester, manager) = tokio::join!(desk.member("customer"), desk.member("customer"));
    let mut orgs = Vec::new();
    for name in ["Acme", "Globex"] {
        let created = desk.post(&desk.owner, "/v1/organizations", &json!({"name": name, "shared_tickets": true})).await;
        orgs.push(created.json()["id"].as_str().unwrap().to_owned());
    }
    let join = async |who: &Person, org: &str, role: &str| {
        let path = format!("/v1/organizations/{org}/members/{}", who.id);
        assert_eq!(desk.put(&desk.owner, &path, &json!({"role": role})).await.status, 200);
    };
    join(&requester, &orgs[0], "member").await;
    join(&manager, &orgs[1], "manager").await;
    let ticket = id(&desk.create(&requester, json!({"subject": "Invoice", "description": "Wrong total"})).await);
    // A manager of another organisation: nothing, by any path or filter.
    assert_eq!(desk.get(&manager, &format!("/v1/tickets/{ticket}")).await.status, 404);
    assert!(
        !ids_of(&desk.get(&manager, &format!("/v1/tickets?organization_id={}", orgs[0])).await.json())
            .contains(&ticket)
    );
    assert!(ids_of(&desk.get(&manager, &format!("/v1/tickets?organization_id={}", orgs[1])).await.json()).is_empty());

    // The same organisation's id in another tenant names nothing there.
    let other = desk.platform.org().await;
    let stranger = desk.platform.member(&desk.app, &other, "customer").await;
    let theirs =
        desk.app.get(&other.slug, &format!("/v1/tickets?organization_id={}", orgs[0]), Some(&stranger.token)).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert!(ids_of(&theirs.json()).is_empty());
    let read = desk.app.get(&other.slug, &format!("/v1/tickets/{ticket}"), Some(&stranger.token)).await;
    assert_eq!(read.status, 404);
}

/// A person's data export holds their own tickets, each with its organisation, never a
/// colleague's, shared or managed.
#[tokio::test]
async fn the_data_export_holds_a_persons_own_tickets_never_a_colleagues() {
    let desk = Desk::open().await;
    let (requester, manager) = tokio::join!(desk.member("customer"), desk.member("customer"));
    let created = desk.post(&desk.owner, "/v1/organizations", &json!({"name": "Acme", "shared_tickets": true})).await;
    let acme = created.json()["id"].as_str().unwrap().to_owned();
    for (who, role) in [(&requester, "member"), (&manager, "manager")] {
        let path = format!("/v1/organizations/{acme}/members/{}", who.id);
        assert_eq!(desk.put(&desk.owner, &path, &json!({"role": role})).await.status, 200);
    }
    let theirs = id(&desk.create(&requester, json!({"subject": "Theirs", "description": "x"})).await);
    let own = id(&desk.create(&manager, json!({"subject": "Own", "description": "x"})).await);
    assert_eq!(desk.get(&manager, &format!("/v1/tickets/{theirs}")).await.status, 200, "the manager sees it");
    let export = desk.get(&manager, "/v1/me/export").await;
    assert_eq!(export.status, 200, "{}", export.body);
    let export = export.json();
    let tickets = export["tickets"].as_array().unwrap();
    let ids: Vec<i64> = tickets.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [own], "their own only");
    assert_eq!(tickets[0]["organization_id"], acme.as_str());
    assert_eq!(export["profile"]["organization_ids"], json!([acme]));
}
