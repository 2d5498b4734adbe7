import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { OUTSIDE_WINDOW } from './create-callback.dto';
import { IsIanaZone, IsIsoInstantOrLocal } from '../../common/validators';

export class UpdateCallbackDto {
  @ApiPropertyOptional({ description: 'New time to call (ISO 8601 with offset, or local in timezone); goes through the calling window and business hours like create', example: '2026-11-21T16:00:00Z' })
  @IsOptional()
  @IsIsoInstantOrLocal()
  scheduledAt?: string;

  @ApiPropertyOptional({ description: 'New IANA time zone, or null to clear', nullable: true, example: 'Europe/Paris' })
  @ValidateIf((o: UpdateCallbackDto) => o.timezone !== null && o.timezone !== undefined)
  @IsIanaZone()
  timezone?: string | null;

  @ApiPropertyOptional({ description: 'New notes, or null to clear', nullable: true, maxLength: 2000 })
  @ValidateIf((o: UpdateCallbackDto) => o.notes !== null && o.notes !== undefined)
  @IsString()
  @MaxLength(2000)
  notes?: string | null;

  @ApiPropertyOptional({ enum: OUTSIDE_WINDOW, example: 'defer', description: 'As on create, for the new time; absent = defer' })
  @IsOptional()
  @IsIn(OUTSIDE_WINDOW)
  outsideWindow?: (typeof OUTSIDE_WINDOW)[number];
}
