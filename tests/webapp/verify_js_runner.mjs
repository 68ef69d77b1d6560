// Runs webapp/static/verify.js under node for tests/webapp/test_verify_js.py.
// Reads one JSON job on standard input and writes the outcomes as JSON on standard output:
//   proof_vectors: [case]            -> "ok" or the name of the error the verification threw
//   canonical_values: [value]        -> the canonical JSON text, or "error: <name>"
//   bundles: [{bundle, origin, trusted_roots_hex: {tree size: root}}] -> the list of checks, trusting those
//                                       roots of the log `origin`
//   root_at_calls: [{log_id, tree_size}] -> the eth_call data of verify-chain.js, or "error: <name>"
//   anchored_root_reads: [{chain, tree_size, answers: {method: JSON-RPC answer}}]
//                                    -> "root <hex>" or "error: <message>", from a node answering as told
//   selectors: the selectors verify-chain.js encodes and decodes with
import { readFileSync } from "node:fs";

import {
  CanonicalError,
  bytesToHex,
  canonicalJson,
  checkBundle,
  hexToBytes,
  verifyConsistency,
  verifyInclusion,
} from "../../webapp/static/verify.js";
import {
  NOT_ANCHORED_SELECTOR,
  ROOT_AT_SELECTOR,
  readAnchoredRoot,
  rootAtCallData,
} from "../../webapp/static/verify-chain.js";

async function proofOutcome(vector) {
  const proof = vector.proof.map(hexToBytes);
  try {
    if (vector.kind === "inclusion") {
      await verifyInclusion(hexToBytes(vector.leaf_hash), vector.leaf_index, vector.tree_size, proof, hexToBytes(vector.root));
    } else {
      await verifyConsistency(vector.old_size, vector.new_size, hexToBytes(vector.old_root), hexToBytes(vector.new_root), proof);
    }
    return "ok";
  } catch (error) {
    return error.name;
  }
}

function canonicalOutcome(value) {
  try {
    return canonicalJson(value);
  } catch (error) {
    if (error instanceof CanonicalError) return `error: ${error.name}`;
    throw error;
  }
}

function rootAtOutcome({ log_id, tree_size }) {
  try {
    return rootAtCallData(log_id, tree_size);
  } catch (error) {
    return `error: ${error.name}`;
  }
}

/** A fetch that answers each JSON-RPC method as `answers` says, or with HTTP 500 for a method it lacks. */
function scriptedNode(answers) {
  return async (url, request) => {
    const { id, method } = JSON.parse(request.body);
    if (!(method in answers)) {
      return { ok: false, status: 500, json: async () => null };
    }
    return { ok: true, status: 200, json: async () => ({ jsonrpc: "2.0", id, ...answers[method] }) };
  };
}

async function anchoredRootOutcome({ chain, tree_size, answers }) {
  try {
    return `root ${bytesToHex(await readAnchoredRoot(chain, tree_size, scriptedNode(answers)))}`;
  } catch (error) {
    return `error: ${error.message}`;
  }
}

const job = JSON.parse(readFileSync(0, "utf8"));
const outcome = {
  proof_vectors: await Promise.all((job.proof_vectors ?? []).map(proofOutcome)),
  canonical_values: (job.canonical_values ?? []).map(canonicalOutcome),
  bundles: await Promise.all((job.bundles ?? []).map(({ bundle, origin, trusted_roots_hex }) =>
    checkBundle(bundle, async (treeSize, bundleOrigin) => {
      if (bundleOrigin !== origin) throw new Error(`not the log ${origin}`);
      if (!(treeSize in trusted_roots_hex)) throw new Error(`no trusted root at size ${treeSize}`);
      return hexToBytes(trusted_roots_hex[treeSize]);
    }))),
  root_at_calls: (job.root_at_calls ?? []).map(rootAtOutcome),
  anchored_root_reads: await Promise.all((job.anchored_root_reads ?? []).map(anchoredRootOutcome)),
  selectors: { root_at: ROOT_AT_SELECTOR, not_anchored: NOT_ANCHORED_SELECTOR },
};
process.stdout.write(JSON.stringify(outcome));
