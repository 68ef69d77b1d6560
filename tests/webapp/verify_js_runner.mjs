// Runs webapp/static/verify.js under node for tests/webapp/test_verify_js.py.
// Reads one JSON job on standard input and writes the outcomes as JSON on standard output:
//   proof_vectors: [case]            -> "ok" or the name of the error the verification threw
//   canonical_values: [value]        -> the canonical JSON text, or "error: <name>"
//   bundles: [{bundle, origin, trusted_roots_hex: {tree size: root}}] -> the list of checks, trusting those
//                                       roots of the log `origin`
import { readFileSync } from "node:fs";

import {
  CanonicalError,
  canonicalJson,
  checkBundle,
  hexToBytes,
  verifyConsistency,
  verifyInclusion,
} from "../../webapp/static/verify.js";

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
};
process.stdout.write(JSON.stringify(outcome));
