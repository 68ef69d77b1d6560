// Record verification in the browser: canonical JSON (RFC 8785, the ledger's profile), RFC 9162 leaf hashing
// and proof verification, and the checks of a proof bundle. Pure functions over WebCrypto: no DOM, no network,
// so the same module runs in the verify page and under node in the tests.
//
// The proof algorithms are ports of ledger/verify.py and raise the same two errors: ProofShapeError for a
// proof that cannot be right whatever the hashes, RootMismatchError for a well-formed proof that leads
// elsewhere. Indices are BigInts inside, because JavaScript's bit operators work on 32 bits only.

export const HASH_SIZE = 32;
export const BUNDLE_FORMAT = "carbonledger-proof-bundle/2";
const MAX_NESTING_DEPTH = 64;

export class ProofShapeError extends Error {
  constructor(message) {
    super(message);
    this.name = "ProofShapeError";
  }
}

export class RootMismatchError extends Error {
  constructor(treeSize, expectedRoot, computedRoot) {
    super(`tree size ${treeSize}: computed root ${bytesToHex(computedRoot)} ` +
          `does not match expected root ${bytesToHex(expectedRoot)}`);
    this.name = "RootMismatchError";
    this.treeSize = treeSize;
    this.expectedRoot = expectedRoot;
    this.computedRoot = computedRoot;
  }
}

export class CanonicalError extends Error {
  constructor(path, reason) {
    super(`${path}: ${reason}`);
    this.name = "CanonicalError";
  }
}

export class BundleFormatError extends Error {
  constructor(field, reason) {
    super(`${field}: ${reason}`);
    this.name = "BundleFormatError";
  }
}

// --- bytes at the edges -------------------------------------------------------------------------------

export function bytesToHex(bytes) {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function hexToBytes(hex) {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
    throw new TypeError(`not hex: ${hex}`);
  }
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export function base64ToBytes(text) {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    throw new TypeError("not base64");
  }
  return Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
}

export function bytesToBase64(bytes) {
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(""));
}

export function utf8Bytes(text) {
  return new TextEncoder().encode(text);
}

function equalBytes(left, right) {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}

// --- RFC 9162 hashing ----------------------------------------------------------------------------------

async function sha256(...parts) {
  if (globalThis.crypto?.subtle === undefined) {
    // Browsers offer WebCrypto only to secure contexts.
    throw new Error("WebCrypto is unavailable here: open the explorer over HTTPS or on localhost");
  }
  const data = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

/** MTH({d0}) = SHA-256(0x00 || d0). */
export function hashLeaf(entry) {
  return sha256(Uint8Array.of(0), entry);
}

/** An interior node: SHA-256(0x01 || left || right). */
export function hashChildren(left, right) {
  return sha256(Uint8Array.of(1), left, right);
}

// --- RFC 9162 proof verification (ledger/verify.py) -------------------------------------------------------

function checkHash(name, value) {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    const size = value instanceof Uint8Array ? value.length : typeof value;
    throw new ProofShapeError(`${name} must be ${HASH_SIZE} bytes, got ${size}`);
  }
}

function checkProof(proof) {
  proof.forEach((element, position) => checkHash(`proof element ${position}`, element));
}

function isIndex(value) {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Moves a node that is its level's last and a left child up unchanged, as it has no sibling there. */
function climbPastLoneNodes(nodeIndex, lastIndex) {
  while ((nodeIndex & 1n) === 0n && nodeIndex !== 0n) {
    nodeIndex >>= 1n;
    lastIndex >>= 1n;
  }
  return [nodeIndex, lastIndex];
}

/** The root that `proof` leads to from `leafHash` at `leafIndex` in a tree of `treeSize` leaves. */
export async function rootFromInclusionProof(leafHash, leafIndex, treeSize, proof) {
  if (!(isIndex(leafIndex) && isIndex(treeSize) && leafIndex < treeSize)) {
    throw new ProofShapeError(`leaf index ${leafIndex} is outside a tree of size ${treeSize}`);
  }
  checkHash("leaf hash", leafHash);
  checkProof(proof);
  let nodeIndex = BigInt(leafIndex);
  let lastIndex = BigInt(treeSize) - 1n;
  let root = leafHash;
  for (const element of proof) {
    if (lastIndex === 0n) {
      throw new ProofShapeError(`inclusion proof is longer than a tree of size ${treeSize} allows`);
    }
    if ((nodeIndex & 1n) === 1n || nodeIndex === lastIndex) {
      root = await hashChildren(element, root);
      [nodeIndex, lastIndex] = climbPastLoneNodes(nodeIndex, lastIndex);
    } else {
      root = await hashChildren(root, element);
    }
    nodeIndex >>= 1n;
    lastIndex >>= 1n;
  }
  if (lastIndex !== 0n) {
    throw new ProofShapeError(`inclusion proof is shorter than a tree of size ${treeSize} needs`);
  }
  return root;
}

/** Resolves if the leaf is at `leafIndex` in the tree of `treeSize` leaves whose root is `rootHash`. */
export async function verifyInclusion(leafHash, leafIndex, treeSize, proof, rootHash) {
  checkHash("root hash", rootHash);
  const computed = await rootFromInclusionProof(leafHash, leafIndex, treeSize, proof);
  if (!equalBytes(computed, rootHash)) {
    throw new RootMismatchError(treeSize, rootHash, computed);
  }
}

/** Resolves if the tree of `newSize` leaves with `newRoot` extends the one of `oldSize` with `oldRoot`. */
export async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof) {
  checkHash("old root", oldRoot);
  checkHash("new root", newRoot);
  checkProof(proof);
  if (!(isIndex(oldSize) && isIndex(newSize) && oldSize <= newSize)) {
    throw new ProofShapeError(`sizes must satisfy 0 <= old <= new, got ${oldSize} and ${newSize}`);
  }
  if (oldSize === 0 || oldSize === newSize) {
    if (proof.length > 0) {
      throw new ProofShapeError(`a proof from size ${oldSize} to ${newSize} must be empty`);
    }
    if (oldSize === newSize && !equalBytes(oldRoot, newRoot)) {
      throw new RootMismatchError(newSize, oldRoot, newRoot);
    }
    return;
  }
  if (proof.length === 0) {
    throw new ProofShapeError(`a proof from size ${oldSize} to ${newSize} cannot be empty`);
  }
  const old = BigInt(oldSize);
  // The old tree is a complete subtree of the new one: the proof omits its root.
  const path = (old & (old - 1n)) === 0n ? [oldRoot, ...proof] : [...proof];
  let nodeIndex = old - 1n;
  let lastIndex = BigInt(newSize) - 1n;
  while ((nodeIndex & 1n) === 1n) {
    nodeIndex >>= 1n;
    lastIndex >>= 1n;
  }
  let oldComputed = path[0];
  let newComputed = path[0];
  for (const element of path.slice(1)) {
    if (lastIndex === 0n) {
      throw new ProofShapeError(`consistency proof is longer than sizes ${oldSize}..${newSize} allow`);
    }
    if ((nodeIndex & 1n) === 1n || nodeIndex === lastIndex) {
      oldComputed = await hashChildren(element, oldComputed);
      newComputed = await hashChildren(element, newComputed);
      [nodeIndex, lastIndex] = climbPastLoneNodes(nodeIndex, lastIndex);
    } else {
      newComputed = await hashChildren(newComputed, element);
    }
    nodeIndex >>= 1n;
    lastIndex >>= 1n;
  }
  if (lastIndex !== 0n) {
    throw new ProofShapeError(`consistency proof is shorter than sizes ${oldSize}..${newSize} need`);
  }
  if (!equalBytes(oldComputed, oldRoot)) {
    throw new RootMismatchError(oldSize, oldRoot, oldComputed);
  }
  if (!equalBytes(newComputed, newRoot)) {
    throw new RootMismatchError(newSize, newRoot, newComputed);
  }
}

// --- canonical JSON (ledger/canonical.py) -----------------------------------------------------------------

function nfc(text, path, role) {
  if (!text.isWellFormed()) {
    throw new CanonicalError(path, `${role} holds a lone surrogate, which is not Unicode text`);
  }
  return text.normalize("NFC");
}

/**
 * The RFC 8785 text of a parsed JSON value under the ledger's profile: integers only (|n| <= 2**53 - 1,
 * decimals travel as strings), strings NFC-normalised, keys sorted by UTF-16 code units (JavaScript's own
 * string order), strings escaped as JSON.stringify escapes them (which RFC 8785 adopts).
 */
export function canonicalJson(value, path = "$", depth = 0) {
  if (value === null || typeof value === "boolean") {
    return String(value);
  }
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      throw new CanonicalError(path, `${value} is not an integer within ±(2**53 - 1); write decimals as strings`);
    }
    return String(value);
  }
  if (typeof value === "string") {
    return JSON.stringify(nfc(value, path, "string"));
  }
  if (typeof value !== "object") {
    throw new CanonicalError(path, `${typeof value} is not a JSON value`);
  }
  if (depth === MAX_NESTING_DEPTH) {
    throw new CanonicalError(path, `nested deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => canonicalJson(item, `${path}[${index}]`, depth + 1)).join(",")}]`;
  }
  const members = new Map();
  for (const [key, member] of Object.entries(value)) {
    const normalisedKey = nfc(key, path, "key");
    if (members.has(normalisedKey)) {
      throw new CanonicalError(path, `keys ${JSON.stringify(normalisedKey)} and ${JSON.stringify(key)} are the same after NFC`);
    }
    members.set(normalisedKey, member);
  }
  const keys = [...members.keys()].sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(members.get(key), `${path}.${key}`, depth + 1)}`).join(",")}}`;
}

// --- proof bundles (oracle/bundle.py) ---------------------------------------------------------------------

function bundleField(value, field, type) {
  if (typeof value !== type || value === null) {
    throw new BundleFormatError(field, `must be a ${type === "object" ? "JSON object" : type}`);
  }
  return value;
}

function bundleIndex(value, field) {
  if (!isIndex(value)) {
    throw new BundleFormatError(field, "must be a whole number");
  }
  return value;
}

function bundleBase64(text, field) {
  try {
    return base64ToBytes(bundleField(text, field, "string"));
  } catch (error) {
    if (error instanceof BundleFormatError) throw error;
    throw new BundleFormatError(field, "is not valid base64");
  }
}

/** A hash written as 64 hex digits or in base64 (the two cannot be confused), as the API accepts it. */
function bundleHash(text, field) {
  const value = bundleField(text, field, "string");
  return /^[0-9a-fA-F]{64}$/.test(value) ? hexToBytes(value) : bundleBase64(value, field);
}

/** The hex twin of a hash, lower-cased, or null when the bundle has none. */
function bundleHexTwin(value, field) {
  return value === undefined || value === null ? null : bundleField(value, field, "string").toLowerCase();
}

/** A bundle as the API writes it, decoded; BundleFormatError names the first field that is wrong. */
export function readBundle(document) {
  const bundle = bundleField(document, "bundle", "object");
  if (bundle.format !== BUNDLE_FORMAT) {
    throw new BundleFormatError("format", `must be ${JSON.stringify(BUNDLE_FORMAT)}`);
  }
  if (!Array.isArray(bundle.inclusion)) {
    throw new BundleFormatError("inclusion", "must be a list of base64 hashes");
  }
  const treeHead = bundleField(bundle.tree_head, "tree_head", "object");
  const leafHash = bundleHash(bundle.leaf_hash, "leaf_hash");
  const rootHash = bundleHash(treeHead.root_hash, "tree_head.root_hash");
  const twins = [
    ["leaf_hash_hex", bundleHexTwin(bundle.leaf_hash_hex, "leaf_hash_hex"), leafHash],
    ["tree_head.root_hash_hex", bundleHexTwin(treeHead.root_hash_hex, "tree_head.root_hash_hex"), rootHash],
  ];
  return {
    record: bundleField(bundle.record, "record", "string"),
    leafIndex: bundleIndex(bundle.leaf_index, "leaf_index"),
    leafHash,
    inclusion: bundle.inclusion.map((element, index) => bundleBase64(element, `inclusion[${index}]`)),
    treeHead: {
      origin: bundleField(treeHead.origin, "tree_head.origin", "string"),
      treeSize: bundleIndex(treeHead.tree_size, "tree_head.tree_size"),
      rootHash,
    },
    hexTwinMismatches: twins.filter(([, twin, value]) => twin !== null && twin !== bytesToHex(value)).map(([field]) => field),
  };
}

function result(check, status, detail) {
  return { check, status, detail };
}

function checkRecord(recordText) {
  let value;
  try {
    value = JSON.parse(recordText);
  } catch (error) {
    return [null, result("record", "fail", `not JSON: ${error.message}`)];
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [null, result("record", "fail", "not a JSON object")];
  }
  if (value.v !== 1 || typeof value.code !== "string") {
    return [null, result("record", "fail", "not a version 1 record (\"v\": 1 with a \"code\")")];
  }
  let canonical;
  try {
    canonical = canonicalJson(value);
  } catch (error) {
    return [null, result("record", "fail", error.message)];
  }
  if (canonical !== recordText) {
    return [null, result("record", "fail", "well-formed but not in canonical form (RFC 8785)")];
  }
  return [value, result("record", "pass", `record ${value.code} in canonical JSON`)];
}

function checkHexTwins(mismatches) {
  if (mismatches.length > 0) {
    return result("hex_twins", "fail", `hex twin differs from its base64 hash: ${mismatches.join(", ")}`);
  }
  return result("hex_twins", "pass", "every hex twin states the same hash as its base64 value");
}

function checkSerial(record, leafIndex) {
  if (record === null) {
    return result("serial", "skip", "no record to read the 3D code from");
  }
  const parts = record.code.split("-");
  const serialText = parts.length === 5 ? parts[3] : "";
  if (!/^[0-9]{1,9}$/.test(serialText)) {
    return result("serial", "fail", `the record's 3D code ${record.code} has no serial part`);
  }
  const serial = Number(serialText);
  if (serial !== leafIndex + 1) {
    return result("serial", "fail", `serial ${serial} does not fit leaf index ${leafIndex}`);
  }
  return result("serial", "pass", `serial ${serial} = leaf index ${leafIndex} + 1`);
}

async function checkInclusion(leafHash, bundle) {
  const { treeSize, rootHash } = bundle.treeHead;
  try {
    await verifyInclusion(leafHash, bundle.leafIndex, treeSize, bundle.inclusion, rootHash);
  } catch (error) {
    if (error instanceof ProofShapeError || error instanceof RootMismatchError) {
      return result("inclusion", "fail", error.message);
    }
    throw error;
  }
  return result("inclusion", "pass", `leaf ${bundle.leafIndex} is in the tree of size ${treeSize} with that root`);
}

async function checkTrustedRoot(treeHead, fetchTrustedRoot) {
  let trusted;
  try {
    trusted = await fetchTrustedRoot(treeHead.treeSize, treeHead.origin);
  } catch (error) {
    return result("trusted_root", "fail", `no trusted root for this tree head: ${error.message}`);
  }
  if (!equalBytes(trusted, treeHead.rootHash)) {
    return result("trusted_root", "fail",
      `the trusted root at size ${treeHead.treeSize} is ${bytesToHex(trusted)}, the bundle says ${bytesToHex(treeHead.rootHash)}`);
  }
  return result("trusted_root", "pass", `root ${bytesToHex(trusted)} is the trusted root at size ${treeHead.treeSize}`);
}

/**
 * The checks of a proof bundle that a browser can run, in the order and under the names oracle/bundle.py uses
 * (the signatures and the anchoring transaction are left to the server and the command line).
 * `fetchTrustedRoot(treeSize, origin)` resolves to the trusted root (Uint8Array) of the log `origin` at that
 * size, or rejects saying why there is none.
 * A malformed bundle gives a single failed "bundle" check naming the field.
 */
export async function checkBundle(document, fetchTrustedRoot) {
  let bundle;
  try {
    bundle = readBundle(document);
  } catch (error) {
    if (error instanceof BundleFormatError) {
      return [result("bundle", "fail", error.message)];
    }
    throw error;
  }
  const entry = utf8Bytes(bundle.record);
  const [record, recordCheck] = checkRecord(bundle.record);
  const leafHash = await hashLeaf(entry);
  const leafHashCheck = equalBytes(leafHash, bundle.leafHash)
    ? result("leaf_hash", "pass", `SHA-256(0x00 || record) = ${bytesToHex(leafHash)}`)
    : result("leaf_hash", "fail", `the record hashes to ${bytesToHex(leafHash)}, the bundle says ${bytesToHex(bundle.leafHash)}`);
  return [
    recordCheck,
    checkHexTwins(bundle.hexTwinMismatches),
    leafHashCheck,
    checkSerial(record, bundle.leafIndex),
    await checkInclusion(leafHash, bundle),
    await checkTrustedRoot(bundle.treeHead, fetchTrustedRoot),
  ];
}
