import { fingerprint, type Channel, type NormalizedReport } from '@csp-observer/core';
import type { Context } from 'koa';
import { anonymizeIp } from './ip.js';
import type { SessionToken } from './session-token.js';
import type { BatchWriter } from './storage/batch-writer.js';
import type { ReportRecord, SessionRecord } from './storage/report-store.js';

const MAX_USER_AGENT = 512;
const MAX_RAW = 64 * 1024;

/** Who sent a batch of reports, and by which channel. */
export interface Origin {
  channel: Channel;
  session: SessionToken | null;
  ip: string;
  userAgent: string;
}

/** Reads what ingestion needs to know about the sender from the request. */
export function originOf(ctx: Context, channel: Channel, session: SessionToken | null): Origin {
  return { channel, session, ip: anonymizeIp(ctx.ip), userAgent: ctx.get('User-Agent').slice(0, MAX_USER_AGENT) };
}

function serializeRaw(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw) ?? '';
  return text.length > MAX_RAW ? text.slice(0, MAX_RAW) : text;
}

/** Turns a normalized report into the row stored for it. */
export function toRecord(report: NormalizedReport, origin: Origin, receivedAt: number): ReportRecord {
  const v = report.violation;
  return {
    sessionId: origin.session?.id ?? null,
    channel: origin.channel,
    reportType: report.type,
    receivedAt,
    documentUri: v?.documentUri ?? report.url,
    referrer: v?.referrer ?? '',
    blockedUri: v?.blockedUri ?? '',
    effectiveDirective: v?.effectiveDirective ?? '',
    violatedDirective: v?.violatedDirective ?? '',
    originalPolicy: v?.originalPolicy ?? '',
    disposition: v?.disposition ?? '',
    sourceFile: v?.sourceFile ?? '',
    lineNumber: v?.lineNumber ?? 0,
    columnNumber: v?.columnNumber ?? 0,
    statusCode: v?.statusCode ?? 0,
    sample: v?.sample ?? '',
    fingerprint: v && origin.session ? fingerprint(v) : null,
    isValid: report.valid,
    problems: report.problems,
    raw: serializeRaw(report.raw),
    userAgent: report.userAgent || origin.userAgent,
    ip: origin.ip,
  };
}

/** Stores normalized reports; resolves once they are committed. */
export async function ingest(writer: BatchWriter, reports: readonly NormalizedReport[], origin: Origin): Promise<number> {
  if (reports.length === 0) return 0;
  const now = Date.now();
  const records = reports.map((report) => toRecord(report, origin, now));
  const sessions: SessionRecord[] = origin.session
    ? [
        {
          id: origin.session.id,
          issuedAt: origin.session.issuedAt * 1000,
          seenAt: now,
          documentUri: records[0]!.documentUri,
          ip: origin.ip,
          userAgent: origin.userAgent,
        },
      ]
    : [];
  await writer.write(records, sessions);
  return records.length;
}
