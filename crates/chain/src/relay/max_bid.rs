//! Maximum bids on the chain side: the `MaxBid` and `MaxBidRevocation` documents a wallet
//! signs, the authorization's digest (its identity on chain), the facts the domain's
//! checks need (`commissary_domain::max_bid::check`), and the calldata of the relayer's
//! calls (`bidByMaxBid[WithPermit]`, `resolveMaxBids`, `revokeMaxBidBySig`).

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::sol_types::{SolCall, SolStruct};
use serde_json::{Value, json};

use commissary_domain::AuctionId;
use commissary_domain::max_bid::{MaxBidFacts, SignedMaxBid};

use super::{RelayClient, SignedPermit, permit_arg, recover, typed_document, u256_text};
use crate::bindings::CommissaryAuction::{
    bidByMaxBidCall, bidByMaxBidWithPermitCall, resolveMaxBidsCall, revokeMaxBidBySigCall,
};
use crate::bindings::ICommissaryAuction;
use crate::error::ChainResult;

alloy::sol! {
    /// What a bidder signs to revoke an authorization (`MAX_BID_REVOCATION_TYPEHASH`).
    struct MaxBidRevocation {
        address bidder;
        bytes32 maxBidHash;
    }
}

/// An authorization signed by its bidder, as the contract's entry points take it.
#[derive(Debug, Clone)]
pub struct SignedAuthorization {
    pub max_bid: ICommissaryAuction::MaxBid,
    /// 65 bytes: r || s || v.
    pub signature: Vec<u8>,
}

impl RelayClient {
    /// The EIP-712 `MaxBid` as `eth_signTypedData_v4` takes it.
    pub async fn max_bid_typed_data(&self, max_bid: &ICommissaryAuction::MaxBid) -> ChainResult<Value> {
        let domain = self.auction_domain().await?;
        Ok(typed_document(
            &domain,
            "MaxBid",
            &[
                ("bidder", "address"),
                ("auctionId", "uint256"),
                ("maxAmount", "uint96"),
                ("salt", "uint256"),
                ("deadline", "uint256"),
            ],
            json!({
                "bidder": max_bid.bidder.to_checksum(None),
                "auctionId": u256_text(max_bid.auctionId),
                "maxAmount": max_bid.maxAmount.to_string(),
                "salt": u256_text(max_bid.salt),
                "deadline": u256_text(max_bid.deadline),
            }),
        ))
    }

    /// The EIP-712 `MaxBidRevocation` of `hash` by `bidder`.
    pub async fn revocation_typed_data(&self, bidder: Address, hash: B256) -> ChainResult<Value> {
        let domain = self.auction_domain().await?;
        Ok(typed_document(
            &domain,
            "MaxBidRevocation",
            &[("bidder", "address"), ("maxBidHash", "bytes32")],
            json!({ "bidder": bidder.to_checksum(None), "maxBidHash": format!("{hash:#x}") }),
        ))
    }

    /// The authorization's EIP-712 digest (the contract's `hashMaxBid`).
    pub async fn max_bid_hash(&self, max_bid: &ICommissaryAuction::MaxBid) -> ChainResult<B256> {
        Ok(max_bid.eip712_signing_hash(&self.auction_domain().await?))
    }

    /// The facts the domain's checks need about a signed authorization (and its permit),
    /// with its digest.
    pub async fn max_bid_facts(
        &self,
        authorization: &SignedAuthorization,
        permit: Option<&SignedPermit>,
    ) -> ChainResult<(MaxBidFacts, B256)> {
        let max_bid = &authorization.max_bid;
        let auction_id = crate::contract::auction_id(max_bid.auctionId)?;
        let (quote, hash) = tokio::try_join!(self.quote(auction_id, max_bid.bidder), self.max_bid_hash(max_bid))?;
        let permit = match permit {
            Some(p) => Some(self.permit_facts(max_bid.bidder, p, quote.permit_nonce).await?),
            None => None,
        };
        let facts = MaxBidFacts {
            chain_time: quote.chain_time,
            auction: quote.auction,
            signed_by_bidder: recover(&authorization.signature, &hash) == Some(max_bid.bidder),
            balance: quote.balance,
            allowance: quote.allowance,
            permit,
        };
        Ok((facts, hash))
    }

    /// Whether `signature` is `bidder`'s revocation of `hash`.
    pub async fn revocation_signed(&self, bidder: Address, hash: B256, signature: &[u8]) -> ChainResult<bool> {
        let document = MaxBidRevocation { bidder, maxBidHash: hash };
        let digest = document.eip712_signing_hash(&self.auction_domain().await?);
        Ok(recover(signature, &digest) == Some(bidder))
    }
}

/// The `MaxBid` struct the member signs.
pub fn max_bid_struct(bidder: Address, auction_id: AuctionId, signed: &SignedMaxBid) -> ICommissaryAuction::MaxBid {
    ICommissaryAuction::MaxBid {
        bidder,
        auctionId: U256::from(auction_id.get()),
        maxAmount: alloy::primitives::Uint::<96, 2>::from(signed.max_amount.as_u128()),
        salt: signed.salt,
        deadline: U256::from(signed.deadline),
    }
}

/// `bidByMaxBidWithPermit` when a permit is attached (its failure is ignored by the
/// contract), otherwise `bidByMaxBid`: a bid at exactly the minimum next bid.
pub fn bid_calldata(authorization: &SignedAuthorization, permit: Option<&SignedPermit>) -> ChainResult<Vec<u8>> {
    let (max_bid, signature) = (authorization.max_bid.clone(), Bytes::copy_from_slice(&authorization.signature));
    Ok(match permit {
        None => bidByMaxBidCall { maxBid: max_bid, signature }.abi_encode(),
        Some(p) => bidByMaxBidWithPermitCall { maxBid: max_bid, signature, permit: permit_arg(p)? }.abi_encode(),
    })
}

/// `resolveMaxBids(first, second)`: the higher maximum leads at the other's plus one
/// increment, in one transaction.
pub fn resolve_calldata(first: &SignedAuthorization, second: &SignedAuthorization) -> Vec<u8> {
    resolveMaxBidsCall {
        first: first.max_bid.clone(),
        firstSignature: Bytes::copy_from_slice(&first.signature),
        second: second.max_bid.clone(),
        secondSignature: Bytes::copy_from_slice(&second.signature),
    }
    .abi_encode()
}

/// `revokeMaxBidBySig(bidder, hash, signature)`.
pub fn revoke_calldata(bidder: Address, hash: B256, signature: &[u8]) -> Vec<u8> {
    revokeMaxBidBySigCall { bidder, maxBidHash: hash, signature: Bytes::copy_from_slice(signature) }.abi_encode()
}
