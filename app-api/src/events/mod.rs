//! Events about tickets (`tickets::events`). They are written to the tenant's `outbox` in the transaction of the
//! change they describe; publishing them to RabbitMQ (`sav_exchange`) is the relay's job.

pub mod outbox;

pub use outbox::enqueue;
