//! The whole platform for app-api tests (`testkit::Platform`): a control plane (control-api's
//! router and worker, provisioning real tenant databases on the test server) and app-api
//! replicas on the same control database and Redis namespace.

#[allow(unused_imports, reason = "not every test module uses every part")]
pub use testkit::{
    BASE_DOMAIN, ControlOptions, Org, PASSWORD, Person, Platform, Replica, Service, TEST_ENCRYPTION_KEY,
    TEST_PUBLIC_KEY, TenantDb, amqp_url, broker_url, parse, url,
};
