//! Ticket priorities and the rules that set them at creation: medium by default; an order worth more than 500 EUR makes it high; a payment failure
//! makes it urgent; more than 3 tickets of the same category from the same customer make it
//! high; a VIP customer gets one level more; an agent's choice always wins.
#![allow(clippy::inconsistent_digit_grouping, reason = "amounts in cents are written euros_cents")]

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Medium,
    High,
    Urgent,
}

base::text_column!(Priority, parse);

impl Priority {
    pub const ALL: [Self; 4] = [Self::Low, Self::Medium, Self::High, Self::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }

    /// One level up (urgent stays urgent): the VIP rule and a response SLA breach.
    #[must_use]
    pub fn raised(self) -> Self {
        match self {
            Self::Low => Self::Medium,
            Self::Medium => Self::High,
            Self::High | Self::Urgent => Self::Urgent,
        }
    }
}

/// The category that marks a failed payment.
pub const PAYMENT_FAILURE: &str = "payment_failure";
/// Orders above this many euro cents raise a ticket to high.
pub const HIGH_ORDER_CENTS: i64 = 500_00;
/// More tickets than this in one category from one customer raise the next one to high.
pub const REPEAT_THRESHOLD: u32 = 3;

/// What the rules look at.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    pub category: Option<&'a str>,
    /// The related order's total in cents and its currency, when known.
    pub order_total: Option<(i64, &'a str)>,
    pub vip: bool,
    /// The customer's tickets in the same category before this one.
    pub same_category_before: u32,
    /// An agent's (or admin's) explicit choice.
    pub chosen_by_staff: Option<Priority>,
}

/// The priority of a new ticket.
pub fn initial(facts: &Facts<'_>) -> Priority {
    if let Some(chosen) = facts.chosen_by_staff {
        return chosen;
    }
    let mut priority = Priority::Medium;
    // Only euro amounts are compared: converting currencies needs rates we do not have.
    if facts
        .order_total
        .is_some_and(|(cents, currency)| currency.eq_ignore_ascii_case("EUR") && cents > HIGH_ORDER_CENTS)
    {
        priority = priority.max(Priority::High);
    }
    // This ticket makes more than 3 of its category.
    if facts.category.is_some() && facts.same_category_before + 1 > REPEAT_THRESHOLD {
        priority = priority.max(Priority::High);
    }
    if facts.category == Some(PAYMENT_FAILURE) {
        priority = Priority::Urgent;
    }
    if facts.vip {
        priority = priority.raised();
    }
    priority
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts<'static> {
        Facts::default()
    }

    #[test]
    fn each_rule_alone() {
        assert_eq!(initial(&facts()), Priority::Medium);
        assert_eq!(initial(&Facts { order_total: Some((500_01, "EUR")), ..facts() }), Priority::High);
        assert_eq!(
            initial(&Facts { order_total: Some((500_00, "EUR")), ..facts() }),
            Priority::Medium,
            "more than 500, not 500"
        );
        assert_eq!(initial(&Facts { order_total: Some((900_00, "usd")), ..facts() }), Priority::Medium);
        assert_eq!(initial(&Facts { category: Some("payment_failure"), ..facts() }), Priority::Urgent);
        assert_eq!(initial(&Facts { vip: true, ..facts() }), Priority::High);
        assert_eq!(initial(&Facts { category: Some("shipping"), same_category_before: 3, ..facts() }), Priority::High);
        assert_eq!(
            initial(&Facts { category: Some("shipping"), same_category_before: 2, ..facts() }),
            Priority::Medium
        );
        assert_eq!(initial(&Facts { chosen_by_staff: Some(Priority::Low), ..facts() }), Priority::Low);
    }

    #[test]
    fn combinations() {
        // VIP raises whatever the other rules gave.
        assert_eq!(initial(&Facts { vip: true, order_total: Some((1_000_00, "EUR")), ..facts() }), Priority::Urgent);
        assert_eq!(initial(&Facts { vip: true, category: Some("payment_failure"), ..facts() }), Priority::Urgent);
        // Rules take the highest, they do not add up.
        let both = Facts {
            order_total: Some((1_000_00, "EUR")),
            category: Some("shipping"),
            same_category_before: 5,
            ..facts()
        };
        assert_eq!(initial(&both), Priority::High);
        assert_eq!(initial(&Facts { vip: true, ..both.clone() }), Priority::Urgent);
        // Staff override beats everything, both ways.
        let everything = Facts {
            vip: true,
            category: Some("payment_failure"),
            order_total: Some((9_000_00, "EUR")),
            same_category_before: 9,
            chosen_by_staff: Some(Priority::Low),
        };
        assert_eq!(initial(&everything), Priority::Low);
    }

    #[test]
    fn raising_stops_at_urgent() {
        assert_eq!(Priority::Low.raised(), Priority::Medium);
        assert_eq!(Priority::High.raised(), Priority::Urgent);
        assert_eq!(Priority::Urgent.raised(), Priority::Urgent);
    }
}
