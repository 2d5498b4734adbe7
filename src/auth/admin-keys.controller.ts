import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { RequireScopes } from '../common/auth';
import { ApiKeys } from './api-keys';
import { ApiKeyPage, ApiKeyViewDto, CreatedKeyDto, CreateKeyDto, ListKeysQuery, RotateKeyDto } from './admin-keys.dto';

/** API keys of the calling services. Every route needs the `admin` scope. */
@ApiTags('admin')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/admin/keys')
export class AdminKeysController {
  constructor(private readonly keys: ApiKeys) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key for a client; the full key is in this answer only' })
  @ApiCreatedResponse({ type: CreatedKeyDto })
  @ApiErrors(413, 415)
  create(@Body() dto: CreateKeyDto): Promise<CreatedKeyDto> {
    return this.keys.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (never their secrets)' })
  @ApiOkResponse({ type: ApiKeyPage })
  @ApiErrors()
  async list(@Query() q: ListKeysQuery): Promise<ApiKeyPage> {
    return { items: await this.keys.list(q.client) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an API key (never its secret)' })
  @ApiOkResponse({ type: ApiKeyViewDto })
  @ApiParam({ name: 'id', description: 'The key id' })
  @ApiErrors(404)
  get(@Param('id') id: string): Promise<ApiKeyViewDto> {
    return this.keys.get(id);
  }

  @Post(':id/rotate')
  @ApiOperation({ summary: 'Issue a new key with the same client and scopes; the old one keeps working for overlapSeconds' })
  @ApiCreatedResponse({ type: CreatedKeyDto })
  @ApiParam({ name: 'id', description: 'The key id' })
  @ApiErrors(404, 409, 413, 415)
  rotate(@Param('id') id: string, @Body() dto: RotateKeyDto): Promise<CreatedKeyDto> {
    return this.keys.rotate(id, (dto.overlapSeconds ?? 86_400) * 1000);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a key at once' })
  @ApiOkResponse({ type: ApiKeyViewDto })
  @ApiParam({ name: 'id', description: 'The key id' })
  @ApiErrors(404)
  revoke(@Param('id') id: string): Promise<ApiKeyViewDto> {
    return this.keys.revoke(id);
  }
}
