-- XMMEP analysis across messages, over DATA.relations, which the generator
-- writes from the message table. Its twin is the Rust analysis,
-- crates/xmmep-core/src/analysis/ (facts.rs, tracker.rs, the ordinals of
-- mod.rs), and codec::info::frame_info (crates/xmmep-core/src/codec/info.rs).
-- Pure Lua 5.2..5.4 with no Wireshark API: the glue feeds it on the first
-- pass and shows what it holds on every pass.
-- crates/xmmep-lua-tests/tests/analysis.rs keeps the two equal (random
-- conversations through both trackers: links, transfers, session users,
-- reports, users, Info); tests/analysis.rs compares the plugin and the
-- script through tshark in two passes. A change to one is a change to the
-- other.
--
-- A message is named by one number, frame * 65536 + index (its place among
-- the frame's XMMEP messages), which orders like the Rust MsgRef. Times are
-- (seconds, nanoseconds) pairs, the seconds possibly fractional; intervals
-- are whole nanoseconds.

local DATA, core = ...
local R = DATA.relations
local fill = core.fill
local T = DATA.texts
local floor = math.floor
local M = {}

local function name(code)
  local m = DATA.messages[code]
  return m and m.name or "?"
end

-- ------------------------------------------------------------ relations

local roles = {}
local function role(code)
  local r = roles[code]
  if not r then r = {}; roles[code] = r end
  return r
end
for i, e in ipairs(R.exchanges) do
  role(e.request).request = i
  for _, c in ipairs(e.responses) do role(c).response = i end
  if e["end"] then role(e["end"]).ending = i end
end
for i, f in ipairs(R.forwards) do
  role(f.original).original = i
  role(f.forward).forward = i
end
for s, c in ipairs(R.transfer.stages) do role(c).stage = s end
local NO_ROLES = {}
-- The one empty list every message without users, forwards or reports
-- shares; writing to it is a bug.
local EMPTY = setmetatable({}, { __newindex = function() error("EMPTY is shared") end })
function M.roles(code) return roles[code] or NO_ROLES end

-- ------------------------------------------------------------ facts

-- What facts does with the items of each field, per message code (made
-- once per code): WANTED, its first item is read (the keys, numbers and
-- texts its roles need, and the flags that make a user field a room's);
-- USER, its items are user names; BOTH. One lookup per item, and none of a
-- field the message's facts ignore.
local USERS = R.users
local WANTED, USER, BOTH = 1, 2, 3
local want = setmetatable({}, { __index = function(t, code)
  local w, r = {}, roles[code] or NO_ROLES
  local function mark(f, what)
    local x = w[f]
    if x ~= what and x ~= BOTH then w[f] = (x or 0) + what end
  end
  local function wanted(f) mark(f, WANTED) end
  for f, u in pairs(USERS) do
    mark(f, USER)
    if u ~= true then wanted(u) end
  end
  if r.response or r.ending then wanted(R.seq_num) end
  if code == R.login.outcome then wanted(R.login.result) end
  if code == R.login.request then wanted(R.login.user) end
  local fw = r.original or r.forward
  if fw then for _, f in ipairs(R.forwards[fw].keys) do wanted(f) end end
  if r.stage then
    local tr = R.transfer
    for _, f in ipairs(tr.keys) do wanted(f) end
    wanted(tr.file_name); wanted(tr.file_size); wanted(tr.accepted)
  end
  t[code] = w
  return w
end })

-- analysis::facts::key_part: text as it is, numbers in decimal, Booleans 1/0.
local function key_part(bytes, dec, i)
  local k = dec.kind[i]
  if k == "text" or k == "invalid" then return bytes:sub(dec.off[i] + 1, dec.off[i] + dec.len[i]) end
  if k == "uint" or k == "int" or k == "time" then return dec.v[i] end
  if k == "bool" then return dec.v[i] and "1" or "0" end
end

local function key(bytes, dec, at, fields)
  local parts = {}
  for n, f in ipairs(fields) do
    local i = at[f]
    local p = i and key_part(bytes, dec, i)
    if not p then return nil end
    parts[n] = p
  end
  return table.concat(parts, "\0")
end

local function int(dec, i)
  if i and (dec.kind[i] == "uint" or dec.kind[i] == "int") then return tonumber(dec.v[i]) end
end

-- A text value, as `text_of(offset, len)` shows it if given (Wireshark's
-- conversion, while the message is in the packet), else its bytes.
local function text(bytes, dec, i, text_of)
  if i and dec.kind[i] == "text" then
    local o, l = dec.off[i], dec.len[i]
    if text_of then return text_of(o, l) end
    return bytes:sub(o + 1, o + l)
  end
end

-- `at` (the first item of each wanted field) is one table for every
-- message, emptied after use: facts runs for every message. So are the
-- facts and their user list (and its pairs): valid until the next call,
-- which every caller respects (the tracker keeps values, not the table).
-- A table per message would be garbage a long capture pays for in
-- collection time.
local at = {}
local FACTS, USER_LIST, CAND, SET = {}, {}, {}, {}
local NO_FACTS = { msg_type = 0, roles = NO_ROLES, users = EMPTY }
-- Relations::facts: what the tracker needs of one decoded message. The
-- values only shown (the logged-in user, the file name) go through
-- `text_of` when given. One pass over the items: the first item of each
-- wanted field, and the user fields.
function M.facts(bytes, dec, text_of)
  if not dec.header then return NO_FACTS end
  local code = dec.header.msg_type
  local r = M.roles(code)
  local f = FACTS
  f.msg_type, f.roles, f.users = code, r, EMPTY
  f.seq_num, f.result, f.login_user, f.forward_key = nil, nil, nil, nil
  f.transfer_key, f.file_name, f.file_size, f.accepted = nil, nil, nil, nil
  local w = want[code]
  local F, K, O, L = dec.f, dec.kind, dec.off, dec.len
  local n = dec.n
  -- User fields are weighed once `at` is complete (a flag may follow).
  -- SET lists the fields `at` holds, for emptying it.
  local ncand, nset = 0, 0
  for i = 1, n do
    local fi = F[i]
    local x = w[fi]
    if x then
      if x ~= USER and not at[fi] then
        at[fi] = i
        nset = nset + 1
        SET[nset] = fi
      end
      if x ~= WANTED and K[i] == "text" and L[i] > 0 then
        ncand = ncand + 1
        CAND[ncand] = i
      end
    end
  end
  local nu = 0
  for c = 1, ncand do
    local i = CAND[c]
    local u = USERS[F[i]]
    if u ~= true then
      local flag = at[u]
      u = not (flag and K[flag] == "bool" and dec.v[flag] == true)
    end
    if u then
      nu = nu + 1
      local pair = USER_LIST[nu]
      if pair then pair[1], pair[2] = O[i], L[i] else USER_LIST[nu] = { O[i], L[i] } end
    end
  end
  if nu > 0 then
    for k = nu + 1, #USER_LIST do USER_LIST[k] = nil end
    f.users = USER_LIST
  end
  if r.response or r.ending then f.seq_num = int(dec, at[R.seq_num]) end
  if code == R.login.outcome then f.result = int(dec, at[R.login.result]) end
  if code == R.login.request then f.login_user = text(bytes, dec, at[R.login.user], text_of) end
  local fw = r.original or r.forward
  if fw then f.forward_key = key(bytes, dec, at, R.forwards[fw].keys) end
  if r.stage then
    local t = R.transfer
    f.transfer_key = key(bytes, dec, at, t.keys)
    f.file_name = text(bytes, dec, at[t.file_name], text_of)
    f.file_size = int(dec, at[t.file_size])
    local a = at[t.accepted]
    if a and K[a] == "bool" then f.accepted = dec.v[a] end
  end
  for k = 1, nset do at[SET[k]] = nil end
  return f
end

-- ------------------------------------------------------------ ordinals

-- analysis::Ordinals: the place of the next message of `frame`; `seen` is
-- how many the first pass saw there (0 on the first pass).
function M.new_ordinals() return { frame = -1, next = 0 } end
function M.next_ref(o, frame, seen)
  if frame ~= o.frame then o.frame, o.next = frame, 0 end
  local n = o.next
  o.next = n + 1
  if seen > 0 then n = n % seen end
  return frame * 65536 + n
end

-- ------------------------------------------------------------ tracker

-- A map whose keys beyond `cap` push out the oldest (tracker::Bounded).
local function bounded(cap) return { map = {}, order = {}, head = 1, tail = 0, cap = cap } end
local function bset(b, k, v)
  if b.map[k] == nil then
    b.tail = b.tail + 1
    b.order[b.tail] = k
    if b.tail - b.head + 1 > b.cap then
      local old = b.order[b.head]
      b.order[b.head] = nil
      b.head = b.head + 1
      b.map[old] = nil
    end
  end
  b.map[k] = v
end

-- Nanoseconds from (s1, n1) to (s2, n2), to the nearest one (the glue
-- gives seconds as a fraction).
local function interval(s1, n1, s2, n2) return floor((s2 - s1) * 1000000000 + (n2 - n1) + 0.5) end

-- The links of the messages are kept in flat maps from a message's number
-- (one map per link kind, none of all linked messages: M.linked asks the
-- maps), not in a table per message: a long capture holds an entry per
-- related message in each, and Lua's collector walks every entry on each
-- of its cycles (time), and memory is a budget (peak RSS).
-- M.links makes the view of one message when asked.
local LINK_MAPS = { "req", "rto", "rto_ns", "rin", "eend", "fwo", "fwo_ns", "fwc", "fws", "reps", "tr" }
function M.new_tracker()
  local t = { convs = {}, originals = {}, transfers = {}, tkeys = bounded(R.max_keys), frame_messages = {}, last = -1 }
  for _, k in ipairs(LINK_MAPS) do t[k] = {} end
  for i = 1, #R.forwards do t.originals[i] = bounded(R.max_keys) end
  return t
end

-- Appends v to the list of message `at` in map `m`.
local function append(m, at, v)
  local list = m[at]
  if list then list[#list + 1] = v else m[at] = { v } end
end

local function conv(t, c)
  local cv = t.convs[c]
  if not cv then
    cv = { pending = {}, answered = {}, session = {} }
    t.convs[c] = cv
  end
  return cv
end

function M.messages_in(t, frame) return t.frame_messages[frame] or 0 end
-- Whether message `at` has a link of any kind (a request, an answer, a
-- report, a forward or a transfer stage: every link sets one of these).
function M.linked(t, at)
  return t.req[at] or t.rto[at] or t.reps[at] or t.fwo[at] or t.fwc[at] or t.tr[at]
end
-- The links of message `at`, or nil: { request, response_to = { to, ns },
-- response_in, end_in, forward_of = { to, ns }, forward_count, forwards,
-- reports, transfer }.
-- The view is one table (and its two links) for every call, valid until
-- the next: it is asked for every message.
local VIEW, VIEW_RTO, VIEW_FWO = {}, {}, {}
function M.links(t, at)
  if not M.linked(t, at) then return nil end
  local v, rto, fwo = VIEW, t.rto[at], t.fwo[at]
  v.request = t.req[at]
  if rto then VIEW_RTO.to, VIEW_RTO.ns = rto, t.rto_ns[at]; v.response_to = VIEW_RTO else v.response_to = nil end
  v.response_in, v.end_in = t.rin[at], t.eend[at]
  if fwo then VIEW_FWO.to, VIEW_FWO.ns = fwo, t.fwo_ns[at]; v.forward_of = VIEW_FWO else v.forward_of = nil end
  v.forward_count, v.forwards = t.fwc[at] or 0, t.fws[at] or EMPTY
  v.reports, v.transfer = t.reps[at] or EMPTY, t.tr[at]
  return v
end
function M.transfer(t, i) return t.transfers[i] end

-- The user logged in on conversation `c` when message `at` passed: the
-- last login before it (a binary search: the logins are in capture order
-- and a long capture has many).
function M.session_user(t, c, at)
  local cv = t.convs[c]
  if not cv then return nil end
  local s = cv.session
  -- The first pass asks about its newest message: the last login.
  local last = s[#s]
  if not last or last[1] <= at then return last and last[2] end
  local lo, hi, found = 1, #s, nil
  while lo <= hi do
    local mid = floor((lo + hi) / 2)
    if s[mid][1] <= at then found, lo = mid, mid + 1 else hi = mid - 1 end
  end
  return found and s[found][2]
end

-- The report of a request nothing answered, once the whole capture is seen.
function M.unanswered(t, at, code)
  if not t.req[at] or t.rin[at] then return nil end
  local e = R.exchanges[M.roles(code).request]
  return "NoResponse", fill(T.no_response, name(e.responses[1]), name(code))
end

local function request(t, c, e, at, s, n, f)
  t.req[at] = true
  local cv = conv(t, c)
  local q = cv.pending[e]
  if not q then q = { head = 1, tail = 0 }; cv.pending[e] = q end
  q.tail = q.tail + 1
  q[q.tail] = { at = at, s = s, n = n, user = f.login_user, seqs = EMPTY }
  if q.tail - q.head + 1 > R.max_pending then
    q[q.head] = nil
    q.head = q.head + 1
  end
end

local function front(q) return q and q.head <= q.tail and q[q.head] or nil end
local function pop(q)
  local p = front(q)
  if p then
    q[q.head] = nil
    q.head = q.head + 1
    -- An empty queue starts again at 1: its keys stay few and small (a
    -- queue whose keys only grow is rehashed over and over).
    if q.head > q.tail then q.head, q.tail = 1, 0 end
  end
  return p
end

local function answer(t, c, e, at, s, n, f)
  local ex = R.exchanges[e]
  local cv = conv(t, c)
  local multi = ex["end"] ~= nil
  local continued = not multi and f.seq_num ~= nil and f.seq_num > 1
  local req
  if multi then
    -- A first part for a request that had one: that answer ended without
    -- its end (a refused login is RES1 alone); this answers the next.
    local q = cv.pending[e]
    if f.msg_type == ex.responses[1] and front(q) and front(q).answered then pop(q) end
    req = front(q)
  elseif continued and cv.answered[e] then
    req = cv.answered[e]
  else
    req = pop(cv.pending[e])
    if req then cv.answered[e] = req end
  end
  if not req then
    append(t.reps, at, { "NoRequest", fill(T.no_request, name(ex.request), name(f.msg_type)) })
    return
  end
  req.answered = true
  local report
  if f.seq_num then
    local last = req.seqs[f.msg_type]
    local expected = last and last + 1 or 1
    if f.seq_num ~= expected then
      local tpl = f.seq_num > expected and T.part_gap or T.part_repeat
      report = { "PartSequence", fill(tpl, name(f.msg_type), f.seq_num, expected) }
    end
    if not last or f.seq_num > last then
      if req.seqs == EMPTY then req.seqs = {} end
      req.seqs[f.msg_type] = f.seq_num
    end
  end
  if f.msg_type == ex["end"] then pop(cv.pending[e]) end
  if f.msg_type == R.login.outcome and f.result == 0 and req.user then
    cv.session[#cv.session + 1] = { at, req.user }
  end
  t.rto[at], t.rto_ns[at] = req.at, interval(req.s, req.n, s, n)
  if report then append(t.reps, at, report) end
  local ra = req.at
  if not t.rin[ra] then t.rin[ra] = at end
  if f.msg_type == ex["end"] then t.eend[ra] = at end
end

local function forward(t, i, at, s, n, f)
  local o = f.forward_key and t.originals[i].map[f.forward_key]
  if not o then
    local rel = R.forwards[i]
    append(t.reps, at, { "NoOriginal", fill(T.no_original, name(rel.original), rel.key_names) })
    return
  end
  t.fwo[at], t.fwo_ns[at] = o.at, interval(o.s, o.n, s, n)
  local oa = o.at
  t.fwc[oa] = (t.fwc[oa] or 0) + 1
  if #(t.fws[oa] or EMPTY) < R.max_listed_forwards then append(t.fws, oa, at) end
end

local function transfer_stage(t, stage, at, f)
  if not f.transfer_key then return end
  local id = t.tkeys.map[f.transfer_key]
  -- A new offer under a key already offered starts a new transfer.
  if not id or (stage == 1 and t.transfers[id].stages[1]) then
    id = #t.transfers + 1
    t.transfers[id] = { stages = {} }
    bset(t.tkeys, f.transfer_key, id)
  end
  local tr = t.transfers[id]
  if not tr.stages[stage] then tr.stages[stage] = at end
  if f.accepted ~= nil and stage >= 3 then tr.accepted = f.accepted end
  if tr.file_name == nil then tr.file_name = f.file_name end
  if tr.file_size == nil then tr.file_size = f.file_size end
  t.tr[at] = id
end

-- Tracker::observe: message `at` of conversation `c`, at time (s, n).
-- Messages come in capture order; one seen before is ignored.
function M.observe(t, c, at, s, n, f)
  if at <= t.last then return end
  t.last = at
  local frame, index = floor(at / 65536), at % 65536
  if (t.frame_messages[frame] or 0) < index + 1 then t.frame_messages[frame] = index + 1 end
  local r = f.roles
  if r.request then request(t, c, r.request, at, s, n, f) end
  local e = r.response or r.ending
  if e then answer(t, c, e, at, s, n, f) end
  if r.original and f.forward_key then bset(t.originals[r.original], f.forward_key, { at = at, s = s, n = n }) end
  if r.forward then forward(t, r.forward, at, s, n, f) end
  if r.stage then transfer_stage(t, r.stage, at, f) end
end

-- ------------------------------------------------------------ Info

-- codec::info::frame_info: the messages' texts joined by ", ", a run of
-- three or more parts of one multi-part answer summarised after its first.
function M.frame_info(msgs)
  local function part_of(code)
    local e = M.roles(code).response
    if e and R.exchanges[e]["end"] then return e end
  end
  local out, i = {}, 1
  while i <= #msgs do
    local code, txt = msgs[i][1], msgs[i][2]
    local e, run = part_of(code), 1
    if e then
      while msgs[i + run] and part_of(msgs[i + run][1]) == e do run = run + 1 end
    end
    out[#out + 1] = txt
    if run >= 3 then
      out[#out + 1] = fill(DATA.analysis_texts.part_run, name(msgs[i + 1][1]), name(msgs[i + run - 1][1]), run - 1)
      i = i + run
    else
      i = i + 1
    end
  end
  return table.concat(out, ", ")
end

return M
