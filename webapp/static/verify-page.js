// The verify page: turns what the user pasted into a proof bundle (fetching the bundle for a 3D code or a
// record), runs the checks of verify.js in the browser and shows each one green or red with its reason.
// The trusted root comes from the chain, never from this explorer: see fetchTrustedRoot.

import { BUNDLE_FORMAT, canonicalJson, checkBundle } from "./verify.js";
import { readAnchoredRoot } from "./verify-chain.js";

const form = document.getElementById("verify-form");
const input = document.getElementById("verify-input");
const results = document.getElementById("verify-results");
const trustedRootNote = document.getElementById("verify-trusted-root");
const apiRoot = form.dataset.apiRoot;

// The chain, contract and log this page trusts, from the server's configuration (its RPC URL and deployment
// file), fixed when the page was served: nothing fetched at verification time can change them.
const chain = form.dataset.rpcUrl
  ? {
      rpcUrl: form.dataset.rpcUrl,
      chainId: form.dataset.chainId,
      ledgerAddress: form.dataset.ledgerAddress,
      logId: form.dataset.logId,
      origin: form.dataset.origin,
    }
  : null;

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
 * come from. It is `rootAt(logId, treeSize)` read by eth_call from the CarbonLedger contract over JSON-RPC.
 */
export async function fetchTrustedRoot(treeSize, origin) {
  if (chain === null) {
    throw new Error("this explorer names no chain (no contracts deployed), so there is no anchored root to trust");
  }
  if (origin !== chain.origin) {
    throw new Error(`this page reads the chain for the log ${JSON.stringify(chain.origin)}, not ${JSON.stringify(origin)}`);
  }
  return readAnchoredRoot(chain, treeSize);
}

/** The served bundle of a record's 3D code, holding the pasted record instead of the stored one. */
async function bundleForRecord(record) {
  if (typeof record.code !== "string") {
    throw new Error("this record has no 3D code to look its proof up by");
  }
  const bundle = await getJson(`/records/${encodeURIComponent(record.code)}/bundle`);
  return { ...bundle, record: canonicalJson(record) };
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

function show(checks, verdict) {
  const items = checks.map(({ check, status, detail }) => {
    const item = document.createElement("li");
    item.className = status;
    item.dataset.check = check;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = `${status === "pass" ? "✔" : status === "fail" ? "✘" : "–"} ${check}`;
    const reason = document.createElement("span");
    reason.className = "detail";
    reason.textContent = detail;
    item.append(name, reason);
    return item;
  });
  results.replaceChildren(...items);
  results.dataset.verdict = verdict;
}

async function verify(pasted) {
  show([{ check: "working", status: "skip", detail: "fetching and checking…" }], "working");
  try {
    const checks = await checkBundle(await bundleFor(pasted), fetchTrustedRoot);
    show(checks, checks.some((check) => check.status === "fail") ? "invalid" : "valid");
  } catch (error) {
    show([{ check: "input", status: "fail", detail: error.message }], "invalid");
  }
}

trustedRootNote.textContent = chain === null
  ? "Trusted root: none — this explorer names no chain, so every bundle fails the trusted_root check."
  : `Trusted root: rootAt(${chain.logId.slice(0, 10)}…, tree size) read by eth_call from CarbonLedger ` +
    `${chain.ledgerAddress} on chain ${chain.chainId} at ${chain.rpcUrl}, not from this explorer.`;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  verify(input.value);
});
const code = new URLSearchParams(window.location.search).get("code");
if (code) {
  input.value = code;
  verify(code);
}
