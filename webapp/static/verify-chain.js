// Reading anchored roots straight from the CarbonLedger contract over JSON-RPC, so that the verify page trusts
// the chain and not the explorer that served the proof. No library: the one call, rootAt(bytes32,uint64), is
// ABI-encoded by hand as its 4-byte selector followed by two 32-byte words (the log id, and the tree size
// left-padded with zeros), and its answer is one 32-byte word.

import { hexToBytes } from "./verify.js";

// The first 4 bytes of keccak256 of each signature (tests/webapp/test_verify_js.py holds them to it).
export const ROOT_AT_SELECTOR = "930b6ace"; // rootAt(bytes32,uint64)
export const NOT_ANCHORED_SELECTOR = "86c1eda2"; // CarbonLedgerCheckpointNotAnchored(bytes32,uint64)

export class ChainReadError extends Error {
  constructor(message) {
    super(message);
    this.name = "ChainReadError";
  }
}

/** The eth_call data of rootAt(logId, treeSize); `logIdHex` is 0x and 64 hex digits. */
export function rootAtCallData(logIdHex, treeSize) {
  if (!/^0x[0-9a-fA-F]{64}$/.test(logIdHex)) {
    throw new TypeError(`log id must be 0x and 64 hex digits, got ${logIdHex}`);
  }
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new TypeError(`tree size must be a whole number, got ${treeSize}`);
  }
  const sizeWord = BigInt(treeSize).toString(16).padStart(64, "0");
  return `0x${ROOT_AT_SELECTOR}${logIdHex.slice(2).toLowerCase()}${sizeWord}`;
}

async function rpc(rpcUrl, method, params, fetchImpl) {
  let response;
  try {
    response = await fetchImpl(rpcUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
  } catch (error) {
    throw new ChainReadError(`the chain at ${rpcUrl} did not answer ${method}: ${error.message}`);
  }
  if (!response.ok) {
    throw new ChainReadError(`the chain at ${rpcUrl} answered ${method} with HTTP ${response.status}`);
  }
  const answer = await response.json();
  if (answer.error !== undefined) {
    const revertData = typeof answer.error.data === "string" ? answer.error.data : "";
    throw Object.assign(new ChainReadError(`${method} failed: ${answer.error.message}`), { revertData });
  }
  return answer.result;
}

/**
 * The root anchored for the log at `treeSize`, read by eth_call from the contract `chain.ledgerAddress` on the
 * chain `chain.rpcUrl` serves, after checking that this is chain `chain.chainId`. Rejects with ChainReadError
 * saying why there is no root (another chain, no checkpoint anchored at that size, an unreachable node).
 */
export async function readAnchoredRoot(chain, treeSize, fetchImpl = globalThis.fetch) {
  const servedChainId = BigInt(await rpc(chain.rpcUrl, "eth_chainId", [], fetchImpl));
  if (servedChainId !== BigInt(chain.chainId)) {
    throw new ChainReadError(`${chain.rpcUrl} serves chain ${servedChainId}, not chain ${chain.chainId}`);
  }
  const call = { to: chain.ledgerAddress, data: rootAtCallData(chain.logId, treeSize) };
  let result;
  try {
    result = await rpc(chain.rpcUrl, "eth_call", [call, "latest"], fetchImpl);
  } catch (error) {
    if (error.revertData?.toLowerCase().startsWith(`0x${NOT_ANCHORED_SELECTOR}`)) {
      throw new ChainReadError(`no checkpoint of this log is anchored at tree size ${treeSize}`);
    }
    throw error;
  }
  if (typeof result !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(result)) {
    throw new ChainReadError(`rootAt answered ${JSON.stringify(result)}, not one 32-byte word`);
  }
  return hexToBytes(result.slice(2));
}
