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
for i, c in ipairs(R.chats) do role(c.code).chat = i end
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
  if r.chat then
    for _, p in ipairs(R.chats[r.chat].parties) do
      if p ~= "session" then wanted(p) end
    end
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
-- One side of a chat message (facts.rs's Side): its kind, offset, length.
local function chat_side(dec, p)
  if p == "session" then return "s" end
  local i = at[p]
  if not (i and dec.kind[i] == "text" and dec.len[i] > 0) then return nil end
  local u, room = USERS[p], false
  if u ~= true and u then
    local flag = at[u]
    room = flag and dec.kind[flag] == "bool" and dec.v[flag] == true
  end
  return room and "r" or "u", dec.off[i], dec.len[i]
end

-- What is read of every message for its user names alone (the analysis
-- off, see note_user): the user fields, and the flags that make one a
-- room's.
local USERS_ONLY = {}
for f in pairs(USERS) do USERS_ONLY[f] = USER end
for _, u in pairs(USERS) do
  if u ~= true then USERS_ONLY[u] = USERS_ONLY[u] == USER and BOTH or WANTED end
end

-- The user names among the ncand candidates in CAND (text items of a user
-- field), weighed once `at` is complete (a flag may follow its user
-- field): kept in USER_LIST and set as f.users unless there are none.
local function weigh_users(f, dec, ncand)
  local F, K, O, L = dec.f, dec.kind, dec.off, dec.len
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
      if pair then pair[1], pair[2], pair[3] = O[i], L[i], i else USER_LIST[nu] = { O[i], L[i], i } end
    end
  end
  if nu > 0 then
    for k = nu + 1, #USER_LIST do USER_LIST[k] = nil end
    f.users = USER_LIST
  end
end

-- Relations::facts: what the tracker needs of one decoded message. The
-- values only shown (the logged-in user, the file name) go through
-- `text_of` when given. One pass over the items: the first item of each
-- wanted field, and the user fields. Each user is { offset, length, item
-- index }.
function M.facts(bytes, dec, text_of)
  if not dec.header then return NO_FACTS end
  local code = dec.header.msg_type
  local f = FACTS
  f.msg_type, f.users = code, EMPTY
  local r, w = M.roles(code), want[code]
  f.roles = r
  f.seq_num, f.result, f.login_user, f.forward_key = nil, nil, nil, nil
  f.transfer_key, f.file_name, f.file_size, f.accepted = nil, nil, nil, nil
  f.c1, f.o1, f.l1, f.c2, f.o2, f.l2 = nil, nil, nil, nil, nil, nil
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
  weigh_users(f, dec, ncand)
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
  if r.chat then
    -- The chat's sides (Side): "u" a user or "r" a room at (o, l), "s"
    -- the session user; none unless both are there.
    local p = R.chats[r.chat].parties
    local c1, o1, l1 = chat_side(dec, p[1])
    local c2, o2, l2 = chat_side(dec, p[2])
    if c1 and c2 then f.c1, f.o1, f.l1, f.c2, f.o2, f.l2 = c1, o1, l1, c2, o2, l2 end
  end
  for k = 1, nset do at[SET[k]] = nil end
  return f
end

-- The user names alone, noted while the message's items are shown (the
-- analysis off: one pass over the items instead of two). `user_mark[f]`
-- is set for the fields that matter; `note_user(dec, i, x)` for each item
-- i of such a field, in order, with x = user_mark[f]; `noted_users(dec)`
-- then gives the facts' msg_type and users and forgets what was noted.
M.user_mark = USERS_ONLY
local noted_cand, noted_set = 0, 0
function M.note_user(dec, i, x)
  if x ~= USER then
    local fi = dec.f[i]
    if not at[fi] then
      at[fi] = i
      noted_set = noted_set + 1
      SET[noted_set] = fi
    end
  end
  if x ~= WANTED and dec.kind[i] == "text" and dec.len[i] > 0 then
    noted_cand = noted_cand + 1
    CAND[noted_cand] = i
  end
end
function M.noted_users(dec)
  local f = NO_FACTS
  if dec.header then
    f = FACTS
    f.msg_type, f.users = dec.header.msg_type, EMPTY
    weigh_users(f, dec, noted_cand)
  end
  for k = 1, noted_set do at[SET[k]] = nil end
  noted_cand, noted_set = 0, 0
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

-- What the tracker keeps lives as long as the capture, Lua's collector
-- walks all of it on each cycle, and Lua waits for its heap to grow by a
-- part of what is live before the next cycle, so that every byte kept
-- lets garbage (and the Wireshark memory its userdata hold) pile up too.
-- It is therefore a few numbers per message in flat arrays, like the Rust
-- store's records, and side maps for what few messages have beyond them:
-- no table, closure or key string per message.
--
-- Messages are numbered k = 1, 2, ... in the order the first pass saw
-- them. A sorted frame index turns a message's ref into its number and
-- back: fr[j] is the j-th frame with messages, fk[j] its first message's
-- number. rec[k] packs the message's flags and its one link,
--   flags + 8 * (a + SPAN * b):
-- for a response or a forward, a is how many messages back its request
-- (or original) is and b the nanoseconds since; for a request, a is how
-- many messages ahead its first answer is and b where its multi-part
-- answer ended. A 0 in a field means the value, if any, is in a side map
-- (it did not fit, or the message has both kinds of link).
local REQUEST, RESPONSE, FORWARD = 1, 2, 4
local SPAN, LIMIT = 4096, 2 ^ 38 -- 3 + 12 + 38 bits: exact in a double

-- Long arrays are kept in chunks, so that none is reallocated whole while
-- it grows (a growing array doubles, and may hold twice what it uses).
local CHUNK = 4096
local function cget(a, i)
  local c = a[floor((i - 1) / CHUNK) + 1]
  return c and c[(i - 1) % CHUNK + 1]
end
local function cset(a, i, v)
  local n = floor((i - 1) / CHUNK) + 1
  local c = a[n]
  if not c then c = {}; a[n] = c end
  c[(i - 1) % CHUNK + 1] = v
end

-- The flags and two fields of rec[k].
local function fields(t, k)
  local v = cget(t.rec, k)
  local fl = v % 8
  local r = floor(v / 8)
  local a = r % SPAN
  return fl, a, floor(r / SPAN)
end
local function put(t, k, fl, a, b) cset(t.rec, k, fl + 8 * (a + SPAN * b)) end

-- A map whose keys beyond `cap` push out the oldest (tracker::Bounded);
-- `timed`: each key also has a time (s, n).
local function bounded(cap, timed)
  local b = { map = {}, order = {}, head = 1, tail = 0, cap = cap }
  if timed then b.s, b.n = {}, {} end
  return b
end
local function bset(b, key, v, s, n)
  if b.map[key] == nil then
    b.tail = b.tail + 1
    b.order[b.tail] = key
    if b.tail - b.head + 1 > b.cap then
      local old = b.order[b.head]
      b.order[b.head] = nil
      b.head = b.head + 1
      b.map[old] = nil
      if b.s then b.s[old], b.n[old] = nil, nil end
    end
  end
  b.map[key] = v
  if b.s then b.s[key], b.n[key] = s, n end
end

-- Nanoseconds from (s1, n1) to (s2, n2), to the nearest one (the glue
-- gives seconds as a fraction).
local function interval(s1, n1, s2, n2) return floor((s2 - s1) * 1000000000 + (n2 - n1) + 0.5) end

function M.new_tracker()
  return {
    n = 0, nframes = 0, hint = 1, fr = {}, fk = {}, rec = {}, last = -1,
    -- Side maps by message number: a link that did not fit in rec (back,
    -- back_ns; rin, eend), the forward link of a forward that is also an
    -- answer, an original's forwards (how many; the listed ones as a chain
    -- from fwfirst through fwnext), reports, a transfer stage's transfer,
    -- and the last part number per request and part type (seqs, by
    -- k * 65536 + type, while the request may still be answered).
    back = {}, back_ns = {}, rin = {}, eend = {}, fwo = {}, fwo_ns = {},
    fwc = {}, fwfirst = {}, fwlast = {}, fwnext = {}, reps = {}, tr = {}, seqs = {},
    convs = {}, originals = (function()
      local o = {}
      for i = 1, #R.forwards do o[i] = bounded(R.max_keys, true) end
      return o
    end)(),
    -- Transfers by number: their four stages (message refs), whether
    -- accepted, the file's name and size, the offer's time (seconds,
    -- nanoseconds); by message number, the offer's response time of the
    -- offer's first answer (decisions.md 65).
    ntr = 0, ts = { {}, {}, {}, {} }, tacc = {}, tname = {}, tsize = {},
    toff_s = {}, toff_n = {}, offer_ns = {},
    tkeys = bounded(R.max_keys),
    -- Each user name once, whatever its length (Lua keeps one copy of
    -- short strings only).
    names = {},
    -- Chats (chats.rs): number by pair key, and each chat's parties.
    nchats = 0, chat_ids = {}, chat_parties = {},
  }
end

-- The place of `frame` in the index, or nil. Later passes go through the
-- capture in order: the last place found, and the next, are tried first.
local function frame_pos(t, frame)
  local n = t.nframes
  if n == 0 then return nil end
  local h = t.hint
  local f = cget(t.fr, h)
  if f == frame then return h end
  if f < frame and h < n and cget(t.fr, h + 1) == frame then
    t.hint = h + 1
    return h + 1
  end
  local lo, hi = 1, n
  while lo <= hi do
    local mid = floor((lo + hi) / 2)
    local m = cget(t.fr, mid)
    if m == frame then t.hint = mid; return mid end
    if m < frame then lo = mid + 1 else hi = mid - 1 end
  end
end

-- The number after the last message of the frame at place j.
local function frame_end(t, j)
  if j < t.nframes then return cget(t.fk, j + 1) end
  return t.n + 1
end

-- The number of message `at`, or nil if the first pass did not see it.
local function number(t, at)
  local j = frame_pos(t, floor(at / 65536))
  if not j then return nil end
  local k = cget(t.fk, j) + at % 65536
  if k < frame_end(t, j) then return k end
end

-- The ref of message k: its frame is found from the hint back (links
-- point to messages near), else by a binary search.
local function ref(t, k)
  local fk = t.fk
  local lo, hi = 1, t.nframes
  local h = t.hint
  for j = h, h > 4 and h - 4 or 1, -1 do
    if cget(fk, j) <= k then
      if k < frame_end(t, j) then return cget(t.fr, j) * 65536 + (k - cget(fk, j)) end
      lo = j
      break
    end
    hi = j - 1
  end
  while lo < hi do
    local mid = floor((lo + hi + 1) / 2)
    if cget(fk, mid) <= k then lo = mid else hi = mid - 1 end
  end
  return cget(t.fr, lo) * 65536 + (k - cget(fk, lo))
end

function M.messages_in(t, frame)
  local j = frame_pos(t, frame)
  if not j then return 0 end
  return frame_end(t, j) - cget(t.fk, j)
end

-- Message k's link back to message `to`, `ns` later: its request (bit
-- RESPONSE) or its original (bit FORWARD). A forward that is also an
-- answer keeps its forward link aside.
local function link_back(t, k, bit, to, ns)
  local fl, a, b = fields(t, k)
  if bit == FORWARD and fl % 4 >= RESPONSE then
    t.fwo[k], t.fwo_ns[k] = to, ns
    put(t, k, fl + FORWARD, a, b)
    return
  end
  local d = k - to
  if d >= 1 and d < SPAN and ns >= 0 and ns < LIMIT then
    put(t, k, fl + bit, d, ns)
  else
    put(t, k, fl + bit, 0, 0)
    t.back[k], t.back_ns[k] = to, ns
  end
end

-- The link back of message k whose rec fields are (a, b): to and ns.
local function back_of(t, k, a, b)
  if a > 0 then return k - a, b end
  return t.back[k], t.back_ns[k]
end

-- A request's first answer and the end of its multi-part answer.
local function answers_of(t, k, fl, a, b)
  if fl >= RESPONSE then return t.rin[k], t.eend[k] end
  return a > 0 and k + a or t.rin[k], b > 0 and k + b or t.eend[k]
end

local function set_first_answer(t, rk, k)
  local fl, a, b = fields(t, rk)
  if answers_of(t, rk, fl, a, b) then return end
  local d = k - rk
  if fl < RESPONSE and d >= 1 and d < SPAN then put(t, rk, fl, d, b) else t.rin[rk] = k end
end

local function set_end(t, rk, k)
  local fl, a, b = fields(t, rk)
  local d = k - rk
  if fl < RESPONSE then
    if d >= 1 and d < LIMIT then
      put(t, rk, fl, a, d)
      t.eend[rk] = nil
      return
    end
    if b > 0 then put(t, rk, fl, a, 0) end
  end
  t.eend[rk] = k
end

-- Appends v to the list of message k in map `m` (reports: few).
local function append(m, k, v)
  local list = m[k]
  if list then list[#list + 1] = v else m[k] = { v } end
end

local function conv(t, c)
  local cv = t.convs[c]
  if not cv then
    -- The session: who logged in (sat: the message ref, suser: the name).
    -- answered: the last answered request per exchange, as its number,
    -- time and user (ak, as, an, au).
    cv = { pending = {}, ak = {}, as = {}, an = {}, au = {}, sat = {}, suser = {} }
    t.convs[c] = cv
  end
  return cv
end

-- Whether message `at` has a link of any kind (a request, an answer, a
-- report, a forward or a transfer stage).
function M.linked(t, at)
  local k = number(t, at)
  if not k then return nil end
  return cget(t.rec, k) ~= 0 or t.reps[k] ~= nil or t.fwc[k] ~= nil or t.tr[k] ~= nil
end

-- The links of message `at`, or nil: { request, response_to = { to, ns },
-- response_in, end_in, forward_of = { to, ns }, forward_count, forwards,
-- reports, transfer, offer_ns (the response time of the file offer this
-- message answers first) }.
-- The view is one table (and its links and list) for every call, valid
-- until the next: it is asked for every message.
local VIEW, VIEW_RTO, VIEW_FWO, VIEW_FWS = {}, {}, {}, {}
function M.links(t, at)
  local k = number(t, at)
  if not k then return nil end
  local fl, a, b = fields(t, k)
  local fwc, reps, tr = t.fwc[k], t.reps[k], t.tr[k]
  if fl == 0 and not fwc and not reps and not tr then return nil end
  local v = VIEW
  v.request = fl % 2 == REQUEST
  v.response_to, v.forward_of, v.response_in, v.end_in = nil, nil, nil, nil
  if fl % 4 >= RESPONSE then
    local to, ns = back_of(t, k, a, b)
    VIEW_RTO.to, VIEW_RTO.ns = ref(t, to), ns
    v.response_to = VIEW_RTO
  end
  if fl >= FORWARD then
    local to, ns
    if fl % 4 >= RESPONSE then to, ns = t.fwo[k], t.fwo_ns[k] else to, ns = back_of(t, k, a, b) end
    VIEW_FWO.to, VIEW_FWO.ns = ref(t, to), ns
    v.forward_of = VIEW_FWO
  end
  if fl % 2 == REQUEST then
    local rin, e = answers_of(t, k, fl, a, b)
    v.response_in, v.end_in = rin and ref(t, rin), e and ref(t, e)
  end
  local n, f = 0, t.fwfirst[k]
  while f do
    n = n + 1
    VIEW_FWS[n] = ref(t, f)
    f = t.fwnext[f]
  end
  for i = n + 1, #VIEW_FWS do VIEW_FWS[i] = nil end
  v.forward_count, v.forwards = fwc or 0, VIEW_FWS
  v.reports, v.transfer, v.offer_ns = reps or EMPTY, tr, tr and t.offer_ns[k]
  return v
end

-- Transfer i: { stages = { refs }, accepted, file_name, file_size }, one
-- table for every call, valid until the next.
local VIEW_TR = { stages = {} }
function M.transfer(t, i)
  if not i or i < 1 or i > t.ntr then return nil end
  local s = VIEW_TR.stages
  for n = 1, 4 do s[n] = t.ts[n][i] end
  VIEW_TR.accepted, VIEW_TR.file_name, VIEW_TR.file_size = t.tacc[i], t.tname[i], t.tsize[i]
  return VIEW_TR
end

-- The user logged in on conversation `c` when message `at` passed: the
-- last login before it (a binary search: the logins are in capture order
-- and a long capture has many).
function M.session_user(t, c, at)
  local cv = t.convs[c]
  if not cv then return nil end
  local s = cv.sat
  local n = #s
  -- The first pass asks about its newest message: the last login.
  if n == 0 then return nil end
  if s[n] <= at then return cv.suser[n] end
  local lo, hi, found = 1, n, nil
  while lo <= hi do
    local mid = floor((lo + hi) / 2)
    if s[mid] <= at then found, lo = mid, mid + 1 else hi = mid - 1 end
  end
  return found and cv.suser[found]
end

-- The report of a request nothing answered, once the whole capture is seen.
function M.unanswered(t, at, code)
  local k = number(t, at)
  if not k then return nil end
  local fl, a, b = fields(t, k)
  if fl % 2 ~= REQUEST or answers_of(t, k, fl, a, b) then return nil end
  local e = R.exchanges[M.roles(code).request]
  return "NoResponse", fill(T.no_response, name(e.responses[1]), name(code))
end

-- Unanswered requests of one exchange on one conversation: a queue of
-- their numbers, times, users (the login's) and whether some part of an
-- answer came, in parallel arrays.
local function new_queue() return { head = 1, tail = 0, k = {}, s = {}, n = {}, user = {}, ans = {} } end
local function front(q) if q and q.head <= q.tail then return q.head end end
local function pop(q)
  local i = q.head
  q.k[i], q.s[i], q.n[i], q.user[i], q.ans[i] = nil, nil, nil, nil, nil
  q.head = i + 1
  -- An empty queue starts again at 1: its keys stay few and small (a
  -- queue whose keys only grow is rehashed over and over).
  if q.head > q.tail then q.head, q.tail = 1, 0 end
end

-- Forgets the part numbers of request rk of exchange `ex`: it can be
-- answered no more.
local function forget_seqs(t, ex, rk)
  local seqs, base = t.seqs, rk * 65536
  for _, code in ipairs(ex.responses) do seqs[base + code] = nil end
  if ex["end"] then seqs[base + ex["end"]] = nil end
end

local function request(t, c, e, k, s, n, f)
  local fl, a, b = fields(t, k)
  put(t, k, fl + REQUEST, a, b)
  local cv = conv(t, c)
  local q = cv.pending[e]
  if not q then q = new_queue(); cv.pending[e] = q end
  local i = q.tail + 1
  q.tail = i
  q.k[i], q.s[i], q.n[i], q.user[i], q.ans[i] = k, s, n, f.login_user, false
  if q.tail - q.head + 1 > R.max_pending then
    forget_seqs(t, R.exchanges[e], q.k[q.head])
    pop(q)
  end
end

local function answer(t, c, e, k, at, s, n, f)
  local ex = R.exchanges[e]
  local cv = conv(t, c)
  local multi = ex["end"] ~= nil
  local continued = not multi and f.seq_num ~= nil and f.seq_num > 1
  local q = cv.pending[e]
  local rk, rs, rn, ruser
  if multi then
    -- A first part for a request that had one: that answer ended without
    -- its end (a refused login is RES1 alone); this answers the next.
    local i = front(q)
    if f.msg_type == ex.responses[1] and i and q.ans[i] then
      forget_seqs(t, ex, q.k[i])
      pop(q)
    end
    i = front(q)
    if i then
      rk, rs, rn, ruser = q.k[i], q.s[i], q.n[i], q.user[i]
      q.ans[i] = true
    end
  elseif continued and cv.ak[e] then
    rk, rs, rn, ruser = cv.ak[e], cv.as[e], cv.an[e], cv.au[e]
  else
    local i = front(q)
    if i then
      rk, rs, rn, ruser = q.k[i], q.s[i], q.n[i], q.user[i]
      pop(q)
      if cv.ak[e] then forget_seqs(t, ex, cv.ak[e]) end
      cv.ak[e], cv.as[e], cv.an[e], cv.au[e] = rk, rs, rn, ruser
    end
  end
  if not rk then
    append(t.reps, k, { "NoRequest", fill(T.no_request, name(ex.request), name(f.msg_type)) })
    return
  end
  local report
  if f.seq_num then
    local key = rk * 65536 + f.msg_type
    local last = t.seqs[key]
    local expected = last and last + 1 or 1
    if f.seq_num ~= expected then
      local tpl = f.seq_num > expected and T.part_gap or T.part_repeat
      report = { "PartSequence", fill(tpl, name(f.msg_type), f.seq_num, expected) }
    end
    if not last or f.seq_num > last then t.seqs[key] = f.seq_num end
  end
  if f.msg_type == ex["end"] then
    forget_seqs(t, ex, q.k[q.head])
    pop(q)
  end
  if f.msg_type == R.login.outcome and f.result == 0 and ruser then
    local u = t.names[ruser]
    if not u then u = ruser; t.names[u] = u end
    local i = #cv.sat + 1
    cv.sat[i], cv.suser[i] = at, u
  end
  link_back(t, k, RESPONSE, rk, interval(rs, rn, s, n))
  if report then append(t.reps, k, report) end
  set_first_answer(t, rk, k)
  if f.msg_type == ex["end"] then set_end(t, rk, k) end
end

local function forward(t, i, k, s, n, f)
  local b, key = t.originals[i], f.forward_key
  local o = key and b.map[key]
  if not o then
    local rel = R.forwards[i]
    -- A relay's first copy is its original.
    if rel.original == rel.forward then
      if key then bset(b, key, k, s, n) end
      return
    end
    append(t.reps, k, { "NoOriginal", fill(T.no_original, name(rel.original), rel.key_names) })
    return
  end
  link_back(t, k, FORWARD, o, interval(b.s[key], b.n[key], s, n))
  local count = (t.fwc[o] or 0) + 1
  t.fwc[o] = count
  if count <= R.max_listed_forwards then
    if count == 1 then t.fwfirst[o] = k else t.fwnext[t.fwlast[o]] = k end
    t.fwlast[o] = count < R.max_listed_forwards and k or nil
  end
end

local function transfer_stage(t, stage, k, at, s, n, f)
  if not f.transfer_key then return end
  local id = t.tkeys.map[f.transfer_key]
  -- A new offer under a key already offered starts a new transfer.
  if not id or (stage == 1 and t.ts[1][id]) then
    id = t.ntr + 1
    t.ntr = id
    bset(t.tkeys, f.transfer_key, id)
  end
  local st = t.ts[stage]
  if stage == 1 and not st[id] then t.toff_s[id], t.toff_n[id] = s, n end
  -- The offer's first answer completes it, as an exchange's answer its
  -- request (Tracker::transfer_stage).
  if stage == R.transfer.answer and not st[id] and t.toff_s[id] then
    t.offer_ns[k] = interval(t.toff_s[id], t.toff_n[id], s, n)
  end
  if not st[id] then st[id] = at end
  if f.accepted ~= nil and stage >= 3 then t.tacc[id] = f.accepted end
  if t.tname[id] == nil then t.tname[id] = f.file_name end
  if t.tsize[id] == nil then t.tsize[id] = f.file_size end
  t.tr[k] = id
end

-- Tracker::observe: message `at` of conversation `c`, at time (s, n).
-- Messages come in capture order; one seen before is ignored.
function M.observe(t, c, at, s, n, f)
  if at <= t.last then return end
  t.last = at
  local frame, index = floor(at / 65536), at % 65536
  local j, first = t.nframes, nil
  if j > 0 and cget(t.fr, j) == frame then
    first = cget(t.fk, j)
  else
    j, first = j + 1, t.n + 1
    t.nframes = j
    cset(t.fr, j, frame)
    cset(t.fk, j, first)
  end
  t.hint = j
  -- A message's number is its frame's first one's plus its index; an
  -- index skipped gets a number too.
  local k = first + index
  for i = t.n + 1, k do cset(t.rec, i, 0) end
  t.n = k
  local r = f.roles
  if r.request then request(t, c, r.request, k, s, n, f) end
  local e = r.response or r.ending
  if e then answer(t, c, e, k, at, s, n, f) end
  -- A relay's original is found by `forward`.
  if r.original and r.original ~= r.forward and f.forward_key then bset(t.originals[r.original], f.forward_key, k, s, n) end
  if r.forward then forward(t, r.forward, k, s, n, f) end
  if r.stage then transfer_stage(t, r.stage, k, at, s, n, f) end
end

-- ------------------------------------------------------------ chats

-- Tracker::chat: the chat of message `at` of conversation `c` (`bytes`:
-- the message, `f`: its facts), from the two parties it names; `assign`
-- (the first pass) numbers a pair not seen before, from 0. Nothing is kept
-- per message.
local function chat_side_name(t, c, at, bytes, kind, o, l)
  if kind == "s" then return M.session_user(t, c, at), false end
  return bytes:sub(o + 1, o + l), kind == "r"
end
function M.chat(t, c, at, bytes, f, assign)
  if not f.c1 then return nil end
  local a, ar = chat_side_name(t, c, at, bytes, f.c1, f.o1, f.l1)
  if not a then return nil end
  local b, br = chat_side_name(t, c, at, bytes, f.c2, f.o2, f.l2)
  if not b then return nil end
  local first, second, room = a, b, ar or br
  if ar and br then return nil end
  if ar then first, second = b, a end
  local lo, hi = first, second
  if not room and hi < lo then lo, hi = hi, lo end
  -- Kind, the first name's length, both names: no two pairs share a key.
  local key = (room and "r" or "u") .. #lo .. ":" .. lo .. hi
  local n = t.chat_ids[key]
  if n or not assign or t.nchats >= R.max_chats then return n end
  n = t.nchats
  t.nchats = n + 1
  t.chat_ids[key] = n
  t.chat_parties[n] = { first = first, second = second, room = room }
  return n
end

-- Tracker::chat_parties: { first, second, room } of chat `n`.
function M.chat_parties(t, n) return t.chat_parties[n] end

-- ------------------------------------------------------------ transcripts

-- transcript::event and Event::line (crates/xmmep-core/src/transcript.rs):
-- what a chat message is in its chat, a text, a file offer or an answer,
-- and its line as a person reads it. Which field gives what is
-- DATA.transcript.events (transcript::layout, from the table's roles);
-- the texts are presentation::transcript's.
local TR = DATA.transcript
local TT = TR and TR.texts

-- transcript::utc: "2024-11-30 15:24:02" for seconds since 1970 UTC.
local function utc(secs)
  local t = os.date("!*t", secs)
  local two = function(n) return string.format("%02d", n) end
  return fill(TT.time, string.format("%04d", t.year), two(t.month), two(t.day), two(t.hour), two(t.min), two(t.sec))
end

-- transcript::bytes: "123,456 bytes", from a canonical decimal string.
local function size_text(digits)
  if digits == "1" then return TT.one_byte end
  local sign, d = digits:match("^(-?)(%d+)$")
  local parts, first = {}, #d % 3
  if first > 0 then parts[1] = d:sub(1, first) end
  for i = first + 1, #d, 3 do parts[#parts + 1] = d:sub(i, i + 2) end
  return fill(TT.bytes, sign .. table.concat(parts, TT.group_sep))
end

-- The first top-level item of field `f` in `dec`, if of kind `kind`
-- (a table of kinds).
local function item(dec, f, kinds)
  if not f then return nil end
  for i = 1, dec.n do
    if dec.depth[i] == 0 and dec.f[i] == f then return kinds[dec.kind[i]] and i or nil end
  end
end
local TEXT, NUMBER, TIME, BOOL = { text = true }, { uint = true, int = true }, { time = true }, { bool = true }

-- The event of a decoded message (`text_of(offset, len)` converts a text
-- as the packet shows it), or nil; `offered` is the file name of the
-- offer an answer answers, when known. Valid until the next call.
local EV = {}
function M.event(dec, text_of, offered)
  local e = dec.header and TR.events[dec.header.msg_type]
  if not e then return nil end
  local function txt(f)
    local i = item(dec, f, TEXT)
    return i and text_of(dec.off[i], dec.len[i])
  end
  local from, to = txt(e.from), txt(e.to)
  if not (from and to) then return nil end
  local ev = EV
  ev.kind, ev.from, ev.to = e.kind, from, to
  if e.kind == "text" then
    ev.text = txt(e.body)
    if not ev.text then return nil end
    local t, r = item(dec, e.time, TIME), item(dec, e.room, BOOL)
    ev.time = t and tonumber(dec.v[t])
    ev.room = r ~= nil and dec.v[r] == true
  elseif e.kind == "offer" then
    ev.file = txt(e.file)
    if not ev.file then return nil end
    local s = item(dec, e.size, NUMBER)
    ev.size = s and dec.v[s]
  else
    local a = item(dec, e.accepted, BOOL)
    if not a then return nil end
    ev.accepted, ev.file = dec.v[a], offered
  end
  return ev
end

-- Event::line: the event's line at `secs` (seconds since 1970 UTC; a
-- text's own time is used instead when it has one).
function M.line(ev, secs)
  local at, what = secs, nil
  if ev.kind == "text" then
    at = ev.time or secs
    what = fill(ev.room and TT.room_text or TT.text, ev.from, ev.to, ev.text)
  elseif ev.kind == "offer" then
    if ev.size then
      what = fill(TT.offer, ev.from, ev.file, size_text(ev.size))
    else
      what = fill(TT.offer_unsized, ev.from, ev.file)
    end
  else
    what = fill(ev.accepted and TT.accepts or TT.declines, ev.to, ev.file or TT.unknown_file)
  end
  return fill(TT.line, utc(at), what)
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
