//! `ds_testkit::kafka` against the real tansu broker: a topic made here
//! holds what a producer wrote, also after the broker was SIGKILLed and
//! restarted on the same port and storage (what the nvmsgbroker restart
//! tests rely on).
use ds_testkit::kafka::Broker;
use rskafka::client::partition::{Compression, UnknownTopicHandling};
use rskafka::client::ClientBuilder;
use rskafka::record::Record;
use std::collections::BTreeMap;

fn produce(broker: &Broker, topic: &str, values: &[&str]) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = ClientBuilder::new(vec![format!("127.0.0.1:{}", broker.port)])
            .build()
            .await
            .unwrap();
        let pc = c
            .partition_client(topic, 0, UnknownTopicHandling::Error)
            .await
            .unwrap();
        let records = values
            .iter()
            .map(|v| Record {
                key: Some(b"k".to_vec()),
                value: Some(v.as_bytes().to_vec()),
                headers: BTreeMap::new(),
                timestamp: chrono::Utc::now(),
            })
            .collect();
        pc.produce(records, Compression::NoCompression)
            .await
            .unwrap();
    });
}

#[test]
fn topic_survives_sigkill_and_restart() {
    let mut broker = Broker::start();
    broker.create_topic("kit", 1);
    assert!(broker.consume("kit").is_empty(), "a new topic is empty");
    produce(&broker, "kit", &["a", "b", "c"]);
    let values =
        |b: &Broker| -> Vec<String> { b.consume("kit").into_iter().map(|r| r.value).collect() };
    assert_eq!(values(&broker), ["a", "b", "c"]);
    broker.kill();
    broker.restart();
    assert_eq!(values(&broker), ["a", "b", "c"], "kept across SIGKILL");
    produce(&broker, "kit", &["d"]);
    let got = broker.consume("kit");
    assert_eq!(
        got.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c", "d"]
    );
    assert!(got
        .iter()
        .all(|r| r.key.as_deref() == Some("k") && r.partition == 0));
}
