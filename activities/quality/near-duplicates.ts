/**
 * Near-duplicate statements across a run's tasks: MinHash signatures of word-shingle sets, LSH banding to find
 * candidates, and the signature estimate of Jaccard similarity to decide. Streaming: tasks are offered in index
 * order, and a task is a near-duplicate when its similarity with a task kept earlier reaches the threshold, so
 * the lowest index of every cluster stays and the result does not depend on anything but the order.
 *
 * Signatures use one-permutation hashing (Li, Owen, Zhang 2012) with optimal densification (Shrivastava 2017):
 * one hash per shingle instead of one per shingle and permutation, O(tokens + 128) per statement.
 * 128 bins give a standard error of sqrt(J(1 - J) / 128), about 0.04 at J = 0.7.
 *
 * Cost for N statements of T tokens: O(N · (T + 128)) to sign, O(N · bands) table work, and 128 compares per
 * candidate (LSH false candidates are cheap to reject; boilerplate buckets are capped, see BUCKET_CAP). Memory
 * per kept task: 256 bytes of signature plus ~20 bytes per band, ~0.7 KB with the 25 bands of threshold 0.7
 * (bench/dedup-scale.ts: 132 MB for 189k kept tasks).
 */
import { hashToken, mix32, ngramHashes, normalizedTokens } from './text';

export const SIGNATURE_SIZE = 128;
const BIN_BITS = 7; // log2(SIGNATURE_SIZE)
const VALUE_MASK = (1 << (32 - BIN_BITS)) - 1;
const EMPTY = 0xffffffff;

/** A statement's signature plus the hash of its normalised text (equal hashes: identical after normalisation). */
export interface Signed {
  signature: Uint32Array;
  textHash: number;
}

export function signStatement(text: string, ngram: number): Signed {
  const tokens = normalizedTokens(text);
  const signature = new Uint32Array(SIGNATURE_SIZE).fill(EMPTY);
  // Repeated n-grams need no dedupe: a minimum does not change when its candidate comes twice.
  for (const g of ngramHashes(tokens, ngram)) {
    const h = g >>> 0;
    const bin = h >>> (32 - BIN_BITS);
    const value = h & VALUE_MASK;
    if (value < (signature[bin] as number)) signature[bin] = value;
  }
  densify(signature);
  return { signature, textHash: textHash(tokens) };
}

/** Empty bins borrow the value of a filled bin chosen by a hash of (bin, attempt): the same choice for every set. */
function densify(sig: Uint32Array): void {
  const filled = sig.map((v) => (v === EMPTY ? 0 : 1));
  if (!filled.includes(1)) return; // no tokens at all: every empty statement looks the same, which it is
  for (let bin = 0; bin < SIGNATURE_SIZE; bin++) {
    if (filled[bin]) continue;
    for (let attempt = 1; ; attempt++) {
      const from = mix32(Math.imul(bin + 1, 0x9e3779b1) ^ attempt) >>> (32 - BIN_BITS);
      if (filled[from]) {
        sig[bin] = sig[from] as number;
        break;
      }
    }
  }
}

function textHash(tokens: readonly string[]): number {
  let a = 0x12345678;
  let b = 0x6a09e667;
  for (const t of tokens) {
    const x = hashToken(t);
    a = mix32(a ^ x);
    b = mix32(Math.imul(b, 31) ^ x);
  }
  return a * 2 ** 21 + (b >>> 11);
}

/** Share of equal positions: the MinHash estimate of Jaccard similarity. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let equal = 0;
  for (let i = 0; i < SIGNATURE_SIZE; i++) if (a[i] === b[i]) equal++;
  return equal / SIGNATURE_SIZE;
}

/**
 * The same against a stored signature, which keeps the low 16 bits of each value: two different minima agree
 * there by chance once in 65,536 bins, a bias far below the estimate's own spread, for half the memory.
 */
function estimateStored(a: Uint32Array, stored: Uint16Array, offset: number): number {
  let equal = 0;
  for (let i = 0; i < SIGNATURE_SIZE; i++) if (((a[i] as number) & 0xffff) === stored[offset + i]) equal++;
  return equal / SIGNATURE_SIZE;
}

/**
 * Bands × rows for a threshold: the most rows per band (fewest false candidates, fewest bands to store) that
 * still make a pair at the threshold a candidate with probability ≥ 0.98, i.e. 1 - (1 - t^r)^b ≥ 0.98 with
 * b = ⌊128 / r⌋. Above the threshold the probability climbs fast (0.7: 25 × 5, 0.98 at J = 0.7, 0.999 at 0.78);
 * at the threshold itself the estimate's own spread (±0.04) decides more than the banding does.
 */
export function lshShape(threshold: number): { bands: number; rows: number } {
  let shape = { bands: SIGNATURE_SIZE, rows: 1 };
  for (let rows = 1; rows <= 32; rows++) {
    const bands = Math.floor(SIGNATURE_SIZE / rows);
    if (1 - (1 - threshold ** rows) ** bands >= 0.98) shape = { bands, rows };
  }
  return shape;
}

export interface NearDuplicateMatch {
  /** The caller's ID of the kept task it duplicates. */
  keptId: number;
  /** Estimated Jaccard similarity of the two shingle sets (1 for identical statements). */
  similarity: number;
  /** Identical after normalisation (then similarity is exactly 1). */
  identical: boolean;
}

/**
 * The kept set: signatures of tasks kept so far and LSH buckets over them. Offer tasks in the order that should
 * win (lowest index first); a task that is no near-duplicate is added.
 */
export class NearDuplicateFilter {
  readonly bands: number;
  readonly rows: number;
  private signatures: Uint16Array;
  private hashes: Float64Array;
  private ids: Int32Array;
  private count = 0;
  private readonly buckets: BandBuckets;
  /** Offer number that last saw each slot as a candidate (a Set per offer would cost more than the compares). */
  private seenBy: Int32Array;
  private offers = 0;

  constructor(
    readonly threshold: number,
    capacityHint = 1024
  ) {
    if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${threshold}`);
    ({ bands: this.bands, rows: this.rows } = lshShape(threshold));
    const capacity = Math.max(16, capacityHint);
    this.signatures = new Uint16Array(capacity * SIGNATURE_SIZE);
    this.hashes = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
    this.seenBy = new Int32Array(capacity);
    this.buckets = new BandBuckets(capacity * this.bands);
  }

  get kept(): number {
    return this.count;
  }

  /** The best earlier match at or above the threshold, or undefined after adding the task to the kept set. */
  offer(id: number, signed: Signed): NearDuplicateMatch | undefined {
    const { signature, textHash } = signed;
    const keys = this.bandKeys(signature);
    let best: { slot: number; similarity: number } | undefined;
    const offer = ++this.offers;
    for (let band = 0; band < this.bands; band++) {
      for (let entry = this.buckets.first(keys[band] as number); entry >= 0; entry = this.buckets.next(entry)) {
        const slot = Math.floor(entry / this.bands);
        if (entry % this.bands !== band || this.seenBy[slot] === offer) continue;
        this.seenBy[slot] = offer;
        const similarity = this.hashes[slot] === textHash ? 1 : estimateStored(signature, this.signatures, slot * SIGNATURE_SIZE);
        // Ties go to the earlier kept task (slots are in offer order).
        if (similarity >= this.threshold && (!best || similarity > best.similarity || (similarity === best.similarity && slot < best.slot))) {
          best = { slot, similarity };
        }
      }
    }
    if (best) return { keptId: this.ids[best.slot] as number, similarity: best.similarity, identical: this.hashes[best.slot] === textHash };
    this.add(id, signature, textHash, keys);
    return undefined;
  }

  private add(id: number, signature: Uint32Array, textHash: number, keys: Uint32Array): void {
    if (this.count === this.ids.length) this.grow();
    const slot = this.count++;
    for (let i = 0; i < SIGNATURE_SIZE; i++) this.signatures[slot * SIGNATURE_SIZE + i] = (signature[i] as number) & 0xffff;
    this.hashes[slot] = textHash;
    this.ids[slot] = id;
    for (let band = 0; band < this.bands; band++) this.buckets.add(keys[band] as number, slot * this.bands + band);
  }

  /** One 32-bit key per band: the band index and its rows, mixed. Equal keys with unequal rows are rare and harmless. */
  private bandKeys(signature: Uint32Array): Uint32Array {
    const keys = new Uint32Array(this.bands);
    for (let band = 0; band < this.bands; band++) {
      let h = mix32(band + 0x51ed270b);
      for (let r = 0; r < this.rows; r++) h = mix32(h ^ (signature[band * this.rows + r] as number));
      keys[band] = h;
    }
    return keys;
  }

  private grow(): void {
    const capacity = this.ids.length * 2;
    const signatures = new Uint16Array(capacity * SIGNATURE_SIZE);
    signatures.set(this.signatures);
    const hashes = new Float64Array(capacity);
    hashes.set(this.hashes);
    const ids = new Int32Array(capacity);
    ids.set(this.ids);
    const seenBy = new Int32Array(capacity);
    seenBy.set(this.seenBy);
    Object.assign(this, { signatures, hashes, ids, seenBy });
  }
}

/**
 * A bucket holding this many kept tasks takes no more. Band values shared by that many unrelated statements are
 * boilerplate (every statement of a style says "the first line contains ..."), and scanning such buckets on
 * every offer would make the filter quadratic. A real near-duplicate collides in several bands (7.7 of 32 on
 * average at J = 0.7), almost never all of them boilerplate, so it is still found through the others.
 */
export const BUCKET_CAP = 64;
/** Linear probing stays at ~3 probes per miss up to here. */
const MAX_LOAD = 0.7;

/**
 * key → chain of entries, in typed arrays: an open-addressing table of keys with the newest entry per key, and a
 * next-entry array. A JS Map per band would cost several times the memory at 200k tasks × 16–32 bands.
 */
class BandBuckets {
  private keys: Uint32Array;
  /** Newest entry + 1 per table slot (0: free). */
  private heads: Int32Array;
  /** Entries per key, up to BUCKET_CAP. */
  private sizes: Uint8Array;
  /** Previous entry with the same key + 1, per entry. */
  private chain: Int32Array;
  private used = 0;

  constructor(entriesHint: number) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(64, entriesHint / MAX_LOAD)));
    this.keys = new Uint32Array(size);
    this.heads = new Int32Array(size);
    this.sizes = new Uint8Array(size);
    this.chain = new Int32Array(Math.max(64, entriesHint));
  }

  first(key: number): number {
    const slot = this.find(key);
    return (this.heads[slot] as number) - 1;
  }

  next(entry: number): number {
    return (this.chain[entry] as number) - 1;
  }

  add(key: number, entry: number): void {
    if (entry >= this.chain.length) {
      const chain = new Int32Array(Math.max(entry + 1, this.chain.length * 2));
      chain.set(this.chain);
      this.chain = chain;
    }
    if (this.used + 1 > this.keys.length * MAX_LOAD) this.rehash();
    const slot = this.find(key);
    if (this.heads[slot] === 0) {
      this.used++;
      this.keys[slot] = key;
    } else if ((this.sizes[slot] as number) >= BUCKET_CAP) return;
    this.chain[entry] = this.heads[slot] as number;
    this.heads[slot] = entry + 1;
    this.sizes[slot] = (this.sizes[slot] as number) + 1;
  }

  /** The slot holding key, or the free slot where it would go (linear probing; the table is at most 70 % full). */
  private find(key: number): number {
    const mask = this.keys.length - 1;
    let slot = key & mask;
    while (this.heads[slot] !== 0 && this.keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private rehash(): void {
    const { keys, heads, sizes } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.heads = new Int32Array(keys.length * 2);
    this.sizes = new Uint8Array(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      if (heads[i] === 0) continue;
      const slot = this.find(keys[i] as number);
      this.keys[slot] = keys[i] as number;
      this.heads[slot] = heads[i] as number;
      this.sizes[slot] = sizes[i] as number;
    }
  }
}

/** The outcome detail of a near-duplicate. */
export function describeNearDuplicate(keptTaskId: string, keptIndex: number, match: NearDuplicateMatch, ngram: number): string {
  return match.identical
    ? `identical statement to kept task ${keptTaskId} (task ${keptIndex}) after normalisation: similarity 1`
    : `near-duplicate of kept task ${keptTaskId} (task ${keptIndex}): estimated Jaccard ${match.similarity.toFixed(2)} over word ${ngram}-grams`;
}
