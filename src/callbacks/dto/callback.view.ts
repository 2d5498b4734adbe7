import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Attempt, Intent } from '../callbacks.repository';
import { STATUSES } from './list-callbacks.query';
import { ScheduleView } from './schedule.view';

export class CallbackView {
  @ApiProperty({ format: 'uuid', example: '5b0c8f2e-3d41-4c7a-9a55-1f2e3d4c5b6a' }) id!: string;
  @ApiProperty({ description: 'The calling service', example: 'billing' }) client!: string;
  @ApiProperty({ example: 'sim' }) account!: string;
  @ApiProperty({ example: '+12518717081' }) phoneNumber!: string;
  @ApiProperty({ enum: STATUSES, example: 'scheduled' }) status!: string;
  @ApiProperty({ description: 'The effective dispatch time (UTC): the requested time moved, if needed, into the calling window and business hours', format: 'date-time', example: '2026-11-21T14:00:00.000Z' })
  scheduledAt!: string;
  @ApiProperty({ description: 'The time the client asked for (UTC); the time of the request when it gave none', format: 'date-time', example: '2026-11-21T09:00:00.000Z' })
  requestedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: ScheduleView, description: 'Why scheduledAt differs from requestedAt, and the rules applied' })
  schedule!: ScheduleView | null;
  @ApiProperty({ description: 'Created without scheduledAt and allowed to go out at once (false when a window or business hours moved it)' }) asap!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) timezone!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) routing!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
  @ApiPropertyOptional({ nullable: true, type: String, description: "The vendor's id for the callback" }) vendorReference!: string | null;
  @ApiProperty({ example: 0 }) attemptCount!: number;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T15:20:00.000Z' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T15:20:00.000Z' }) updatedAt!: string;
  @ApiProperty({ example: 1, description: 'Increases with every change' }) version!: number;
}

export class CallbackPage {
  @ApiProperty({ type: [CallbackView] }) items!: CallbackView[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!: string | null;
}

export class AttemptView {
  @ApiProperty() number!: number;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) endedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, enum: ['succeeded', 'retryable', 'permanent', 'unknown'] }) outcome!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) httpStatus!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) errorCode!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) durationMs!: number | null;
}

export function toView(i: Intent): CallbackView {
  return {
    id: i.id,
    client: i.client,
    account: i.account,
    phoneNumber: i.phoneNumber,
    status: i.status,
    scheduledAt: i.dueAt.toISOString(),
    requestedAt: (i.requestedAt ?? i.dueAt).toISOString(),
    schedule: (i.schedule as unknown as ScheduleView | null) ?? null,
    asap: i.asap,
    timezone: i.timezone,
    notes: i.notes,
    routing: i.routing as Record<string, unknown>,
    metadata: i.metadata as Record<string, unknown>,
    vendorReference: i.vendorRef,
    attemptCount: i.attemptCount,
    lastError: i.lastError,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    version: i.version,
  };
}

export function toAttemptView(a: Attempt): AttemptView {
  return {
    number: a.number,
    startedAt: a.startedAt.toISOString(),
    endedAt: a.endedAt?.toISOString() ?? null,
    outcome: a.outcome,
    httpStatus: a.httpStatus,
    errorCode: a.errorCode,
    errorMessage: a.errorMessage,
    durationMs: a.durationMs,
  };
}
