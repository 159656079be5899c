// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title AmpledToken
/// @author Ampled music co-op
/// @notice Development $AMPLED: a plain ERC-20 (18 decimals) with EIP-2612 permit. Only accounts with
///         `MINTER_ROLE` can mint. Production may use an existing $AMPLED instead; the auction works with
///         any standard ERC-20.
contract AmpledToken is ERC20, ERC20Permit, AccessControl {
    /// @notice `keccak256("MINTER_ROLE")`: may mint new tokens.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param admin Receives DEFAULT_ADMIN_ROLE and MINTER_ROLE.
    constructor(address admin) ERC20("Ampled", "AMPLED") ERC20Permit("Ampled") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @notice Mints `amount` tokens to `to`. Only `MINTER_ROLE`.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }
}
