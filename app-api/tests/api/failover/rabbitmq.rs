//! RabbitMQ as a cluster of three nodes of the test's own (`rabbitmq-server` processes on free
//! ports of 127.0.0.1, the second and third joining the first by classic peer discovery) behind
//! an app-api replica given the three nodes in `AMQP_URL`. Its relay publishes ticket events to
//! an exchange where a quorum queue of the test is bound, and its order consumer reads its own
//! quorum queue. The node holding the orders queue's leader is killed while tickets are created
//! and orders sent: every ticket's event and every order arrives (at least once: a publish
//! whose confirm was lost with the node is published again).

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use harness::eventually;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions,
    QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Connection, ConnectionProperties, ExchangeKind};
use serde_json::{Value, json};

use super::{Process, free_port};
use crate::tickets::Desk;

/// One node: its name (`name@localhost`), its AMQP port, and its process (none once killed).
struct Node {
    name: String,
    port: u16,
    process: Option<Process>,
}

/// Three nodes forming one cluster, stopped on drop, then their folder removed (the fields drop
/// in this order).
struct RabbitCluster {
    nodes: Vec<Node>,
    dir: tempfile::TempDir,
}

impl RabbitCluster {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // The nodes and rabbitmqctl find the shared Erlang cookie in $HOME.
        let cookie = dir.path().join(".erlang.cookie");
        std::fs::write(&cookie, uuid::Uuid::new_v4().simple().to_string()).unwrap();
        set_owner_only(&cookie);
        std::fs::write(dir.path().join("enabled_plugins"), "[].\n").unwrap();
        std::fs::write(dir.path().join("rabbitmq-env.conf"), "").unwrap();
        let run = uuid::Uuid::new_v4().simple().to_string();
        let names: Vec<String> = (1..=3).map(|i| format!("hdtest-{}-{i}@localhost", &run[..12])).collect();
        let mut nodes: Vec<Node> =
            names.iter().map(|name| Node { name: name.clone(), port: free_port(), process: None }).collect();
        // The first alone, then the two others, which find it up and join it.
        nodes[0].process = Some(spawn_node(dir.path(), &nodes[0], None));
        wait_amqp(nodes[0].port).await;
        for node in &mut nodes[1..] {
            node.process = Some(spawn_node(dir.path(), node, Some(&names[0])));
        }
        for node in &nodes[1..] {
            wait_amqp(node.port).await;
        }
        let cluster = Self { nodes, dir };
        eventually(Duration::from_secs(60), "three nodes in one cluster", || async {
            let status = cluster.ctl(0, &["cluster_status", "--formatter", "json"]).await?;
            let status: Value = serde_json::from_str(&status).ok()?;
            (status["running_nodes"].as_array()?.len() == 3).then_some(())
        })
        .await;
        cluster
    }

    fn url(&self, node: usize) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.nodes[node].port)
    }

    /// `rabbitmqctl -n node …`'s output, or none when it fails (the program itself, not the
    /// wrapper that runs it as the `rabbitmq` user, so that it reads the cookie in $HOME).
    async fn ctl(&self, node: usize, args: &[&str]) -> Option<String> {
        let output = tokio::process::Command::new("/usr/lib/rabbitmq/bin/rabbitmqctl")
            .arg("-n")
            .arg(&self.nodes[node].name)
            .args(args)
            .env("HOME", self.dir.path())
            .env("RABBITMQ_CONF_ENV_FILE", self.dir.path().join("rabbitmq-env.conf"))
            .output()
            .await
            .ok()?;
        output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The index of the node holding the leader of `queue`, asked of `asked`.
    async fn leader(&self, asked: usize, queue: &str) -> Option<usize> {
        let listed = self.ctl(asked, &["list_queues", "name", "leader", "--formatter", "json", "-q"]).await?;
        let queues: Vec<Value> = serde_json::from_str(&listed).ok()?;
        let leader = queues.iter().find(|q| q["name"] == queue)?["leader"].as_str()?.to_owned();
        self.nodes.iter().position(|node| node.name == leader)
    }

    /// Kills the node's server at once, as a machine lost would.
    fn kill(&mut self, node: usize) {
        self.nodes[node].process.take();
    }
}

fn set_owner_only(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o400)).unwrap();
}

/// A node's server, its data and logs under `dir`, no plugin; `join` names the node it joins.
fn spawn_node(dir: &Path, node: &Node, join: Option<&str>) -> Process {
    let short = node.name.split('@').next().unwrap();
    let mut config = String::from("loopback_users = none\n");
    if let Some(first) = join {
        config.push_str("cluster_formation.peer_discovery_backend = classic_config\n");
        config.push_str("cluster_formation.classic_config.nodes.1 = ");
        config.push_str(first);
        config.push('\n');
    }
    let config_file = dir.join(format!("{short}.conf"));
    std::fs::write(&config_file, config).unwrap();
    let env = [
        ("HOME", dir.display().to_string()),
        ("RABBITMQ_NODENAME", node.name.clone()),
        ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1".to_owned()),
        ("RABBITMQ_NODE_PORT", node.port.to_string()),
        ("RABBITMQ_DIST_PORT", free_port().to_string()),
        ("RABBITMQ_CONFIG_FILE", config_file.display().to_string()),
        ("RABBITMQ_CONF_ENV_FILE", dir.join("rabbitmq-env.conf").display().to_string()),
        ("RABBITMQ_ENABLED_PLUGINS_FILE", dir.join("enabled_plugins").display().to_string()),
        ("RABBITMQ_MNESIA_BASE", dir.join("mnesia").display().to_string()),
        ("RABBITMQ_LOG_BASE", dir.join(format!("log-{short}")).display().to_string()),
        ("RABBITMQ_PID_FILE", dir.join(format!("{short}.pid")).display().to_string()),
        ("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}".to_owned()),
        // The server replaces the script (exec), so killing the process kills the node.
        ("RUNNING_UNDER_SYSTEMD", "true".to_owned()),
    ];
    Process::spawn_with_env(short, "/usr/lib/rabbitmq/bin/rabbitmq-server", &[], &env)
}

/// Waits until the node at `port` takes AMQP connections (its boot's last step).
async fn wait_amqp(port: u16) {
    let url = format!("amqp://guest:guest@127.0.0.1:{port}/%2f");
    eventually(Duration::from_secs(60), &format!("the node on port {port} answers"), || async {
        let connection = Connection::connect(&url, ConnectionProperties::default()).await.ok()?;
        let _ = connection.close(200, "bye".into()).await;
        Some(())
    })
    .await;
}

/// Publishes `body` with `routing_key` to `exchange` through `connection`, until confirmed.
async fn publish_confirmed(connection: &Connection, exchange: &str, routing_key: &str, body: &Value) {
    let payload = serde_json::to_vec(body).unwrap();
    eventually(Duration::from_secs(30), "the order is confirmed", || async {
        let channel = connection.create_channel().await.ok()?;
        channel.confirm_select(ConfirmSelectOptions::default()).await.ok()?;
        let properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
            .with_message_id(uuid::Uuid::new_v4().to_string().into());
        let confirm = channel
            .basic_publish(exchange.into(), routing_key.into(), BasicPublishOptions::default(), &payload, properties)
            .await
            .ok()?
            .await
            .ok()?;
        let _ = channel.close(200, "bye".into()).await;
        confirm.is_ack().then_some(())
    })
    .await;
}

fn quorum() -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert("x-queue-type".into(), AMQPValue::LongString("quorum".into()));
    arguments
}

#[tokio::test]
#[allow(clippy::too_many_lines, reason = "one scenario read in order")]
async fn when_the_node_holding_the_queue_leaders_dies_no_event_or_order_is_lost() {
    let mut cluster = RabbitCluster::start().await;
    let (exchange, orders_exchange, orders_queue) = ("sav_exchange.ha", "orders_exchange.ha", "app-api.orders.ha");
    let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
    // The tap's queue, declared through the first node: its leader is there.
    {
        let first = Connection::connect(&cluster.url(0), ConnectionProperties::default()).await.unwrap();
        let channel = first.create_channel().await.unwrap();
        for name in [exchange, orders_exchange] {
            channel.exchange_declare(name.into(), ExchangeKind::Topic, durable, FieldTable::default()).await.unwrap();
        }
        let options = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
        channel.queue_declare("tap.ha".into(), options, quorum()).await.unwrap();
        crate::events::bind_everything(&channel, "tap.ha", exchange).await;
        let _ = first.close(200, "bye".into()).await;
    }
    // The orders service and the tap's reader reach the cluster through the third node.
    let outside = Connection::connect(&cluster.url(2), ConnectionProperties::default()).await.unwrap();
    let reader = outside.create_channel().await.unwrap();
    let mut tap = reader
        .basic_consume("tap.ha".into(), "".into(), BasicConsumeOptions::default(), FieldTable::default())
        .await
        .unwrap();
    let created = std::sync::Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let sink = std::sync::Arc::clone(&created);
    let tapping = tokio::spawn(async move {
        while let Some(Ok(delivery)) = tap.next().await {
            let body: Value = serde_json::from_slice(&delivery.data).unwrap_or_default();
            if body["event"] == "TicketCreated"
                && let Some(ticket) = body["data"]["ticket_id"].as_i64()
            {
                sink.lock().unwrap().push(ticket);
            }
            let _ = delivery.acker.ack(BasicAckOptions::default()).await;
        }
    });

    let nodes = (0..3).map(|i| cluster.url(i)).collect::<Vec<_>>().join(",");
    let desk = Desk::open_with(|c| {
        c.amqp_url = Some(crate::helpers::url(&nodes));
        c.events.exchange = exchange.to_owned();
        c.events.consumer_in_serve = true;
        c.events.orders_exchange = orders_exchange.to_owned();
        c.events.orders_queue = orders_queue.to_owned();
    })
    .await;
    let customer = desk.member("customer").await;
    let slug = json!({ "slug": desk.org.slug });
    let order = |id: i64| {
        json!({ "event": "order.created", "tenant": slug, "data":
            { "order_id": id, "user_id": customer.id, "total": 10.0, "currency": "EUR", "status": "paid" } })
    };
    let (mut tickets, mut orders) = (Vec::new(), Vec::new());
    for i in 0..5 {
        tickets.push(
            desk.create(&customer, json!({ "subject": "Parcel", "description": "Late" })).await["id"].as_i64().unwrap(),
        );
        publish_confirmed(&outside, orders_exchange, "order.created", &order(7_000 + i)).await;
        orders.push(7_000 + i);
    }
    let leader = eventually(Duration::from_secs(30), "the orders queue's leader", || async {
        cluster.leader(2, orders_queue).await
    })
    .await;
    assert_ne!(leader, 2, "the orders queue was declared through the first node the replica reached");
    let tap_leader = cluster.leader(2, "tap.ha").await;
    assert_eq!(tap_leader, Some(leader), "both queues' leaders are on the node the test kills");

    let killed_at = Instant::now();
    cluster.kill(leader);
    for i in 5..15 {
        let body = json!({ "subject": "Parcel", "description": "Late" });
        let created = eventually(Duration::from_secs(30), "a ticket is created", || async {
            let answer = desk.post(&customer, "/v1/tickets", &body).await;
            (answer.status == 201).then(|| answer.json()["id"].as_i64().unwrap())
        })
        .await;
        tickets.push(created);
        publish_confirmed(&outside, orders_exchange, "order.created", &order(7_000 + i)).await;
        orders.push(7_000 + i);
    }

    // Every ticket's event reached the tap, and every order was applied.
    let wanted: HashSet<i64> = tickets.iter().copied().collect();
    eventually(Duration::from_secs(60), "every ticket's event arrives", || async {
        let arrived: HashSet<i64> = created.lock().unwrap().iter().copied().collect();
        wanted.is_subset(&arrived).then_some(())
    })
    .await;
    let db = &desk.db.pool;
    eventually(Duration::from_secs(60), "every order is applied", || async {
        let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM order_refs WHERE order_id = ANY($1)")
            .bind(&orders)
            .fetch_one(db)
            .await
            .ok()?;
        (applied == i64::try_from(orders.len()).unwrap()).then_some(())
    })
    .await;
    let arrivals = created.lock().unwrap().len();
    let broker = desk.app.state.broker.clone().expect("a broker is configured");
    let moved_to = broker.connected_node().await;
    assert!(moved_to.is_some() && moved_to != Some(leader), "the replica is on a live node: {moved_to:?}");
    let new_leader = cluster.leader(2, orders_queue).await;
    assert!(new_leader.is_some() && new_leader != Some(leader), "a live node leads the orders queue: {new_leader:?}");
    eprintln!(
        "node {leader} killed: {} tickets and {} orders, all arrived {:.1} s after the kill; {} event deliveries for {} \
         tickets (repeats: {}); the replica is on node {moved_to:?}",
        tickets.len(),
        orders.len(),
        killed_at.elapsed().as_secs_f64(),
        arrivals,
        tickets.len(),
        arrivals - wanted.len(),
    );
    tapping.abort();
    drop(desk);
    let _ = outside.close(200, "bye".into()).await;
}
