import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { IsE164, IsIsoInstant } from '../../common/validators';

export const STATUSES = ['scheduled', 'dispatching', 'dispatched', 'failed', 'cancelled', 'expired'] as const;

export class ListCallbacksQuery {
  @ApiPropertyOptional({ description: 'Comma-separated statuses', example: 'scheduled,dispatching' })
  @IsOptional()
  @Matches(new RegExp(`^(${STATUSES.join('|')})(,(${STATUSES.join('|')}))*$`), { message: `status must be a comma-separated list of ${STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ example: 'sim' })
  @IsOptional()
  @IsString()
  account?: string;

  @ApiPropertyOptional({ example: '+12518717081' })
  @IsOptional()
  @IsE164()
  phoneNumber?: string;

  @ApiPropertyOptional({ description: 'Due at or after (ISO 8601)' })
  @IsOptional()
  @IsIsoInstant()
  dueFrom?: string;

  @ApiPropertyOptional({ description: 'Due before (ISO 8601)' })
  @IsOptional()
  @IsIsoInstant()
  dueTo?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (nextCursor)' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, example: 50, description: 'Page size; absent = 50' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

