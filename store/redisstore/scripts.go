package redisstore

import "github.com/redis/go-redis/v9"

// Every script gets KEYS[1] = the session hash (<prefix>{<id>}:s) and
// KEYS[2] = the cookie hash (<prefix>{<id>}:c): one hash slot, so they run
// unchanged on a cluster. ARGV[1..4] are always now (epoch ms, from the
// store's clock), the idle timeout, the max age (ms, 0 = no such rule)
// and the grace (ms); each script's own arguments start at ARGV[5].
//
// Expiry: the session expires at min(lastUsed + idle, createdAt + maxAge)
// (store.Expiry.ExpiresAt), never when it is pinned (data.pinned is true,
// read from the hash as it stands). It is expired when now is past that instant
// (strictly, as store.Expiry.Expired); every read checks that. Redis is
// told with PEXPIRE of the time left by the store's clock plus the grace,
// so Redis drops the keys shortly after the session expires even when the
// store's clock differs from Redis's; with no rule at all the keys are
// PERSISTed; an expiry already past deletes the session, it is never left
// without a TTL.
const luaCommon = `
local now, idle, maxage, grace = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local function expiresAt(c, u)
  if redis.call('HGET', KEYS[1], 'd:pinned') == 'true' then return nil end
  local at = nil
  if idle > 0 then at = u + idle end
  if maxage > 0 then
    local m = c + maxage
    if at == nil or m < at then at = m end
  end
  return at
end
local function expired(c, u)
  local at = expiresAt(c, u)
  return at ~= nil and now > at
end
local function setExpiry(c, u)
  local at = expiresAt(c, u)
  if at == nil then
    redis.call('PERSIST', KEYS[1])
    redis.call('PERSIST', KEYS[2])
    return true
  end
  if now > at then
    redis.call('DEL', KEYS[1], KEYS[2])
    return false
  end
  local ttl = string.format('%d', at - now + grace)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  return true
end
local function hsetRange(key, from, to)
  local i = from
  while i <= to do
    local j = math.min(to, i + 399)
    redis.call('HSET', key, unpack(ARGV, i, j))
    i = j + 1
  end
end
`

// touchScript: ARGV[5] = "1" to touch. Returns 0 when the session is
// missing or expired (an expired session is deleted), else 1, after
// setting lastUsed to now and moving the expiry on when touching. Get runs
// it in a MULTI/EXEC with HGETALL of both keys after it, so that Redis
// sends the hashes natively (one round trip, atomic) instead of passing
// them through Lua. Timestamps that are not numbers are left untouched, for
// the client to report as corrupted.
var touchScript = redis.NewScript(luaCommon + `
local cu = redis.call('HMGET', KEYS[1], 'c', 'u')
local c, u = tonumber(cu[1]), tonumber(cu[2])
if c == nil or u == nil then
  return redis.call('EXISTS', KEYS[1])
end
if expired(c, u) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[1], 'u', ARGV[1])
  setExpiry(c, now)
end
return 1
`)

// hasScript returns 1 when the session exists and has not expired (an
// expired one is deleted), else 0.
var hasScript = redis.NewScript(luaCommon + `
local cu = redis.call('HMGET', KEYS[1], 'c', 'u')
local c, u = tonumber(cu[1]), tonumber(cu[2])
if c == nil or u == nil then
  return redis.call('EXISTS', KEYS[1])
end
if expired(c, u) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
return 1
`)

// deleteScript deletes both keys; returns 1 when a live session was there.
var deleteScript = redis.NewScript(luaCommon + `
local cu = redis.call('HMGET', KEYS[1], 'c', 'u')
local existed = redis.call('EXISTS', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
if existed == 0 then return 0 end
local c, u = tonumber(cu[1]), tonumber(cu[2])
if c and u and expired(c, u) then return 0 end
return 1
`)

// writeScript stores a whole session. ARGV[5] = "1" replaces an existing
// session (AddSerialized); otherwise a live session makes it return -1.
// ARGV[6], ARGV[7] = createdAt, lastUsed (ms); ARGV[8] = n, the number of
// session-hash pairs that follow from ARGV[9]; cookie-hash pairs after them.
// Returns 1 when stored, 0 when it had already expired (nothing stored).
var writeScript = redis.NewScript(luaCommon + `
if ARGV[5] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then
  local cu = redis.call('HMGET', KEYS[1], 'c', 'u')
  local c, u = tonumber(cu[1]), tonumber(cu[2])
  if not (c and u and expired(c, u)) then return -1 end
end
redis.call('DEL', KEYS[1], KEYS[2])
local c, u = tonumber(ARGV[6]), tonumber(ARGV[7])
local n = tonumber(ARGV[8])
hsetRange(KEYS[1], 9, 8 + 2 * n)
hsetRange(KEYS[2], 9 + 2 * n, #ARGV)
if not setExpiry(c, u) then return 0 end
return 1
`)

// saveScript applies a diff. ARGV[5] createdAt, ARGV[6] lastUsed, ARGV[7]
// jar header ("" = unchanged; lastUsed only ever moves forward);
// ARGV[8..11] = counts of data sets (key, JSON key, raw value), data
// deletions (key, JSON key), cookie sets (field, JSON) and cookie deletions
// (field); ARGV[12] = the localStorage mode ("", "obj": it is an object
// kept per origin, "drop": it no longer is), ARGV[13..14] = counts of
// localStorage sets (origin, JSON origin, raw) and deletions (origin, JSON
// origin). The items follow from ARGV[15] in that order.
// Returns 0 when the session is gone or expired, 1 when applied, and an
// error reply when its timestamps are corrupted.
var saveScript = redis.NewScript(luaCommon + `
local function olAdd(field, ek)
  local order = redis.call('HGET', KEYS[1], field) or ''
  if not string.find(',' .. order .. ',', ',' .. ek .. ',', 1, true) then
    if order == '' then order = ek else order = order .. ',' .. ek end
    redis.call('HSET', KEYS[1], field, order)
  end
end
local function olDel(field, ek)
  local order = redis.call('HGET', KEYS[1], field)
  if not order then return end
  local w = ',' .. order .. ','
  local p = string.find(w, ',' .. ek .. ',', 1, true)
  if p then
    w = string.sub(w, 1, p) .. string.sub(w, p + #ek + 2)
    redis.call('HSET', KEYS[1], field, string.sub(w, 2, #w - 1))
  end
end
local LS = '"localStorage"'

local cu = redis.call('HMGET', KEYS[1], 'c', 'u')
local c, u = tonumber(cu[1]), tonumber(cu[2])
if c == nil or u == nil then
  if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
  return redis.error_reply('CORRUPTED session timestamps are not numbers')
end
if expired(c, u) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
if ARGV[5] ~= '' then
  c = tonumber(ARGV[5])
  redis.call('HSET', KEYS[1], 'c', ARGV[5])
end
if ARGV[6] ~= '' then
  local nu = tonumber(ARGV[6])
  if nu > u then
    u = nu
    redis.call('HSET', KEYS[1], 'u', ARGV[6])
  end
end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'j', ARGV[7]) end
local nDS, nDD, nCS, nCD = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local lsMode, nLS, nLD = ARGV[12], tonumber(ARGV[13]), tonumber(ARGV[14])
if lsMode == 'drop' then
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(f, 1, 2) == 'l:' then redis.call('HDEL', KEYS[1], f) end
  end
  redis.call('HDEL', KEYS[1], 'L')
  if redis.call('HEXISTS', KEYS[1], 'd:localStorage') == 0 then olDel('o', LS) end
elseif lsMode == 'obj' then
  redis.call('HDEL', KEYS[1], 'd:localStorage')
  redis.call('HSETNX', KEYS[1], 'L', '')
  olAdd('o', LS)
end
local i = 15
for n = 1, nDS do
  redis.call('HSET', KEYS[1], 'd:' .. ARGV[i], ARGV[i + 2])
  olAdd('o', ARGV[i + 1])
  i = i + 3
end
for n = 1, nDD do
  redis.call('HDEL', KEYS[1], 'd:' .. ARGV[i])
  if ARGV[i] ~= 'localStorage' or redis.call('HEXISTS', KEYS[1], 'L') == 0 then
    olDel('o', ARGV[i + 1])
  end
  i = i + 2
end
for n = 1, nCS do
  local f, js = ARGV[i], ARGV[i + 1]
  i = i + 2
  local old = redis.call('HGET', KEYS[2], f)
  local seq = old and string.match(old, '^(%d+) ')
  if not seq then seq = string.format('%d', redis.call('HINCRBY', KEYS[1], 'q', 1)) end
  redis.call('HSET', KEYS[2], f, seq .. ' ' .. js)
end
for n = 1, nCD do
  redis.call('HDEL', KEYS[2], ARGV[i])
  i = i + 1
end
if nLS > 0 or nLD > 0 then
  if redis.call('HEXISTS', KEYS[1], 'L') == 0 then
    -- another instance replaced localStorage by a non-object meanwhile:
    -- the object form wins again, as it is the one being written now
    redis.call('HDEL', KEYS[1], 'd:localStorage')
    redis.call('HSET', KEYS[1], 'L', '')
    olAdd('o', LS)
  end
end
for n = 1, nLS do
  redis.call('HSET', KEYS[1], 'l:' .. ARGV[i], ARGV[i + 2])
  olAdd('L', ARGV[i + 1])
  i = i + 3
end
for n = 1, nLD do
  redis.call('HDEL', KEYS[1], 'l:' .. ARGV[i])
  olDel('L', ARGV[i + 1])
  i = i + 2
end
if not setExpiry(c, u) then return 0 end
return 1
`)
