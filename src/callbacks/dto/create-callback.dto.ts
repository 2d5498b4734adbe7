import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsE164, IsIanaZone, IsIsoInstantOrLocal, IsPlainObject } from '../../common/validators';

export const ON_DUPLICATE = ['reject', 'return_existing', 'replace'] as const;
export type OnDuplicate = (typeof ON_DUPLICATE)[number];

export const OUTSIDE_WINDOW = ['defer', 'reject'] as const;

export class CreateCallbackDto {
  @ApiProperty({ description: 'Vendor account (from the accounts file) that should place the call', example: 'sim' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: 'account must be an account id such as "sim"' })
  account!: string;

  @ApiProperty({ description: 'Customer phone number, E.164', example: '+12518717081' })
  @IsE164()
  phoneNumber!: string;

  @ApiPropertyOptional({
    description:
      'When to call: ISO 8601 with an offset, or a local date-time without one (read in timezone, or the zone inferred from the number; ' +
      'a time in a spring-forward gap becomes the first valid instant after it, one in a fall-back overlap the earlier instant). Absent = as soon as possible. ' +
      "Moved to the next opening of the account's calling window and business hours unless outsideWindow is reject.",
    example: '2026-11-21T15:30:00Z',
  })
  @IsOptional()
  @IsIsoInstantOrLocal()
  scheduledAt?: string;

  @ApiPropertyOptional({
    description:
      "Customer's IANA time zone: the calling window is read in it (and vendors that use it get it). Absent: a region rule's zone, the number's country when it keeps one time, or the account's defaultTimezone; else 422 timezone_required where a window applies.",
    example: 'America/Chicago',
  })
  @IsOptional()
  @IsIanaZone()
  timezone?: string;

  @ApiPropertyOptional({ description: 'Notes for the agent', maxLength: 2000, example: 'Asked about invoice 1042' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;

  @ApiPropertyOptional({ description: "Vendor-specific routing, validated by the account's adapter", example: {}, type: 'object', additionalProperties: true })
  @IsOptional()
  @IsPlainObject()
  routing?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Opaque data echoed back (≤ 4 KB)', example: { ticket: 'T-1042' }, type: 'object', additionalProperties: true })
  @IsOptional()
  @IsPlainObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: ON_DUPLICATE, example: 'reject', description: 'What a second live callback for the same account and phone number gets; absent = reject' })
  @IsOptional()
  @IsIn(ON_DUPLICATE)
  onDuplicate?: OnDuplicate;

  @ApiPropertyOptional({
    enum: OUTSIDE_WINDOW,
    example: 'defer',
    description: "A time outside the callee's calling window, the contact center's business hours or a region's call limit: defer (move to the next opening) or reject (422 naming the window, with error.nextOpening); absent = defer",
  })
  @IsOptional()
  @IsIn(OUTSIDE_WINDOW)
  outsideWindow?: (typeof OUTSIDE_WINDOW)[number];
}
