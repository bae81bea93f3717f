//! Whether a rule's conditions hold for a ticket as a change left it: every one of `all`, and
//! one of `any` when it has some. Text is compared ignoring case (`contains` looks inside it); on
//! tags and multi-selects `contains` means holding the value; `gt` and `lt` order numbers, dates
//! and priorities; a subject without a value (no team, an unset field) is empty, is no value,
//! and is "not" any value.

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use super::{Condition, Conditions, Op, Operand, PRIORITIES, Subject};
use crate::tickets::store::Ticket;

/// What the conditions of a rule look at beyond the ticket.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub ticket: &'a Ticket,
    /// Where the change came from: `web`, `email` or `api`.
    pub channel: &'a str,
    pub customer_vip: bool,
    pub customer_email: &'a str,
    /// The message added, for rules on `message.added`.
    pub message: Option<Message<'a>>,
}

#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub body: &'a str,
    pub is_internal: bool,
    /// `customer` or `agent`.
    pub sender_type: &'a str,
}

/// A subject's value on a ticket.
#[derive(Debug, Clone, PartialEq)]
enum Held {
    Nothing,
    Text(String),
    Id(Uuid),
    Flag(bool),
    Number(f64),
    Date(NaiveDate),
    Many(Vec<String>),
}

/// Whether `conditions` hold for `facts`.
pub fn hold(conditions: &Conditions, facts: &Facts<'_>) -> bool {
    conditions.all.iter().all(|c| holds(c, facts))
        && (conditions.any.is_empty() || conditions.any.iter().any(|c| holds(c, facts)))
}

/// Whether `condition` holds for `facts`.
pub fn holds(condition: &Condition, facts: &Facts<'_>) -> bool {
    let held = held(&condition.subject, facts);
    let first = condition.values.first();
    match condition.op {
        Op::Is => first.is_some_and(|value| same(&held, value)),
        Op::IsNot => !first.is_some_and(|value| same(&held, value)),
        Op::In => condition.values.iter().any(|value| same(&held, value)),
        Op::NotIn => !condition.values.iter().any(|value| same(&held, value)),
        Op::Contains => first.is_some_and(|value| contains(&held, value)),
        Op::NotContains => !first.is_some_and(|value| contains(&held, value)),
        Op::Gt => first.is_some_and(|value| order(&held, value) == Some(std::cmp::Ordering::Greater)),
        Op::Lt => first.is_some_and(|value| order(&held, value) == Some(std::cmp::Ordering::Less)),
        Op::IsEmpty => empty(&held),
        Op::IsNotEmpty => !empty(&held),
    }
}

fn held(subject: &Subject, facts: &Facts<'_>) -> Held {
    let ticket = facts.ticket;
    let text = |value: &str| Held::Text(value.to_owned());
    let id = |value: Option<Uuid>| value.map_or(Held::Nothing, Held::Id);
    let message = facts.message;
    match subject {
        Subject::Status => text(ticket.status.as_str()),
        Subject::Priority => text(ticket.priority.as_str()),
        Subject::TeamId => id(ticket.team_id.map(|team| team.0)),
        Subject::AssignedTo => id(ticket.assigned_to.map(|person| person.0)),
        Subject::Category => ticket.category.as_deref().map_or(Held::Nothing, text),
        Subject::Tags => Held::Many(ticket.tags.clone()),
        Subject::Channel => text(facts.channel),
        Subject::CustomerVip => Held::Flag(facts.customer_vip),
        Subject::CustomerEmailDomain => facts.customer_email.rsplit_once('@').map_or(Held::Nothing, |(_, d)| text(d)),
        Subject::CustomerOrganizationId => id(ticket.organization_id.map(|organization| organization.0)),
        Subject::Subject => text(&ticket.subject),
        Subject::Description => text(&ticket.description),
        Subject::Field(key) => field(ticket.fields.get(key)),
        Subject::MessageBody => message.map_or(Held::Nothing, |m| text(m.body)),
        Subject::MessageIsInternal => message.map_or(Held::Nothing, |m| Held::Flag(m.is_internal)),
        Subject::MessageSenderType => message.map_or(Held::Nothing, |m| text(m.sender_type)),
    }
}

/// A custom field's value as stored (checked on write: text, a number, a date as text, a flag,
/// an option, or options).
fn field(value: Option<&Value>) -> Held {
    match value {
        None | Some(Value::Null | Value::Object(_)) => Held::Nothing,
        Some(Value::Bool(flag)) => Held::Flag(*flag),
        Some(Value::Number(n)) => n.as_f64().map_or(Held::Nothing, Held::Number),
        Some(Value::String(s)) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(day) => Held::Date(day),
            Err(_) => Held::Text(s.clone()),
        },
        Some(Value::Array(items)) => Held::Many(items.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
    }
}

fn same(held: &Held, value: &Operand) -> bool {
    match (held, value) {
        (Held::Text(text), Operand::Text(wanted)) => text.to_lowercase() == wanted.to_lowercase(),
        // A date typed as text in a text field.
        (Held::Date(day), Operand::Text(wanted)) => day.format("%Y-%m-%d").to_string() == *wanted,
        (Held::Id(id), Operand::Id(wanted)) => id == wanted,
        (Held::Flag(flag), Operand::Flag(wanted)) => flag == wanted,
        (Held::Number(n), Operand::Number(wanted)) => (n - wanted).abs() < f64::EPSILON,
        (Held::Date(day), Operand::Date(wanted)) => day == wanted,
        _ => false,
    }
}

fn contains(held: &Held, value: &Operand) -> bool {
    match (held, value) {
        (Held::Text(text), Operand::Text(wanted)) => text.to_lowercase().contains(&wanted.to_lowercase()),
        (Held::Many(items), Operand::Text(wanted)) => items.iter().any(|item| item == wanted),
        _ => false,
    }
}

fn order(held: &Held, value: &Operand) -> Option<std::cmp::Ordering> {
    match (held, value) {
        (Held::Number(n), Operand::Number(wanted)) => n.partial_cmp(wanted),
        (Held::Date(day), Operand::Date(wanted)) => Some(day.cmp(wanted)),
        (Held::Text(word), Operand::Text(wanted)) => {
            let rank = |w: &str| PRIORITIES.iter().position(|p| *p == w);
            Some(rank(word)?.cmp(&rank(wanted)?))
        }
        _ => None,
    }
}

fn empty(held: &Held) -> bool {
    match held {
        Held::Nothing => true,
        Held::Text(text) => text.trim().is_empty(),
        Held::Many(items) => items.is_empty(),
        Held::Id(_) | Held::Flag(_) | Held::Number(_) | Held::Date(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ids::TeamId;
    use crate::rules::parse;
    use crate::tickets::priority::Priority;
    use crate::tickets::status::Status;
    use crate::tickets::store::tests::ticket;

    /// Whether the conditions `all` (JSON) hold for `facts`, on a rule triggered by a message.
    fn all(conditions: &Value, facts: &Facts<'_>) -> bool {
        let fields = crate::rules::tests::defined();
        let rule = parse(
            &json!("message.added"),
            &json!({ "all": conditions }),
            &json!([{ "type": "set_priority", "value": "low" }]),
            &fields,
        )
        .expect("a rule");
        hold(&rule.conditions, facts)
    }

    #[test]
    fn each_operator_on_each_kind_of_value() {
        let team = Uuid::now_v7();
        let ticket = Ticket {
            priority: Priority::High,
            team_id: Some(TeamId(team)),
            category: Some("Payment_failure".into()),
            tags: vec!["refund".into(), "vip".into()],
            subject: "My parcel never came".into(),
            fields: json!({ "order_total": 750, "product": "phone", "parts": ["screen"], "warranty": true }),
            ..ticket(Status::InProgress)
        };
        let facts = Facts {
            ticket: &ticket,
            channel: "email",
            customer_vip: true,
            customer_email: "ann@shop.example",
            message: Some(Message { body: "Where is my REFUND?", is_internal: false, sender_type: "customer" }),
        };
        let check =
            |field: &str, op: &str, value: Value| all(&json!([{ "field": field, "op": op, "value": value }]), &facts);
        assert!(check("status", "is", json!("in_progress")));
        assert!(check("status", "not_in", json!(["open", "closed"])));
        assert!(check("priority", "gt", json!("medium")) && check("priority", "lt", json!("urgent")));
        assert!(!check("priority", "gt", json!("high")));
        assert!(check("team_id", "is", json!(team)) && check("team_id", "is_not_empty", Value::Null));
        assert!(check("assigned_to", "is_empty", Value::Null) && check("assigned_to", "is_not", json!(team)));
        assert!(check("category", "is", json!("payment_failure")), "text ignores case");
        assert!(check("tags", "contains", json!("VIP")) && check("tags", "not_contains", json!("late")));
        assert!(check("channel", "is", json!("email")));
        assert!(check("customer.vip", "is", json!(true)));
        assert!(check("customer.email_domain", "in", json!(["shop.example", "other.example"])));
        assert!(check("subject", "contains", json!("PARCEL")) && check("subject", "not_contains", json!("refund")));
        assert!(check("description", "is_empty", Value::Null));
        assert!(check("fields.order_total", "gt", json!(500)) && !check("fields.order_total", "lt", json!(500)));
        assert!(check("fields.product", "in", json!(["phone", "tablet"])));
        assert!(
            check("fields.parts", "contains", json!("screen"))
                && check("fields.parts", "not_contains", json!("battery"))
        );
        assert!(check("fields.warranty", "is", json!(true)));
        assert!(check("message.body", "contains", json!("refund")));
        assert!(
            check("message.is_internal", "is", json!(false)) && check("message.sender_type", "is", json!("customer"))
        );

        // An unset field is empty, no value, and "not" any value.
        let bare = Ticket { fields: json!({}), ..ticket.clone() };
        let bare_facts = Facts { ticket: &bare, ..facts };
        let on_bare = |field: &str, op: &str, value: Value| {
            all(&json!([{ "field": field, "op": op, "value": value }]), &bare_facts)
        };
        assert!(on_bare("fields.order_total", "is_empty", Value::Null));
        assert!(!on_bare("fields.order_total", "gt", json!(0)) && !on_bare("fields.order_total", "lt", json!(0)));
        assert!(
            on_bare("fields.product", "is_not", json!("phone"))
                && on_bare("fields.product", "not_in", json!(["phone"]))
        );
    }

    #[test]
    fn all_must_hold_and_one_of_any_when_there_are_some() {
        let ticket = Ticket { priority: Priority::Low, ..ticket(Status::Open) };
        let facts = Facts {
            ticket: &ticket,
            channel: "web",
            customer_vip: false,
            customer_email: "a@b.example",
            message: None,
        };
        let fields = crate::rules::tests::defined();
        let conditions = |value: Value| {
            parse(&json!("ticket.updated"), &value, &json!([{ "type": "set_priority", "value": "low" }]), &fields)
                .unwrap()
                .conditions
        };
        assert!(hold(&conditions(json!({})), &facts), "no condition: always");
        let low = json!({ "field": "priority", "op": "is", "value": "low" });
        let vip = json!({ "field": "customer.vip", "op": "is", "value": true });
        let web = json!({ "field": "channel", "op": "is", "value": "web" });
        assert!(hold(&conditions(json!({ "all": [low, web] })), &facts));
        assert!(!hold(&conditions(json!({ "all": [low, vip] })), &facts));
        assert!(hold(&conditions(json!({ "any": [vip, web] })), &facts));
        assert!(!hold(&conditions(json!({ "all": [low], "any": [vip] })), &facts));
        assert!(hold(&conditions(json!({ "all": [low], "any": [vip, web] })), &facts));
    }
}
