import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ScheduleReasonView {
  @ApiProperty({ enum: ['local_time_in_gap', 'local_time_ambiguous', 'outside_calling_window', 'outside_business_hours', 'holiday', 'attempt_limit', 'dispatch_outside_window'], example: 'outside_calling_window' })
  code!: string;
  @ApiProperty({ example: '2026-11-21T03:00-06:00 America/Chicago is outside the calling window 08:00–21:00 America/Chicago; next opening 2026-11-21T08:00-06:00 America/Chicago' })
  message!: string;
}

export class ScheduleZoneView {
  @ApiProperty({ example: 'America/Chicago' }) zone!: string;
  @ApiProperty({ enum: ['request', 'region', 'phone_country', 'account_default'], description: 'Where the zone came from' }) source!: string;
}

export class CallingWindowView {
  @ApiProperty({ example: '08:00' }) start!: string;
  @ApiProperty({ example: '21:00', description: 'Exclusive' }) end!: string;
  @ApiProperty({ example: 'America/Chicago' }) zone!: string;
  @ApiProperty({ type: [String], example: ['us-tx'], description: 'Region rules that matched the number' }) regions!: string[];
}

export class BusinessHoursView {
  @ApiProperty({ example: 'America/New_York' }) zone!: string;
  @ApiProperty({ description: 'false when the account says the vendor queues callbacks while closed' }) applied!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) note!: string | null;
}

export class AttemptLimitView {
  @ApiProperty({ example: 3 }) maxPer24h!: number;
  @ApiProperty({ example: 1, description: 'Calls to this number on this account in the 24 h before the answer' }) recent!: number;
}

/** Why the effective dispatch time (scheduledAt) differs from requestedAt, and the rules applied. */
export class ScheduleView {
  @ApiPropertyOptional({ nullable: true, type: ScheduleZoneView }) timezone!: ScheduleZoneView | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '2026-03-08T02:30', description: 'The local date-time the request gave without an offset' }) requestedLocal!: string | null;
  @ApiProperty({ type: [ScheduleReasonView], description: 'Empty when the callback goes out at the requested time' }) reasons!: ScheduleReasonView[];
  @ApiPropertyOptional({ nullable: true, type: CallingWindowView }) callingWindow!: CallingWindowView | null;
  @ApiPropertyOptional({ nullable: true, type: BusinessHoursView }) businessHours!: BusinessHoursView | null;
  @ApiPropertyOptional({ nullable: true, type: AttemptLimitView }) attemptLimit!: AttemptLimitView | null;
}
