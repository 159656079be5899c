//! What the API needs of the chain to relay a member's signed bid: the facts the
//! domain's checks (`commissary_domain::relay::check`) decide on, the EIP-712 documents a
//! wallet signs (`eth_signTypedData_v4`), the exact call the relayer will make and its
//! simulation against the pending block. Nothing here sends a transaction: the API
//! records an intent of the relayer's account and the worker's relayer sender sends it.

use std::time::Duration;

use alloy::eips::BlockId;
use alloy::primitives::{Address, B256, Bytes, Signature, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::{Eip712Domain, SolCall, SolStruct};
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use commissary_domain::relay::{BidFacts, ChainAuction, PermitFacts, SignedBid};
use commissary_domain::{AuctionId, TokenAmount};

use crate::bindings::CommissaryAuction::{self, bidBySigCall, bidBySigWithPermitCall};
use crate::bindings::{AmpledToken, ICommissaryAuction};
use crate::config::ChainConfig;
use crate::contract::revert_of;
use crate::error::{ChainError, ChainResult};
use crate::rpc::{Rpc, hex_address};

pub mod max_bid;

alloy::sol! {
    /// EIP-2612's permit as the token hashes it.
    struct Permit {
        address owner;
        address spender;
        uint256 value;
        uint256 nonce;
        uint256 deadline;
    }
}

/// A permit attached to a relayed bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPermit {
    pub value: U256,
    pub deadline: u64,
    /// 65 bytes: r || s || v.
    pub signature: Vec<u8>,
}

/// Everything a quote shows.
#[derive(Debug, Clone)]
pub struct Quote {
    pub chain_time: u64,
    pub auction: Option<ChainAuction>,
    pub nonce: U256,
    pub balance: U256,
    pub allowance: U256,
    pub permit_nonce: U256,
}

/// Why a simulation says the call would fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The contract error's name (e.g. `BidTooLow`), or `reverted: …`.
    pub reason: String,
}

/// The chain side of relaying bids, for the API.
pub struct RelayClient {
    rpc: Rpc,
    chain_id: u64,
    auction: Address,
    token: Address,
    /// The relayer's account, when a relayer key is configured.
    relayer: Option<Address>,
    auction_domain: OnceCell<Eip712Domain>,
    token_domain: OnceCell<Eip712Domain>,
}

impl std::fmt::Debug for RelayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayClient").field("relayer", &self.relayer).finish_non_exhaustive()
    }
}

fn u256_text(value: U256) -> String {
    value.to_string()
}

fn domain_json(domain: &Eip712Domain) -> Value {
    json!({
        "name": domain.name.as_deref().unwrap_or_default(),
        "version": domain.version.as_deref().unwrap_or_default(),
        "chainId": domain.chain_id.map(|c| c.to::<u64>()).unwrap_or_default(),
        "verifyingContract": domain.verifying_contract.map(|a| a.to_checksum(None)).unwrap_or_default(),
    })
}

fn eip712_domain_type() -> Value {
    json!([
        { "name": "name", "type": "string" },
        { "name": "version", "type": "string" },
        { "name": "chainId", "type": "uint256" },
        { "name": "verifyingContract", "type": "address" },
    ])
}

/// An EIP-712 document as `eth_signTypedData_v4` takes it: `fields` are the primary
/// type's `(name, type)` in order.
fn typed_document(domain: &Eip712Domain, primary: &str, fields: &[(&str, &str)], message: Value) -> Value {
    let fields: Vec<Value> = fields.iter().map(|(name, kind)| json!({ "name": name, "type": kind })).collect();
    json!({
        "domain": domain_json(domain),
        "types": { "EIP712Domain": eip712_domain_type(), primary: fields },
        "primaryType": primary,
        "message": message,
    })
}

/// The signer of `digest`, if `signature` is a valid 65-byte ECDSA signature (low `s`,
/// as the contract's `ECDSA` library requires).
fn recover(signature: &[u8], digest: &B256) -> Option<Address> {
    let signature = Signature::try_from(signature).ok()?;
    if signature.normalize_s().is_some() {
        return None;
    }
    signature.recover_address_from_prehash(digest).ok()
}

/// A permit as the contract's entry points take it.
fn permit_arg(permit: &SignedPermit) -> ChainResult<ICommissaryAuction::Permit> {
    let (v, r, s) = split_signature(&permit.signature)
        .ok_or_else(|| ChainError::Other("the permit signature is not 65 bytes".into()))?;
    Ok(ICommissaryAuction::Permit { value: permit.value, deadline: U256::from(permit.deadline), v, r, s })
}

fn split_signature(signature: &[u8]) -> Option<(u8, B256, B256)> {
    if signature.len() != 65 {
        return None;
    }
    let v = match signature[64] {
        v @ (27 | 28) => v,
        v @ (0 | 1) => v + 27,
        _ => return None,
    };
    Some((v, B256::from_slice(&signature[..32]), B256::from_slice(&signature[32..64])))
}

impl RelayClient {
    /// A client for `config`'s contracts; `relayer` is the relayer's address, if any.
    pub fn new(config: &ChainConfig, relayer: Option<Address>) -> ChainResult<Self> {
        let urls: Vec<String> =
            std::iter::once(config.rpc_url.clone()).chain(config.fallback_rpc_urls.iter().cloned()).collect();
        Ok(Self {
            rpc: Rpc::new(&urls, config.rpc_timeout.min(Duration::from_secs(10)))?,
            chain_id: config.chain_id,
            auction: config.auction_address,
            token: config.token_address,
            relayer,
            auction_domain: OnceCell::new(),
            token_domain: OnceCell::new(),
        })
    }

    pub fn relayer(&self) -> Option<Address> {
        self.relayer
    }

    pub fn auction_address(&self) -> Address {
        self.auction
    }

    /// A contract's EIP-712 domain as it reports it (ERC-5267), read once.
    async fn domain_of(&self, cell: &OnceCell<Eip712Domain>, contract: Address) -> ChainResult<Eip712Domain> {
        let domain = cell
            .get_or_try_init(|| async {
                let provider = self.rpc.get();
                let d = AmpledToken::new(contract, provider).eip712Domain().call().await?;
                Ok::<_, ChainError>(Eip712Domain::new(
                    Some(d.name.into()),
                    Some(d.version.into()),
                    Some(d.chainId),
                    Some(d.verifyingContract),
                    None,
                ))
            })
            .await?;
        Ok(domain.clone())
    }

    async fn auction_domain(&self) -> ChainResult<Eip712Domain> {
        self.domain_of(&self.auction_domain, self.auction).await
    }

    async fn token_domain(&self) -> ChainResult<Eip712Domain> {
        self.domain_of(&self.token_domain, self.token).await
    }

    /// The chain's view of the auction and the bidder at the latest block.
    pub async fn quote(&self, auction_id: AuctionId, bidder: Address) -> ChainResult<Quote> {
        let provider = self.rpc.get();
        let auction = CommissaryAuction::new(self.auction, provider);
        let token = AmpledToken::new(self.token, provider);
        let id = U256::from(auction_id.get());
        let get_auction = auction.getAuction(id);
        let nonces = auction.nonces(bidder);
        let balance = token.balanceOf(bidder);
        let allowance = token.allowance(bidder, self.auction);
        let permit_nonce = token.nonces(bidder);
        let (block, on_chain, nonce, balance, allowance, permit_nonce) = tokio::try_join!(
            self.rpc.latest_block(),
            async { get_auction.call().await.map_err(ChainError::from) },
            async { nonces.call().await.map_err(ChainError::from) },
            async { balance.call().await.map_err(ChainError::from) },
            async { allowance.call().await.map_err(ChainError::from) },
            async { permit_nonce.call().await.map_err(ChainError::from) },
        )?;
        Ok(Quote {
            chain_time: block.timestamp,
            auction: chain_auction(&on_chain),
            nonce,
            balance,
            allowance,
            permit_nonce,
        })
    }

    /// The EIP-712 `Bid` as `eth_signTypedData_v4` takes it.
    pub async fn bid_typed_data(&self, bid: &ICommissaryAuction::Bid) -> ChainResult<Value> {
        let domain = self.auction_domain().await?;
        Ok(typed_document(
            &domain,
            "Bid",
            &[
                ("bidder", "address"),
                ("auctionId", "uint256"),
                ("amount", "uint96"),
                ("nonce", "uint256"),
                ("deadline", "uint256"),
            ],
            json!({
                "bidder": bid.bidder.to_checksum(None),
                "auctionId": u256_text(bid.auctionId),
                "amount": bid.amount.to_string(),
                "nonce": u256_text(bid.nonce),
                "deadline": u256_text(bid.deadline),
            }),
        ))
    }

    /// The token's EIP-2612 `Permit` for the auction contract as spender.
    pub async fn permit_typed_data(
        &self,
        owner: Address,
        value: U256,
        nonce: U256,
        deadline: u64,
    ) -> ChainResult<Value> {
        let domain = self.token_domain().await?;
        Ok(typed_document(
            &domain,
            "Permit",
            &[
                ("owner", "address"),
                ("spender", "address"),
                ("value", "uint256"),
                ("nonce", "uint256"),
                ("deadline", "uint256"),
            ],
            json!({
                "owner": owner.to_checksum(None),
                "spender": self.auction.to_checksum(None),
                "value": u256_text(value),
                "nonce": u256_text(nonce),
                "deadline": deadline.to_string(),
            }),
        ))
    }

    /// Whether `permit` is the bidder's signature of the token's permit for this contract at
    /// the token's current `permit_nonce`.
    async fn permit_facts(
        &self,
        owner: Address,
        permit: &SignedPermit,
        permit_nonce: U256,
    ) -> ChainResult<PermitFacts> {
        let token_domain = self.token_domain().await?;
        let document = Permit {
            owner,
            spender: self.auction,
            value: permit.value,
            nonce: permit_nonce,
            deadline: U256::from(permit.deadline),
        };
        Ok(PermitFacts {
            value: permit.value,
            deadline: permit.deadline,
            signed_by_bidder: recover(&permit.signature, &document.eip712_signing_hash(&token_domain)) == Some(owner),
        })
    }

    /// The facts the domain's checks need about a signed bid (and its permit).
    pub async fn facts(
        &self,
        bid: &ICommissaryAuction::Bid,
        signature: &[u8],
        permit: Option<&SignedPermit>,
    ) -> ChainResult<BidFacts> {
        let auction_id = crate::contract::auction_id(bid.auctionId)?;
        let (quote, auction_domain) = tokio::try_join!(self.quote(auction_id, bid.bidder), self.auction_domain())?;
        let signed_by_bidder = recover(signature, &bid.eip712_signing_hash(&auction_domain)) == Some(bid.bidder);
        let permit = match permit {
            Some(p) => Some(self.permit_facts(bid.bidder, p, quote.permit_nonce).await?),
            None => None,
        };
        Ok(BidFacts {
            chain_time: quote.chain_time,
            auction: quote.auction,
            nonce: quote.nonce,
            signed_by_bidder,
            balance: quote.balance,
            allowance: quote.allowance,
            permit,
        })
    }

    /// The calldata of the relayer's call: `bidBySigWithPermit` when a permit is attached
    /// (the contract ignores a permit that fails, e.g. one front-run by someone else),
    /// otherwise `bidBySig`.
    pub fn calldata(
        &self,
        bid: &ICommissaryAuction::Bid,
        signature: &[u8],
        permit: Option<&SignedPermit>,
    ) -> ChainResult<Vec<u8>> {
        let signature = Bytes::copy_from_slice(signature);
        Ok(match permit {
            None => bidBySigCall { signedBid: bid.clone(), signature }.abi_encode(),
            Some(p) => {
                bidBySigWithPermitCall { signedBid: bid.clone(), signature, permit: permit_arg(p)? }.abi_encode()
            }
        })
    }

    /// Simulates the relayer's call against the pending block (`eth_call`) and estimates
    /// its gas; `Err(Rejected)` when it would revert.
    pub async fn simulate(&self, calldata: &[u8]) -> ChainResult<Result<u64, Rejected>> {
        let relayer = self.relayer.ok_or_else(|| ChainError::Config("no relayer key configured".into()))?;
        let request =
            TransactionRequest::default().from(relayer).to(self.auction).input(Bytes::copy_from_slice(calldata).into());
        let provider = self.rpc.get();
        if let Err(error) = provider.call(request.clone()).block(BlockId::pending()).await {
            return match revert_of(&error) {
                Some(revert) => Ok(Err(Rejected { reason: revert.reason })),
                None => Err(error.into()),
            };
        }
        match provider.estimate_gas(request).block(BlockId::pending()).await {
            Ok(gas) => Ok(Ok(gas)),
            Err(error) => match revert_of(&error) {
                Some(revert) => Ok(Err(Rejected { reason: revert.reason })),
                None => Err(error.into()),
            },
        }
    }

    /// The relayer's ETH balance (wei).
    pub async fn relayer_balance(&self) -> ChainResult<Option<U256>> {
        match self.relayer {
            Some(relayer) => Ok(Some(self.rpc.get().get_balance(relayer).await?)),
            None => Ok(None),
        }
    }

    /// The contract's `credits(member)`: refunds credited and not withdrawn.
    pub async fn credits(&self, member: Address) -> ChainResult<U256> {
        Ok(CommissaryAuction::new(self.auction, self.rpc.get()).credits(member).call().await?)
    }

    /// The relayer's sender address as intents record it, and the contract it calls.
    pub fn intent_addresses(&self) -> Option<(String, String)> {
        self.relayer.map(|r| (hex_address(&r), hex_address(&self.auction)))
    }

    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }
}

/// The `Bid` struct the member signs.
pub fn bid_struct(bidder: Address, auction_id: AuctionId, bid: &SignedBid) -> ICommissaryAuction::Bid {
    ICommissaryAuction::Bid {
        bidder,
        auctionId: U256::from(auction_id.get()),
        amount: alloy::primitives::Uint::<96, 2>::from(bid.amount.as_u128()),
        nonce: bid.nonce,
        deadline: U256::from(bid.deadline),
    }
}

/// The domain's view of `getAuction`'s answer (`None`: no such auction).
fn chain_auction(a: &ICommissaryAuction::Auction) -> Option<ChainAuction> {
    if a.status == 0 {
        return None;
    }
    let reserve = TokenAmount::from_u128(a.reservePrice.to::<u128>()).ok()?;
    let highest =
        (!a.highestBidder.is_zero()).then(|| TokenAmount::from_u128(a.highestBid.to::<u128>()).ok()).flatten();
    Some(ChainAuction {
        open: a.status == 1,
        start_time: a.startTime.to::<u64>(),
        end_time: a.endTime.to::<u64>(),
        min_next_bid: commissary_domain::min_next_bid(reserve, highest, a.minIncrementBps),
        highest_bidder: highest.map(|_| crate::to_domain_address(a.highestBidder)),
        highest_bid: highest.map_or(U256::ZERO, |h| h.as_u256()),
    })
}

#[cfg(test)]
mod tests {
    use alloy::signers::SignerSync;
    use alloy::signers::local::PrivateKeySigner;

    use super::*;

    #[test]
    fn signatures_recover_and_split() {
        let key: PrivateKeySigner =
            "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d".parse().expect("key");
        let digest = B256::repeat_byte(7);
        let signature = key.sign_hash_sync(&digest).expect("sign").as_bytes();
        assert_eq!(recover(&signature, &digest), Some(key.address()));
        assert_eq!(recover(&signature[..64], &digest), None);
        assert_ne!(recover(&signature, &B256::repeat_byte(8)), Some(key.address()));
        let (v, r, s) = split_signature(&signature).expect("65 bytes");
        assert!(v == 27 || v == 28);
        assert_eq!(r.as_slice(), &signature[..32]);
        assert_eq!(s.as_slice(), &signature[32..64]);
    }
}
