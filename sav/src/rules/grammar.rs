//! The rule grammar as the contract shows it: the JSON forms of a rule's trigger, conditions and
//! actions and of what a run changed, as schemas of the OpenAPI document (the web's rule types
//! are generated from them); their words are the domain's own enums (`Event`, `Since`, `Op`). `super::parse` reads the same forms and decides; it also checks what
//! a schema cannot say (which operators a field takes, the tenant's fields, teams and macros) and
//! names the place of each refusal. The tests below hold the two to one grammar.

use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Event, Op, Since};
use crate::tickets::priority::Priority;
use crate::tickets::status::Status;

/// Once per ticket not closed, `after_minutes` after `since`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleAfter {
    #[schema(minimum = 1, maximum = 525_600)]
    pub after_minutes: i64,
    pub since: Since,
}

/// An event's name, or a time rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RuleTrigger {
    Event(Event),
    After(RuleAfter),
}

/// One value a condition compares with or an action sets: a word, an id, text, a tag, a number,
/// a flag or a day (`YYYY-MM-DD`), as the field holds.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RuleScalar {
    Flag(bool),
    Number(f64),
    Text(String),
}

/// One value, or a list of them (`in` and `not_in`, a multi-select field).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RuleValue {
    One(RuleScalar),
    Many(Vec<RuleScalar>),
}

/// One condition over the ticket, its customer or the message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleCondition {
    /// `status`, `priority`, `team_id`, `assigned_to`, `category`, `tags`, `channel`,
    /// `customer.vip`, `customer.email_domain`, `subject`, `description`, `fields.KEY`; on
    /// `message.added`, also `message.body`, `message.is_internal`, `message.sender_type`.
    pub field: String,
    pub op: Op,
    /// A list of 1 to 100 values for `in` and `not_in`; none for `is_empty` and `is_not_empty`.
    #[serde(default)]
    pub value: Option<RuleValue>,
}

/// Every one of `all` holds and, when `any` lists some, one of `any` (at most 50 each).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleConditions {
    #[serde(default)]
    pub all: Vec<RuleCondition>,
    #[serde(default)]
    pub any: Vec<RuleCondition>,
}

/// What a rule does to the ticket, in order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleAction {
    SetPriority {
        value: Priority,
    },
    SetStatus {
        value: Status,
    },
    /// Into a team (its routing applies), or out of any (`null`).
    SetTeam {
        value: Option<Uuid>,
    },
    /// To a member of the staff, or nobody (`null`).
    AssignTo {
        value: Option<Uuid>,
    },
    AddTags {
        value: Vec<String>,
    },
    RemoveTags {
        value: Vec<String>,
    },
    /// A custom field's value as its kind holds it; `null` clears it.
    SetField {
        key: String,
        value: Option<RuleValue>,
    },
    /// 1 to 10,000 characters, written by the rule's author.
    AddInternalNote {
        body: String,
    },
    ApplyMacro {
        macro_id: i64,
    },
    /// To `assignee`, `team`, `admins` or an email address.
    NotifyEmail {
        to: String,
        subject: String,
        body: String,
    },
}

/// One change a run made (or would make): the action, the ticket's field, before and after.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleEffect {
    pub action: String,
    pub field: String,
    /// As the ticket's JSON shows the field; null when it had none.
    pub from: Value,
    pub to: Value,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Whether the schemas read `rule` as `super::super::parse` reads it.
    fn both(rule: &Value) -> (bool, bool) {
        let by_schema = serde_json::from_value::<RuleTrigger>(rule["trigger"].clone()).is_ok()
            && serde_json::from_value::<Option<RuleConditions>>(rule["conditions"].clone()).is_ok()
            && serde_json::from_value::<Vec<RuleAction>>(rule["actions"].clone()).is_ok();
        let by_parser = super::super::parse(&rule["trigger"], &rule["conditions"], &rule["actions"], &[]).is_ok();
        (by_schema, by_parser)
    }

    #[test]
    fn each_word_of_the_schemas_is_the_parsers() {
        for event in Event::ALL {
            assert_eq!(serde_json::from_value::<Event>(json!(event.as_str())).ok(), Some(event));
        }
        for since in Since::ALL {
            assert_eq!(serde_json::from_value::<Since>(json!(since.as_str())).ok(), Some(since));
        }
        for op in Op::ALL {
            assert_eq!(serde_json::from_value::<Op>(json!(op.as_str())).ok(), Some(op));
        }
    }

    #[test]
    fn the_schemas_read_every_form_the_parser_takes() {
        let team = "0190b6c4-5c1e-7d3a-9f00-000000000001";
        let rules = [
            json!({"trigger": "ticket.created", "conditions": {"all": [{"field": "priority", "op": "in", "value": ["high", "urgent"]}]},
                   "actions": [{"type": "set_team", "value": team}, {"type": "add_tags", "value": ["vip"]}]}),
            json!({"trigger": "message.added", "conditions": {"any": [{"field": "message.body", "op": "contains", "value": "refund"},
                   {"field": "tags", "op": "is_empty"}]}, "actions": [{"type": "set_priority", "value": "high"}]}),
            json!({"trigger": {"after_minutes": 2880, "since": "last_staff_reply"}, "conditions": {},
                   "actions": [{"type": "set_status", "value": "closed"}, {"type": "assign_to", "value": null}]}),
            json!({"trigger": "sla.breached", "conditions": {"all": [{"field": "customer.vip", "op": "is", "value": true}]},
                   "actions": [{"type": "notify_email", "to": "admins", "subject": "Late", "body": "A VIP waits."},
                               {"type": "add_internal_note", "body": "Told the admins."}, {"type": "remove_tags", "value": ["calm"]}]}),
        ];
        for rule in &rules {
            assert_eq!(both(rule), (true, true), "{rule}");
        }
    }

    #[test]
    fn the_schemas_refuse_what_the_parser_refuses_by_form() {
        let rules = [
            // An unknown event, a time without its start, a key of no trigger.
            json!({"trigger": "ticket.deleted", "actions": [{"type": "set_priority", "value": "low"}]}),
            json!({"trigger": {"after_minutes": 60}, "actions": [{"type": "set_priority", "value": "low"}]}),
            // An unknown operator, a condition with a key of its own, a third list.
            json!({"trigger": "ticket.created", "conditions": {"all": [{"field": "status", "op": "like", "value": "open"}]},
                   "actions": [{"type": "set_priority", "value": "low"}]}),
            json!({"trigger": "ticket.created", "conditions": {"all": [{"field": "status", "op": "is", "value": "open", "not": true}]},
                   "actions": [{"type": "set_priority", "value": "low"}]}),
            json!({"trigger": "ticket.created", "conditions": {"none": []}, "actions": [{"type": "set_priority", "value": "low"}]}),
            // An unknown action, an action's key of another, a priority that is none.
            json!({"trigger": "ticket.created", "actions": [{"type": "delete_ticket"}]}),
            json!({"trigger": "ticket.created", "actions": [{"type": "set_priority", "value": "low", "body": "x"}]}),
            json!({"trigger": "ticket.created", "actions": [{"type": "set_priority", "value": "whenever"}]}),
        ];
        for rule in &rules {
            assert_eq!(both(rule), (false, false), "{rule}");
        }
    }
}
