//! The testkit itself: anvil spawns, deploys, keeps its chain across stop/restart.
#![allow(clippy::unwrap_used)]

use alloy::primitives::U256;
use commissary_chain::testkit::{ANVIL_KEYS, Anvil};

#[tokio::test]
async fn anvil_deploys_and_keeps_state_across_restart() {
    let mut anvil = Anvil::spawn().await;
    let (deployment, _config) = anvil.deploy().await;
    assert!(deployment.deployment_block >= 2);
    anvil.fund(&deployment, ANVIL_KEYS[1], U256::from(10u128.pow(20))).await;
    let before = anvil.block_number().await;
    let block: serde_json::Value =
        anvil.rpc("eth_getBlockByNumber", serde_json::json!([format!("{before:#x}"), false])).await;
    anvil.stop().await;
    assert!(anvil.try_rpc::<serde_json::Value>("eth_blockNumber", serde_json::json!([])).await.is_err());
    anvil.restart().await;
    assert_eq!(anvil.block_number().await, before);
    let again: serde_json::Value =
        anvil.rpc("eth_getBlockByNumber", serde_json::json!([format!("{before:#x}"), false])).await;
    assert_eq!(block["hash"], again["hash"], "block hashes survive a restart");
    let logs: serde_json::Value = anvil
        .rpc("eth_getLogs", serde_json::json!([{"fromBlock": "0x0", "toBlock": "latest", "address": format!("{:#x}", deployment.auction)}]))
        .await;
    assert!(!logs.as_array().expect("logs").is_empty(), "logs survive a restart");
    assert_eq!(anvil.auction_count(&deployment).await, 0);
}
