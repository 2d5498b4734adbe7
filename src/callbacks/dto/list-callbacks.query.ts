import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { IsE164, IsIsoInstant } from '../../common/validators';
import { PageQuery } from '../../common/page.query';

export const STATUSES = ['scheduled', 'dispatching', 'dispatched', 'failed', 'cancelled', 'expired'] as const;

export class ListCallbacksQuery extends PageQuery {
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
}

