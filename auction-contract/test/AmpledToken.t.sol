// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AmpledToken} from "../src/AmpledToken.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";

contract AmpledTokenTest is AuctionFixture {
    function test_metadata() public view {
        assertEq(token.name(), "Ampled");
        assertEq(token.symbol(), "AMPLED");
        assertEq(token.decimals(), 18);
    }

    function test_constructor_grantsAdminAndMinter() public view {
        assertTrue(token.hasRole(0x00, admin));
        assertTrue(token.hasRole(token.MINTER_ROLE(), admin));
        assertEq(token.MINTER_ROLE(), keccak256("MINTER_ROLE"));
    }

    function test_mint_onlyMinterRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, token.MINTER_ROLE())
        );
        vm.prank(alice);
        token.mint(alice, 1);

        bytes32 minterRole = token.MINTER_ROLE();
        vm.prank(admin);
        token.grantRole(minterRole, bob);
        uint256 supply = token.totalSupply();
        vm.prank(bob);
        token.mint(carol, 5e18);
        assertEq(token.totalSupply(), supply + 5e18);
    }

    function test_permit_setsAllowance() public {
        (address owner, uint256 pk) = makeAddrAndKey("owner");
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, bob, 7e18, 0, deadline));
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(pk, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        token.permit(owner, bob, 7e18, deadline, v, r, s);
        assertEq(token.allowance(owner, bob), 7e18);
        assertEq(token.nonces(owner), 1);
    }

    function testFuzz_mint_increasesBalanceAndSupply(address to, uint128 amount) public {
        vm.assume(to != address(0));
        AmpledToken fresh = new AmpledToken(admin);
        vm.prank(admin);
        fresh.mint(to, amount);
        assertEq(fresh.balanceOf(to), amount);
        assertEq(fresh.totalSupply(), amount);
    }
}
