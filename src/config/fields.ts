import * as z from 'zod';
import { AddressError, parseListenAddress } from './address.js';
import { DurationError, parseDuration } from './duration.js';

// Field types shared by every configuration section. Each carries a `format`
// in its metadata: the docs generator, the redactor and the file checks read
// it from the JSON schema, so a field's kind is declared once, here.

export type FieldFormat = 'duration' | 'address' | 'file';

export interface FieldMeta {
  description: string;
  format?: FieldFormat;
  /** Printed as <redacted> by check-config. */
  secret?: boolean;
  /** Shown in docs instead of the raw default (for computed defaults). */
  defaultText?: string;
}

function durationValue() {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as DurationError).message, input: value });
      return z.NEVER;
    }
  });
}

/** A duration written as "15s", "500ms", "1m30s" or plain seconds; parsed to milliseconds; optionally at most `max`. */
export function duration(defaultValue: string, meta: FieldMeta, max?: { ms: number; text: string }) {
  const value = max === undefined ? durationValue() : durationValue().refine((ms) => ms <= max.ms, `at most ${max.text}`);
  return value.prefault(defaultValue).meta({ ...meta, format: 'duration' });
}


/** A listen address: ":9090", "127.0.0.1:9090", "[::1]:9090" or a bare port. */
export function listenAddress(defaultValue: string, meta: FieldMeta) {
  return z
    .union([z.string(), z.int()])
    .transform((value, ctx) => {
      const text = String(value).trim();
      try {
        parseListenAddress(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as AddressError).message, input: value });
        return z.NEVER;
      }
      return text;
    })
    .prefault(defaultValue)
    .meta({ ...meta, format: 'address' });
}

/** A path to a file flowlens must be able to read; checked when the configuration loads. */
export function filePath(meta: FieldMeta) {
  return z.string().min(1, 'must not be empty').meta({ ...meta, format: 'file' });
}

/** An address to dial: "host:port" with a host (name or IP; IPv6 in brackets). */
export function dialAddressValue() {
  return z.string().transform((value, ctx) => {
    const text = value.trim();
    try {
      if (parseListenAddress(text).host === '') throw new AddressError(`unparsable address "${value}": a host is required`);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as AddressError).message, input: value });
      return z.NEVER;
    }
    return text;
  });
}

export function dialAddress(defaultValue: string, meta: FieldMeta) {
  return dialAddressValue().prefault(defaultValue).meta({ ...meta, format: 'address' });
}

/** A dial address without a default (absent unless set). */
export function optionalDialAddress(meta: FieldMeta) {
  return dialAddressValue().optional().meta({ ...meta, format: 'address' });
}

/** A superRefine for TLS sections: certFile and keyFile go together. */
export function certificateWithKey(value: { certFile?: string | undefined; keyFile?: string | undefined }, ctx: z.RefinementCtx): void {
  if ((value.certFile === undefined) !== (value.keyFile === undefined)) {
    const missing = value.certFile === undefined ? 'certFile' : 'keyFile';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'certFile and keyFile go together: set both or neither' });
  }
}
