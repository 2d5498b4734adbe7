import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsIanaZone, IsIsoInstant } from '../../common/validators';

export class UpdateCallbackDto {
  @ApiPropertyOptional({ description: 'New time to call (ISO 8601 with offset)', example: '2026-11-21T16:00:00Z' })
  @IsOptional()
  @IsIsoInstant()
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
}
