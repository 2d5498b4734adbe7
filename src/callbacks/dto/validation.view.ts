import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ScheduleInfo } from '../../schedule/schedule-resolver';
import { ScheduleView } from './schedule.view';

export class ValidationErrorView {
  @ApiProperty({ example: 'outside_calling_window' }) code!: string;
  @ApiProperty({ example: '2026-11-21T03:00-06:00 America/Chicago is outside the calling window 08:00–21:00 America/Chicago; next opening 2026-11-21T08:00-06:00 America/Chicago (outsideWindow: reject)' })
  message!: string;
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } }, example: [{ field: 'scheduledAt', message: '…' }] })
  details!: { field: string; message: string }[];
  [extra: string]: unknown;
}

/** The answer of POST /v1/callbacks/validate: what create would do now, nothing stored. */
export class ValidationView {
  @ApiProperty({ description: 'Create would succeed (201, or 200 for return_existing / replace)' }) accepted!: boolean;
  @ApiProperty({ description: 'The HTTP status create would answer', example: 201 }) status!: number;
  @ApiProperty({ enum: ['created', 'return_existing', 'replace', 'rejected'] }) outcome!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time', example: '2026-11-21T09:00:00.000Z' }) requestedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time', description: 'The effective dispatch time create would store', example: '2026-11-21T14:00:00.000Z' })
  scheduledAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) asap!: boolean | null;
  @ApiPropertyOptional({ nullable: true, type: ScheduleView }) schedule!: ScheduleInfo | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid', description: 'The live callback a duplicate would return or replace' }) existingId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: ValidationErrorView, description: 'The error create would answer (same shape as error in the error body)' }) error!: ValidationErrorView | null;
}
