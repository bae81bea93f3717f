//! The tenant connection budget, fitted at start to the servers it is spent on. Each cluster's
//! `max_connections` and reserved slots are read by control-api from the server itself
//! (`db_clusters`); every app-api process (`serve` and `worker` replicas, `APP_REPLICAS` of them)
//! takes an equal part of `APP_CONNECTION_SHARE_PERCENT` of each cluster's usable slots, the
//! rest being control-api's, the migrations', the backups' and the operators'. Its control pool
//! counts against the cluster the control database is on. One budget serves requests, sweeps and
//! jobs alike (`pools`), so a process can never hold more than its part, whatever it does.
//!
//! The budget is one number across clusters (any tenant's connection may land on any of them),
//! so it is the smallest cluster's room: safe on each, but below the sum when there are several.

use control_schema::directory::ClusterLimits;
use serde::Serialize;

use crate::config::ConnectionShare;

/// The cluster whose room set the budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limit {
    pub cluster: String,
    pub max_connections: i32,
    pub reserved: i32,
    pub share_percent: u32,
    pub replicas: u32,
    /// This process's control pool, when the control database is on this cluster's server.
    pub control_pool: u32,
    /// What this process may hold there for tenants.
    pub room: usize,
}

/// The budget as fitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fit {
    /// `TENANT_POOLS_MAX_TOTAL_CONNECTIONS`.
    pub configured: usize,
    /// What the pools hold at most: the configured total, or a cluster's room when smaller.
    pub total: usize,
    pub limited_by: Option<Limit>,
    /// Clusters whose limits are not known (control-api has not read them yet): not counted.
    pub unknown: Vec<String>,
}

impl Fit {
    /// The configured total, nothing known to fit it to.
    pub fn unfitted(configured: usize) -> Self {
        Self { configured, total: configured, limited_by: None, unknown: Vec::new() }
    }
}

/// This process's room on `cluster` for tenant connections, with what it is made of.
fn room(
    cluster: &ClusterLimits,
    share: ConnectionShare,
    control_pool: u32,
    control_server: (&str, u16),
) -> Option<Limit> {
    let (max, reserved) = (cluster.max_connections?, cluster.reserved_connections.unwrap_or(0));
    let usable = u64::try_from(max - reserved).unwrap_or(0);
    let part = usable * u64::from(share.percent) / 100 / u64::from(share.replicas.max(1));
    let same_server =
        cluster.host == control_server.0 && u16::try_from(cluster.port).is_ok_and(|port| port == control_server.1);
    let control_pool = if same_server { control_pool } else { 0 };
    let room = usize::try_from(part.saturating_sub(u64::from(control_pool))).unwrap_or(usize::MAX);
    Some(Limit {
        cluster: cluster.name.clone(),
        max_connections: max,
        reserved,
        share_percent: share.percent,
        replicas: share.replicas,
        control_pool,
        room,
    })
}

/// Fits `configured` under every cluster's room; an error names a cluster with no room at all.
pub fn fit(
    configured: usize,
    clusters: &[ClusterLimits],
    share: ConnectionShare,
    control_pool: u32,
    control_server: (&str, u16),
) -> Result<Fit, String> {
    let mut fitted = Fit::unfitted(configured);
    for cluster in clusters {
        let Some(limit) = room(cluster, share, control_pool, control_server) else {
            fitted.unknown.push(cluster.name.clone());
            continue;
        };
        if limit.room == 0 {
            return Err(format!(
                "cluster {}: max_connections {} with {} reserved leaves no tenant connection to this process \
                 ({}% for {} app-api process(es), {} for its control pool): raise max_connections, \
                 APP_CONNECTION_SHARE_PERCENT, or lower APP_REPLICAS",
                limit.cluster,
                limit.max_connections,
                limit.reserved,
                limit.share_percent,
                limit.replicas,
                limit.control_pool
            ));
        }
        if limit.room < fitted.total {
            fitted.total = limit.room;
            fitted.limited_by = Some(limit);
        }
    }
    Ok(fitted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(name: &str, port: i32, max: Option<i32>, reserved: i32) -> ClusterLimits {
        ClusterLimits {
            name: name.to_owned(),
            host: "db".to_owned(),
            port,
            max_connections: max,
            reserved_connections: Some(reserved),
        }
    }

    const ONE: ConnectionShare = ConnectionShare { replicas: 1, percent: 80 };

    #[test]
    fn the_budget_is_the_smallest_room_with_the_control_pool_on_its_own_server() {
        // 97 usable, 80 % is 77, less the control pool of 5 on the same server: 72.
        let clusters = [cluster("default", 5432, Some(100), 3), cluster("second", 5433, Some(200), 3)];
        let fit = fit(100, &clusters, ONE, 5, ("db", 5432)).unwrap();
        assert_eq!(fit.total, 72);
        let limit = fit.limited_by.unwrap();
        assert_eq!((limit.cluster.as_str(), limit.control_pool, limit.room), ("default", 5, 72));
        // The control database elsewhere: the second cluster's room (157) is not the limit, the
        // first's 77 is.
        assert_eq!(super::fit(100, &clusters, ONE, 5, ("control", 5432)).unwrap().total, 77);
    }

    #[test]
    fn replicas_share_the_room_and_a_smaller_configured_total_stays() {
        let clusters = [cluster("default", 5432, Some(100), 3)];
        let four = ConnectionShare { replicas: 4, percent: 80 };
        // 77 / 4 = 19, less 5: 14.
        assert_eq!(fit(100, &clusters, four, 5, ("db", 5432)).unwrap().total, 14);
        let small = fit(10, &clusters, four, 5, ("db", 5432)).unwrap();
        assert_eq!((small.total, small.limited_by), (10, None));
    }

    #[test]
    fn unknown_limits_are_listed_and_no_room_is_an_error() {
        let clusters = [cluster("new", 5432, None, 0)];
        let fit = fit(100, &clusters, ONE, 5, ("db", 5432)).unwrap();
        assert_eq!((fit.total, fit.unknown), (100, vec!["new".to_owned()]));
        let tiny = [cluster("tiny", 5432, Some(10), 3)];
        let refused = super::fit(100, &tiny, ConnectionShare { replicas: 8, percent: 50 }, 5, ("db", 5432));
        assert!(refused.unwrap_err().contains("cluster tiny: max_connections 10 with 3 reserved"));
    }
}
