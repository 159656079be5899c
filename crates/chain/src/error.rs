//! Errors of the chain side.

use commissary_db::DbError;

pub type ChainResult<T> = Result<T, ChainError>;

#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("chain configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A JSON-RPC call failed (transport, timeout or error response): transient.
    #[error("rpc: {0}")]
    Rpc(String),
    /// The node answered inconsistently (e.g. a reorg during a read): retry.
    #[error("inconsistent chain data: {0}")]
    Inconsistent(String),
    #[error("the node is on chain {actual}, configured {expected}")]
    WrongChain { expected: u64, actual: u64 },
    #[error("signing: {0}")]
    Signer(String),
    #[error("contract call reverted: {0}")]
    Reverted(String),
    #[error("the leader lease was lost")]
    LeaseLost,
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

impl From<alloy::transports::TransportError> for ChainError {
    fn from(error: alloy::transports::TransportError) -> Self {
        Self::Rpc(error.to_string())
    }
}

impl From<alloy::contract::Error> for ChainError {
    fn from(error: alloy::contract::Error) -> Self {
        match error {
            alloy::contract::Error::TransportError(e) => Self::Rpc(e.to_string()),
            other => Self::Other(other.to_string()),
        }
    }
}

impl From<alloy::providers::PendingTransactionError> for ChainError {
    fn from(error: alloy::providers::PendingTransactionError) -> Self {
        Self::Rpc(error.to_string())
    }
}
