import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SCOPES, Scope } from '../common/auth';
import { IsIsoInstant } from '../common/validators';

export class CreateKeyDto {
  @ApiProperty({ description: 'The calling service the key belongs to', example: 'billing' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{0,99}$/i, { message: 'client must be 1–100 letters, digits, . _ - (starting with a letter or digit)' })
  client!: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['callbacks:read', 'callbacks:write'], description: '`admin` implies every scope' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(3)
  @IsIn(SCOPES, { each: true, message: `each scope must be one of ${SCOPES.join(', ')}` })
  scopes!: Scope[];

  @ApiPropertyOptional({ description: 'A label for people', example: 'billing-prod', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ description: 'When the key stops working (ISO 8601). Absent = until revoked.', example: '2027-11-21T00:00:00Z' })
  @IsOptional()
  @IsIsoInstant()
  expiresAt?: string;
}

export class RotateKeyDto {
  @ApiPropertyOptional({ description: 'How long the old key keeps working, in seconds; absent = 86400', example: 86_400, minimum: 0, maximum: 2_592_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_592_000)
  overlapSeconds?: number;
}

export class ListKeysQuery {
  @ApiPropertyOptional({ description: 'Only this client\'s keys', example: 'billing' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{0,99}$/i, { message: 'client must be a client name' })
  client?: string;
}

export class ApiKeyViewDto {
  @ApiProperty({ example: '3f9a0c41d2e7' }) id!: string;
  @ApiProperty({ example: 'billing' }) client!: string;
  @ApiProperty({ nullable: true, type: String, example: 'billing-prod' }) name!: string | null;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes!: Scope[];
  @ApiProperty({ enum: ['active', 'expiring', 'expired', 'revoked'], description: '`expiring`: valid until expiresAt (for example the old key of a rotation)' })
  status!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Last use, to the minute' }) lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The key this one was rotated to' }) rotatedTo!: string | null;
}

export class CreatedKeyDto extends ApiKeyViewDto {
  @ApiProperty({ description: 'The full key. Shown only in this answer.', example: 'cbo_3f9a0c41d2e7_…' })
  key!: string;
}

export class ApiKeyPage {
  @ApiProperty({ type: [ApiKeyViewDto] }) items!: ApiKeyViewDto[];
}
