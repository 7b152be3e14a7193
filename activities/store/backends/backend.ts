/**
 * Where the content store keeps its objects. Names are relative paths ("blobs/ab/cdef…", "refs/x",
 * "runs/<id>/dataset/sft.jsonl"); writes must be atomic (readers never see a partial object).
 */
export interface BlobBackend {
  /** A local directory, or a URL such as s3://bucket/prefix, for messages and summaries. */
  readonly description: string;
  exists(name: string): Promise<boolean>;
  /** undefined when the object does not exist. */
  read(name: string): Promise<Buffer | undefined>;
  write(name: string, bytes: Buffer): Promise<void>;
  /** Where a person finds the object: a file path or an s3:// URL. */
  location(name: string): string;
  /** The object's path on this machine, when the backend is a local directory (no copy needed). */
  localPath?(name: string): string;
}
