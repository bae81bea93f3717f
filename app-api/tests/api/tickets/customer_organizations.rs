//! Customer organisations: admins keep them (names and domains unique in the tenant, public mail
//! domains refused), customers join the holder of their address's domain when they are created,
//! and each person has one primary organisation among at most twenty.

use serde_json::{Value, json};

use super::Desk;

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

async fn organization(desk: &Desk, body: Value) -> Value {
    let created = desk.post(&desk.owner, "/v1/organizations", &body).await;
    assert_eq!(created.status, 201, "{body}: {}", created.body);
    created.json()
}

#[tokio::test]
async fn admins_keep_organisations_with_unique_names_and_domains() {
    let desk = Desk::open().await;
    let (agent, customer) = tokio::join!(desk.member("agent"), desk.member("customer"));
    let acme = organization(
        &desk,
        json!({"name": "  Acme  ", "domains": ["ACME.test", "bücher.test"], "notes": "Key account"}),
    )
    .await;
    assert_eq!(acme["name"], "Acme");
    assert_eq!(acme["domains"], json!(["acme.test", "xn--bcher-kva.test"]));
    assert_eq!((acme["shared_tickets"].as_bool(), acme["shared_comments"].as_bool()), (Some(false), Some(false)));
    assert_eq!(acme["member_count"], 0);

    // Names ignoring case, and domains, are one organisation's each.
    let same_name = desk.post(&desk.owner, "/v1/organizations", &json!({"name": "ACME"})).await;
    assert_eq!((same_name.status.as_u16(), same_name.json()["code"].as_str()), (409, Some("organization_name_taken")));
    let same_domain =
        desk.post(&desk.owner, "/v1/organizations", &json!({"name": "Globex", "domains": ["acme.test"]})).await;
    assert_eq!(
        (same_domain.status.as_u16(), same_domain.json()["code"].as_str()),
        (409, Some("domain_taken")),
        "{}",
        same_domain.body
    );
    assert!(same_domain.body.contains("acme.test"), "{}", same_domain.body);
    // Bad input: each field named, nothing made.
    for (body, field) in [
        (json!({"name": "Globex", "domains": ["gmail.com"]}), "domains"),
        (json!({"name": "Globex", "domains": ["jo@globex.test"]}), "domains"),
        (json!({"name": "Globex", "domains": ["*.globex.test"]}), "domains"),
        (json!({"name": "Globex", "domains": ["localhost"]}), "domains"),
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(201)}), "name"),
        (json!({"name": "Globex", "notes": "x".repeat(10_001)}), "notes"),
        (json!({"name": "Globex", "external_ids": {"Zendesk ID": "1"}}), "external_ids"),
    ] {
        let refused = desk.post(&desk.owner, "/v1/organizations", &body).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert_eq!(refused.json()["errors"][0]["field"], field, "{}", refused.body);
    }
    let unknown = desk.post(&desk.owner, "/v1/organizations", &json!({"name": "Globex", "colour": "red"})).await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    let wrong_type =
        desk.post(&desk.owner, "/v1/organizations", &json!({"name": "Globex", "shared_tickets": "yes"})).await;
    assert_eq!(wrong_type.status, 400, "{}", wrong_type.body);
    // Authorization first: agents and customers may not, whatever the body.
    for who in [&agent, &customer] {
        let refused = desk.post(who, "/v1/organizations", &json!({"name": 7})).await;
        assert_eq!(refused.status, 403, "{}: {}", who.role, refused.body);
    }
    assert_eq!(desk.get(&customer, "/v1/organizations").await.status, 403);

    // Staff read, filter and page them by name.
    let globex =
        organization(&desk, json!({"name": "Globex", "domains": ["globex.test"], "external_ids": {"zendesk": "42"}}))
            .await;
    organization(&desk, json!({"name": "Initech"})).await;
    let list = desk.get(&agent, "/v1/organizations?limit=2").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let list = list.json();
    let names: Vec<&str> = list["data"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Acme", "Globex"]);
    let cursor = list["next_cursor"].as_str().unwrap();
    let rest = desk.get(&agent, &format!("/v1/organizations?limit=2&cursor={cursor}")).await.json();
    assert_eq!(rest["data"][0]["name"], "Initech");
    assert!(rest["next_cursor"].is_null());
    for (query, expected) in [("q=GLOB", "Globex"), ("domain=ACME.test", "Acme"), ("external_id=zendesk:42", "Globex")]
    {
        let found = desk.get(&agent, &format!("/v1/organizations?{query}")).await.json();
        assert_eq!(found["data"].as_array().unwrap().len(), 1, "{query}: {found}");
        assert_eq!(found["data"][0]["name"], expected, "{query}");
    }
    assert_eq!(desk.get(&agent, "/v1/organizations?colour=red").await.status, 400);
    assert_eq!(desk.get(&agent, "/v1/organizations?external_id=zendesk").await.status, 422);

    // A change: domains replace the list; another's domain is refused and changes nothing.
    let path = format!("/v1/organizations/{}", globex["id"].as_str().unwrap());
    let taken = desk.patch(&desk.owner, &path, &json!({"domains": ["acme.test"], "name": "Globex Corp"})).await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    let changed =
        desk.patch(&desk.owner, &path, &json!({"domains": ["globex.test", "globex.eu"], "shared_tickets": true})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["name"], "Globex");
    assert_eq!(changed.json()["domains"], json!(["globex.eu", "globex.test"]));
    assert_eq!(changed.json()["shared_tickets"], true);
    let read = desk.get(&agent, &path).await.json();
    assert_eq!(
        read["stats"],
        json!({"members": 0, "open_tickets": 0, "oldest_open_created_at": null, "tickets_last_12_months": 0})
    );

    // Another tenant's id, and an unknown one, are not there.
    let other = Desk::open().await;
    for path in [path.clone(), format!("/v1/organizations/{}", uuid::Uuid::new_v4())] {
        assert_eq!(other.get(&other.owner, &path).await.status, 404, "{path}");
        assert_eq!(other.patch(&other.owner, &path, &json!({"name": "Mine"})).await.status, 404, "{path}");
        assert_eq!(other.delete(&other.owner, &path).await.status, 404, "{path}");
    }
    assert_eq!(desk.get(&agent, &path).await.json()["name"], "Globex", "unchanged by the other tenant");
    // The other tenant holds the same domain independently.
    let theirs =
        other.post(&other.owner, "/v1/organizations", &json!({"name": "Acme", "domains": ["acme.test"]})).await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);

    assert_eq!(desk.delete(&desk.owner, &path).await.status, 204);
    assert_eq!(desk.get(&agent, &path).await.status, 404);
}

#[tokio::test]
async fn customers_join_the_holder_of_their_domain_when_they_are_created() {
    let desk = Desk::open().await;
    let acme = organization(&desk, json!({"name": "Acme", "domains": ["acme.test"]})).await;
    let acme_id = acme["id"].as_str().unwrap().to_owned();
    let at = |address: &str| {
        let (desk, address) = (&desk, address.to_owned());
        async move { desk.platform.member_at(&desk.app, &desk.org, "customer", &address).await }
    };
    // The domain exactly, ignoring case; not a subdomain, not a look-alike.
    let jo = at(&format!("jo.{}@ACME.test", uuid::Uuid::new_v4().simple())).await;
    let sub = at(&format!("al.{}@eu.acme.test", uuid::Uuid::new_v4().simple())).await;
    let fake = at(&format!("mo.{}@notacme.test", uuid::Uuid::new_v4().simple())).await;
    let me = desk.get(&jo, "/v1/me").await.json();
    assert_eq!(ids(&me["organization_ids"]), std::slice::from_ref(&acme_id));
    assert_eq!(me["primary_organization_id"], acme_id.as_str());
    for outsider in [&sub, &fake] {
        let me = desk.get(outsider, "/v1/me").await.json();
        assert_eq!(me["organization_ids"], json!([]), "{}", outsider.email);
        assert!(me["primary_organization_id"].is_null());
    }
    // Staff never join.
    let invited = desk
        .platform
        .member_at(&desk.app, &desk.org, "agent", &format!("ag.{}@acme.test", uuid::Uuid::new_v4().simple()))
        .await;
    assert_eq!(desk.get(&invited, "/v1/me").await.json()["organization_ids"], json!([]));
    // A domain added later moves nobody.
    let path = format!("/v1/organizations/{acme_id}");
    let added = desk.patch(&desk.owner, &path, &json!({"domains": ["acme.test", "notacme.test"]})).await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(desk.get(&fake, "/v1/me").await.json()["organization_ids"], json!([]));

    let members = desk.get(&desk.owner, &format!("{path}/members")).await.json();
    let listed: Vec<(&str, &str, bool)> = members["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap(), m["primary"].as_bool().unwrap()))
        .collect();
    assert_eq!(listed, [(jo.email.as_str(), "member", true)]);
    let page = desk.get(&desk.owner, &path).await.json();
    assert_eq!((page["member_count"].as_i64(), page["stats"]["members"].as_i64()), (Some(1), Some(1)));
    // The customer's own view: never domains or notes.
    let mine = desk.get(&jo, "/v1/me/organizations").await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(
        mine.json(),
        json!([{"id": acme_id, "name": "Acme", "role": "member", "primary": true, "shared_tickets": false, "shared_comments": false}])
    );
    assert_eq!(desk.get(&desk.owner, "/v1/me/organizations").await.status, 403);
}

#[tokio::test]
async fn a_person_has_one_primary_among_at_most_twenty_organisations() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let mut orgs = Vec::new();
    for n in 0..21 {
        orgs.push(
            organization(&desk, json!({"name": format!("Client {n:02}")})).await["id"].as_str().unwrap().to_owned(),
        );
    }
    let member = |org: &str, who: &str| format!("/v1/organizations/{org}/members/{who}");
    let first = desk.put(&desk.owner, &member(&orgs[0], &customer.id.to_string()), &json!({})).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!((first.json()["role"].as_str(), first.json()["primary"].as_bool()), (Some("member"), Some(true)));
    // Twenty at once, the primary stays one.
    let puts = futures_util::future::join_all(orgs[1..20].iter().map(|org| {
        let path = member(org, &customer.id.to_string());
        let desk = &desk;
        async move { desk.put(&desk.owner, &path, &json!({"role": "manager"})).await }
    }))
    .await;
    for put in &puts {
        assert_eq!(put.status, 200, "{}", put.body);
    }
    let me = desk.get(&customer, "/v1/me").await.json();
    assert_eq!(me["organization_ids"].as_array().unwrap().len(), 20);
    assert_eq!(me["primary_organization_id"], orgs[0].as_str());
    let over = desk.put(&desk.owner, &member(&orgs[20], &customer.id.to_string()), &json!({})).await;
    assert_eq!((over.status.as_u16(), over.json()["code"].as_str()), (422, Some("limit_reached")), "{}", over.body);

    // The primary moves when asked, and passes to the oldest remaining one when it ends.
    let moved = desk.put(&desk.owner, &member(&orgs[5], &customer.id.to_string()), &json!({"primary": true})).await;
    assert_eq!((moved.json()["primary"].as_bool(), moved.json()["role"].as_str()), (Some(true), Some("manager")));
    assert_eq!(desk.get(&customer, "/v1/me").await.json()["primary_organization_id"], orgs[5].as_str());
    assert_eq!(desk.delete(&desk.owner, &member(&orgs[5], &customer.id.to_string())).await.status, 204);
    assert_eq!(desk.get(&customer, "/v1/me").await.json()["primary_organization_id"], orgs[0].as_str());
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/organizations/{}", orgs[0])).await.status, 204);
    assert_eq!(desk.get(&customer, "/v1/me").await.json()["primary_organization_id"], orgs[1].as_str());
    let primaries: i64 = desk.db.scalar("SELECT count(*) FROM organization_members WHERE is_primary").await;
    assert_eq!(primaries, 1);

    // Refused: staff, unknown people and another tenant's, a membership that is not there.
    let staff = desk.put(&desk.owner, &member(&orgs[20], &agent.id.to_string()), &json!({})).await;
    assert_eq!(staff.status, 422, "{}", staff.body);
    assert_eq!(staff.json()["errors"][0]["field"], "user_id");
    let other = Desk::open().await;
    let theirs = other.member("customer").await;
    for stranger in [uuid::Uuid::new_v4(), theirs.id] {
        let answer = desk.put(&desk.owner, &member(&orgs[20], &stranger.to_string()), &json!({})).await;
        assert_eq!(answer.status, 404, "{}", answer.body);
    }
    assert_eq!(desk.delete(&desk.owner, &member(&orgs[20], &customer.id.to_string())).await.status, 404);
    let bad_role = desk.put(&desk.owner, &member(&orgs[20], &customer.id.to_string()), &json!({"role": "boss"})).await;
    assert_eq!(bad_role.status, 400, "{}", bad_role.body);
    assert_eq!(desk.put(&agent, &member(&orgs[20], &customer.id.to_string()), &json!({})).await.status, 403);
}

#[tokio::test]
async fn a_ticket_belongs_to_one_of_its_requesters_organisations() {
    let desk = Desk::open().await;
    let acme =
        organization(&desk, json!({"name": "Acme", "domains": ["acme.test"]})).await["id"].as_str().unwrap().to_owned();
    let globex = organization(&desk, json!({"name": "Globex"})).await["id"].as_str().unwrap().to_owned();
    let initech = organization(&desk, json!({"name": "Initech"})).await["id"].as_str().unwrap().to_owned();
    let address = format!("jo.{}@acme.test", uuid::Uuid::new_v4().simple());
    let (customer, agent, loner) = tokio::join!(
        desk.platform.member_at(&desk.app, &desk.org, "customer", &address),
        desk.member("agent"),
        desk.member("customer"),
    );
    let joined =
        desk.put(&desk.owner, &format!("/v1/organizations/{globex}/members/{}", customer.id), &json!({})).await;
    assert_eq!(joined.status, 200, "{}", joined.body);

    // The requester's primary by default, another of theirs when asked; none for a loner.
    let body = json!({"subject": "Broken kettle", "description": "It leaks."});
    let first = desk.create(&customer, body.clone()).await;
    assert_eq!(first["organization_id"], acme.as_str(), "{first}");
    let asked =
        desk.create(&customer, json!({"subject": "Invoice", "description": "Twice.", "organization_id": globex})).await;
    assert_eq!(asked["organization_id"], globex.as_str());
    assert!(desk.create(&loner, body.clone()).await["organization_id"].is_null());
    let for_them = desk
        .create(
            &agent,
            json!({"subject": "By phone", "description": "Call.", "user_id": customer.id, "channel": "phone"}),
        )
        .await;
    assert_eq!(for_them["organization_id"], acme.as_str());
    let other = Desk::open().await;
    let theirs = other.post(&other.owner, "/v1/organizations", &json!({"name": "Theirs"})).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for refused in [&initech, &theirs] {
        let answer = desk
            .post(&customer, "/v1/tickets", &json!({"subject": "x", "description": "y", "organization_id": refused}))
            .await;
        assert_eq!(answer.status, 422, "{}", answer.body);
        assert_eq!(answer.json()["errors"][0]["field"], "organization_id");
    }

    // Staff see the requester's organisations beside the ticket.
    let panel = desk.get(&agent, &format!("/v1/tickets/{}/customer", first["id"])).await.json();
    assert_eq!(
        panel["organizations"],
        json!([{"id": acme, "name": "Acme", "role": "member", "primary": true},
               {"id": globex, "name": "Globex", "role": "member", "primary": false}])
    );

    // Staff move it among the requester's, or out of any: a history entry with its actor.
    let ticket = first["id"].as_i64().unwrap();
    let path = format!("/v1/tickets/{ticket}");
    let moved = desk.patch(&agent, &path, &json!({"organization_id": globex})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["organization_id"], globex.as_str());
    let history = desk.get(&agent, &format!("{path}/history")).await.json();
    let entry =
        history["data"].as_array().unwrap().iter().find(|e| !e["changes"]["organization_id"].is_null()).cloned();
    let entry = entry.unwrap_or_else(|| panic!("no entry: {history}"));
    assert_eq!(entry["changes"]["organization_id"], json!([acme, globex]));
    assert_eq!(entry["actor_id"], agent.id.to_string(), "{entry}");
    for refused in
        [json!({"organization_id": initech}), json!({"organization_id": theirs}), json!({"organization_id": "acme"})]
    {
        let answer = desk.patch(&agent, &path, &refused).await;
        assert!(matches!(answer.status.as_u16(), 400 | 422), "{refused}: {}", answer.body);
    }
    assert_eq!(desk.patch(&customer, &path, &json!({"organization_id": acme})).await.status, 403);
    assert_eq!(desk.get(&agent, &path).await.json()["organization_id"], globex.as_str(), "unchanged");

    // The list filters by it.
    let listed = |query: String| {
        let desk = &desk;
        let agent = &agent;
        async move {
            let answer = desk.get(agent, &format!("/v1/tickets?{query}")).await;
            assert_eq!(answer.status, 200, "{query}: {}", answer.body);
            let mut subjects: Vec<String> = answer.json()["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["subject"].as_str().unwrap().to_owned())
                .collect();
            subjects.sort();
            subjects
        }
    };
    assert_eq!(listed(format!("organization_id={globex}")).await, ["Broken kettle", "Invoice"]);
    assert_eq!(listed(format!("organization_id={acme}")).await, ["By phone"]);
    assert_eq!(listed("organization_id=none".into()).await, ["Broken kettle"]);
    assert_eq!(desk.get(&agent, "/v1/tickets?organization_id=acme").await.status, 400);

    // Leaving an organisation keeps its tickets in it; deleting it leaves them without one.
    let left = desk.delete(&desk.owner, &format!("/v1/organizations/{acme}/members/{}", customer.id)).await;
    assert_eq!(left.status, 204);
    assert_eq!(
        desk.get(&agent, &format!("/v1/tickets/{}", for_them["id"])).await.json()["organization_id"],
        acme.as_str()
    );
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/organizations/{globex}")).await.status, 204);
    assert!(desk.get(&agent, &path).await.json()["organization_id"].is_null());
    assert_eq!(desk.get(&customer, "/v1/me").await.json()["organization_ids"], json!([]));
}

/// A ticket's organisation joins the rules and the SLA policies: a rule's condition
/// `customer.organization_id` and a policy's `conditions.organization_ids` match it, at creation
/// and again when staff move the ticket; ids of no organisation of this tenant are refused by
/// name, and an organisation a policy names is not deleted.
#[tokio::test]
async fn rules_and_sla_policies_match_the_tickets_organisation() {
    let desk = Desk::open().await;
    let (member, outsider, agent) =
        tokio::join!(desk.member("customer"), desk.member("customer"), desk.member("agent"));
    let acme = organization(&desk, json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
    let joined = desk.put(&desk.owner, &format!("/v1/organizations/{acme}/members/{}", member.id), &json!({})).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let stranger = uuid::Uuid::now_v7();

    let rule = |value: Value| {
        json!({
            "name": "Key account", "trigger": "ticket.created",
            "conditions": {"all": [{"field": "customer.organization_id", "op": "is", "value": value}]},
            "actions": [{"type": "add_tags", "value": ["key-account"]}],
        })
    };
    let refused = desk.post(&desk.owner, "/v1/rules", &rule(json!(stranger))).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["field"], "conditions.all[0].value", "{}", refused.body);
    let made = desk.post(&desk.owner, "/v1/rules", &rule(json!(acme))).await;
    assert_eq!(made.status, 201, "{}", made.body);

    let policy = |ids: Value| {
        let one = json!({"response_minutes": 15, "next_response_minutes": null, "resolution_minutes": 60});
        json!({"policies": [{
            "name": "Acme hours", "conditions": {"organization_ids": ids},
            "targets": {"low": one, "medium": one, "high": one, "urgent": one},
        }]})
    };
    let refused = desk.put(&desk.owner, "/v1/sla/policies", &policy(json!([stranger]))).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["field"], "policies[0].conditions.organization_ids");
    let put = desk.put(&desk.owner, "/v1/sla/policies", &policy(json!([acme]))).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.json()["policies"][0]["conditions"]["organization_ids"], json!([acme]));

    // Acme's ticket is tagged and under Acme's policy; another customer's neither.
    let theirs = desk.create(&member, json!({"subject": "Key", "description": "x"})).await;
    let theirs = desk.get(&agent, &format!("/v1/tickets/{}", theirs["id"])).await.json();
    assert_eq!(
        (theirs["tags"].clone(), theirs["sla"]["policy"].as_str()),
        (json!(["key-account"]), Some("Acme hours"))
    );
    let other = desk.create(&outsider, json!({"subject": "Plain", "description": "x"})).await;
    let other = desk.get(&agent, &format!("/v1/tickets/{}", other["id"])).await.json();
    assert_eq!((other["tags"].clone(), other["sla"]["policy"].as_str()), (json!([]), Some("default")));
    // Moved out of the organisation: the policy no longer applies.
    let path = format!("/v1/tickets/{}", theirs["id"]);
    let moved = desk.patch(&agent, &path, &json!({"organization_id": null})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(desk.get(&agent, &path).await.json()["sla"]["policy"], "default");

    // Named by a policy: not deleted until the policy lets it go.
    let path = format!("/v1/organizations/{acme}");
    let kept = desk.delete(&desk.owner, &path).await;
    assert_eq!((kept.status.as_u16(), kept.json()["code"].as_str()), (409, Some("organization_in_use")));
    assert_eq!(desk.put(&desk.owner, "/v1/sla/policies", &json!({"policies": []})).await.status, 200);
    assert_eq!(desk.delete(&desk.owner, &path).await.status, 204);
}

/// Staff read one member with their organisations; erasing a customer ends their memberships
/// (the organisation and the ticket stay), and their id then names nobody.
#[tokio::test]
async fn staff_read_a_member_and_erasure_ends_their_memberships() {
    let desk = Desk::open().await;
    let (customer, agent) = tokio::join!(desk.member("customer"), desk.member("agent"));
    let acme = organization(&desk, json!({"name": "Acme"})).await["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/organizations/{acme}/members/{}", customer.id);
    assert_eq!(desk.put(&desk.owner, &path, &json!({"role": "manager"})).await.status, 200);
    let ticket = desk.create(&customer, json!({"subject": "Lid", "description": "x"})).await;

    let read = desk.get(&agent, &format!("/v1/users/{}", customer.id)).await;
    assert_eq!(read.status, 200, "{}", read.body);
    let read = read.json();
    assert_eq!((read["role"].as_str(), read["email"].as_str()), (Some("customer"), Some(customer.email.as_str())));
    assert_eq!(
        (read["organization_ids"].clone(), read["primary_organization_id"].as_str()),
        (json!([acme]), Some(acme.as_str()))
    );
    assert_eq!(read["external_ids"], json!({}));
    assert!(read["created_at"].is_string(), "{read}");
    // Staff only; nobody, a malformed id, another tenant's member: refused as each is.
    assert_eq!(desk.get(&customer, &format!("/v1/users/{}", agent.id)).await.status, 403);
    assert_eq!(desk.get(&agent, &format!("/v1/users/{}", uuid::Uuid::now_v7())).await.status, 404);
    assert_eq!(desk.get(&agent, "/v1/users/not-an-id").await.status, 400);
    let other = desk.platform.org().await;
    let stranger = desk.platform.member(&desk.app, &other, "customer").await;
    assert_eq!(desk.get(&agent, &format!("/v1/users/{}", stranger.id)).await.status, 404);

    let erased = desk.delete(&desk.owner, &format!("/v1/users/{}", customer.id)).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(erased.json()["erased"]["memberships"], 1);
    assert_eq!(desk.get(&agent, &format!("/v1/users/{}", customer.id)).await.status, 404);
    let page = desk.get(&agent, &format!("/v1/organizations/{acme}")).await.json();
    assert_eq!(page["stats"]["members"], 0, "{page}");
    let kept = desk.get(&agent, &format!("/v1/tickets/{}", ticket["id"])).await.json();
    assert_eq!(kept["organization_id"], acme.as_str(), "the ticket keeps its organisation");
}
