/**
 * A rolling-window limiter per account in Redis: never more than `max` calls
 * in any window of `windowMs`, across every worker. BullMQ's own limiter is a
 * fixed window and can let 2·max through at a window edge, so it is not used.
 *
 * Each granted call is a member of a sorted set scored by Redis server time.
 * A slot is re-stamped when the vendor answers (settle), so latency cannot
 * squeeze two calls into one window at the vendor. A refused call learns
 * exactly when the oldest call leaves the window, so a
 * backlog is released as soon as the allowance allows: full use, no overshoot.
 */
import type Redis from 'ioredis';
import type { RateLimit } from '../config/accounts';

const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - now + 1
`;

const SETTLE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return now
`;

export class RollingWindowLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.redis.defineCommand('cboAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE });
    this.redis.defineCommand('cboSettleSlot', { numberOfKeys: 1, lua: SETTLE });
  }

  private key(accountId: string): string {
    return `${this.prefix}:ratelimit:${accountId}`;
  }

  /** 0 = granted (the slot is held by `token`); otherwise the ms to wait before trying again. */
  async acquire(accountId: string, limit: RateLimit, token: string): Promise<number> {
    const cmd = (this.redis as unknown as Record<string, (...a: unknown[]) => Promise<number>>).cboAcquireSlot;
    return Number(await cmd.call(this.redis, this.key(accountId), limit.max, limit.windowMs, token));
  }

  /**
   * Re-stamps a slot with the time the vendor's answer came back. The vendor
   * counts a call when it arrives, somewhere between our send and its answer;
   * holding the slot for a full window after the answer means no later call
   * can arrive within a window of it, whatever the latency was.
   */
  async settle(accountId: string, limit: RateLimit, token: string): Promise<void> {
    const cmd = (this.redis as unknown as Record<string, (...a: unknown[]) => Promise<number>>).cboSettleSlot;
    await cmd.call(this.redis, this.key(accountId), token, limit.windowMs);
  }

  /** Gives a slot back when the call it was taken for did not happen. */
  async release(accountId: string, token: string): Promise<void> {
    await this.redis.zrem(this.key(accountId), token);
  }
}
