import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BlobBackend } from './backend';

export interface S3BackendOptions {
  /** s3://bucket/optional/prefix */
  url: string;
  /** S3-compatible endpoint (MinIO, Ceph, R2...); omit for AWS. */
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/**
 * S3-compatible object storage, for workers on several machines. A PUT is atomic per object in S3, so
 * readers never see a partial blob; content addressing makes concurrent writers of one key harmless.
 */
export class S3Backend implements BlobBackend {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;

  constructor(readonly options: S3BackendOptions) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(options.url);
    if (!m?.[1]) throw new Error(`not an s3:// URL: ${options.url}`);
    this.bucket = m[1];
    this.prefix = (m[2] ?? '').replace(/\/+$/, '');
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
    });
  }

  get description(): string {
    return this.options.url;
  }

  private key(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  location(name: string): string {
    return `s3://${this.bucket}/${this.key(name)}`;
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return true;
    } catch (err) {
      if (err instanceof NotFound || (err as { name?: string }).name === 'NotFound') return false;
      throw err;
    }
  }

  async read(name: string): Promise<Buffer | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  async write(name: string, bytes: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(name), Body: bytes }));
  }

  close(): void {
    this.client.destroy();
  }
}
