// The verify page: turns what the user pasted into a proof bundle (fetching the proof for a 3D code or a
// record), runs the checks of verify.js in the browser and shows each one green or red with its reason.

import {
  BUNDLE_FORMAT,
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  canonicalJson,
  checkBundle,
  hashLeaf,
  utf8Bytes,
} from "./verify.js";

const form = document.getElementById("verify-form");
const input = document.getElementById("verify-input");
const results = document.getElementById("verify-results");
const trustedRootNote = document.getElementById("verify-trusted-root");
const apiRoot = form.dataset.apiRoot;

const TRUSTED_ROOT_SOURCE = "the explorer's tree head at the bundle's size (GET /api/v1/log/tree-head)";

async function getJson(path) {
  const response = await fetch(`${apiRoot}${path}`, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(body?.detail ?? `${response.status} ${response.statusText}`);
  }
  return body;
}

/**
 * The root that verification trusts for the log `origin` at `treeSize`: the one place that says where roots
 * come from. It asks this explorer's API; reading the anchored root from the chain (eth_call over JSON-RPC)
 * replaces only this function.
 */
export async function fetchTrustedRoot(treeSize, origin) {
  const head = await getJson(`/log/tree-head?tree_size=${treeSize}`);
  if (head.origin !== origin) {
    throw new Error(`this explorer serves the log ${JSON.stringify(head.origin)}, not ${JSON.stringify(origin)}`);
  }
  return base64ToBytes(head.root_hash);
}

/** A bundle for a record given as JSON: its leaf hash, and the proof the log gives for that hash. */
async function bundleForRecord(record) {
  const text = canonicalJson(record);
  const leafHash = await hashLeaf(utf8Bytes(text));
  const head = await getJson("/log/tree-head");
  const proof = await getJson(`/log/proof-by-hash?hash=${bytesToHex(leafHash)}&tree_size=${head.tree_size}`);
  return {
    format: BUNDLE_FORMAT,
    record: text,
    leaf_index: proof.leaf_index,
    leaf_hash: bytesToBase64(leafHash),
    inclusion: proof.inclusion,
    tree_head: head,
  };
}

/** The bundle to check for a 3D code, a record (alone or as the API returns it) or a proof bundle. */
async function bundleFor(pasted) {
  const text = pasted.trim();
  if (!/^[[{]/.test(text)) {
    return getJson(`/records/${encodeURIComponent(text)}/bundle`);
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON: ${error.message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error("this JSON is not an object: paste a record or a proof bundle");
  }
  if (value.format === BUNDLE_FORMAT) {
    return value;
  }
  if (value.v !== undefined) {
    return bundleForRecord(value);
  }
  if (value.record !== null && typeof value.record === "object") {
    return bundleForRecord(value.record);
  }
  throw new Error("this is neither a 3D code, nor a record, nor a proof bundle");
}

function show(checks) {
  results.replaceChildren(...checks.map(({ check, status, detail }) => {
    const item = document.createElement("li");
    item.className = status;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = `${status === "pass" ? "✔" : status === "fail" ? "✘" : "–"} ${check}`;
    const reason = document.createElement("span");
    reason.className = "detail";
    reason.textContent = detail;
    item.append(name, reason);
    return item;
  }));
}

async function verify(pasted) {
  show([{ check: "working", status: "skip", detail: "fetching and checking…" }]);
  try {
    show(await checkBundle(await bundleFor(pasted), fetchTrustedRoot));
  } catch (error) {
    show([{ check: "input", status: "fail", detail: error.message }]);
  }
}

trustedRootNote.textContent = `Trusted root: ${TRUSTED_ROOT_SOURCE}.`;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  verify(input.value);
});
const code = new URLSearchParams(window.location.search).get("code");
if (code) {
  input.value = code;
  verify(code);
}
