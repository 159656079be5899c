// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @notice Plain mintable ERC-20 base for the test tokens.
contract MintableERC20 is ERC20 {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice Takes a 1% fee on every transfer between accounts (the recipient gets 99%).
contract FeeOnTransferToken is MintableERC20 {
    constructor() MintableERC20("Fee", "FEE") {}

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @notice A token that can refuse transfers *to* chosen accounts (think of a blocklist), in one of
///         several hostile ways, to exercise the auction's refund fallback. Supports EIP-2612 permits.
contract HostileToken is MintableERC20, ERC20Permit {
    enum Mode {
        Revert, // revert
        ReturnFalse, // return false, move nothing
        BurnAllGas, // spin until out of gas
        ReturnBomb, // succeed at the EVM level but return 8 KiB of zeros (ABI "false" + junk)
        ReturnShort // return a single byte
    }

    Mode public mode;
    mapping(address account => bool) public blocked;

    constructor() MintableERC20("Hostile", "HOST") ERC20Permit("Hostile") {}

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (blocked[to]) _refuse();
        return super.transfer(to, value);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (blocked[to]) _refuse();
        return super.transferFrom(from, to, value);
    }

    function _refuse() private view {
        Mode m = mode;
        if (m == Mode.Revert) revert("blocked");
        if (m == Mode.ReturnFalse) {
            assembly ("memory-safe") {
                mstore(0x00, 0)
                return(0x00, 0x20)
            }
        }
        if (m == Mode.BurnAllGas) {
            while (true) {}
        }
        if (m == Mode.ReturnBomb) {
            assembly {
                return(0x00, 0x2000)
            }
        }
        assembly ("memory-safe") {
            mstore(0x00, 0)
            mstore8(0x00, 1)
            return(0x00, 0x01)
        }
    }
}

/// @notice USDT-style token: `transfer`/`transferFrom`/`approve` return nothing.
contract NoReturnToken {
    string public constant name = "NoReturn";
    string public constant symbol = "NORET";
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        totalSupply += amount;
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }

    function transfer(address to, uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
    }

    function transferFrom(address from, address to, uint256 amount) external {
        if (allowance[from][msg.sender] != type(uint256).max) allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }
}

/// @notice ERC-777-like token with one-shot hooks: `pullHook` runs inside `transferFrom` (before the
///         balances move), `refundHook` inside `transfer` to `refundHookAccount` (after they move, like
///         a recipient's `tokensReceived`). Transfers to `blocked` accounts revert.
contract HookToken is MintableERC20 {
    struct Hook {
        address target;
        bytes data;
    }

    Hook public pullHook;
    Hook public refundHook;
    address public refundHookAccount;
    bool public lastHookSuccess;
    bytes public lastHookResult;
    /// @dev Transfers to these accounts revert (so refunds to them become credits).
    mapping(address account => bool) public blocked;

    constructor() MintableERC20("Hook", "HOOK") {}

    function setPullHook(address target, bytes calldata data) external {
        pullHook = Hook(target, data);
    }

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function setRefundHook(address account, address target, bytes calldata data) external {
        refundHookAccount = account;
        refundHook = Hook(target, data);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (pullHook.target != address(0)) {
            Hook memory h = pullHook;
            delete pullHook;
            _run(h);
        }
        return super.transferFrom(from, to, value);
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        require(!blocked[to], "blocked");
        bool ok = super.transfer(to, value);
        if (to == refundHookAccount && refundHook.target != address(0)) {
            Hook memory h = refundHook;
            delete refundHook;
            _run(h);
        }
        return ok;
    }

    function _run(Hook memory h) private {
        (lastHookSuccess, lastHookResult) = h.target.call(h.data);
    }
}
