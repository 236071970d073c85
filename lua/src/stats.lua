-- XMMEP statistics: the counts of the plugin's statistics tree
-- (src/plugin/stats.rs, `count`) as text, for the Lua script's
-- Statistics > XMMEP window and `tshark -z xmmep,stats` (docs/decisions.md
-- 66). Pure Lua: the glue hands it each message while a window or the
-- command listens, and shows the text it makes. Receives DATA and the core
-- as chunk arguments; every name it counts under comes from DATA.stats.

local DATA, core = ...
local S = DATA.stats
local R = DATA.relations
local fill = core.fill
local M = {}

local SUMMARY = {}
for _, c in ipairs(DATA.reports) do SUMMARY[c.kind] = c.summary end
local TOP = { S.top.messages, S.top.results, S.top.presence, S.top.times, S.top.problems }

-- The value of the top-level item of field `f` in `dec` if it is of kind
-- `kind` (the plugin's stats::MessageFacts reads the first such item).
local function top_value(dec, f, kind)
  if not f then return nil end
  local F, D = dec.f, dec.depth
  for i = 1, dec.n do
    if D[i] == 0 and F[i] == f then
      if dec.kind[i] == kind then return dec.v[i] end
      return nil
    end
  end
  return nil
end

-- A new, empty count: what each message adds (`recs`, by its place, so
-- that the GUI's dissecting a packet again replaces it; `ms`, its
-- response time), and what the analysis's answers tell across messages
-- (by the request's ref).
function M.new()
  return { recs = {}, ms = {}, presence = {}, answered = {}, accepted = {}, refused = {} }
end

-- A message's nodes as one string, "\1" between them: section, leaf,
-- result, flag, presence, response time's leaf ("" for none), then its
-- problems. Lua keeps one copy of equal strings, and most messages tick
-- the same nodes as others: a few bytes a message instead of tables.
local SEP = "\1"
local function pack(rec)
  local parts = { rec.section, rec.leaf, rec.result or "", rec.flag or "", rec.presence or "", rec.time_leaf or "" }
  for _, p in ipairs(rec.problems) do parts[#parts + 1] = p end
  return table.concat(parts, SEP)
end
local function unpack_rec(s)
  local parts, pos = {}, 1
  while true do
    local i = string.find(s, SEP, pos, true)
    parts[#parts + 1] = string.sub(s, pos, (i or 0) - 1)
    if not i then break end
    pos = i + 1
  end
  local function opt(x) if x ~= "" then return x end end
  local problems = {}
  for i = 7, #parts do problems[#problems + 1] = parts[i] end
  return { section = parts[1], leaf = parts[2], result = opt(parts[3]), flag = opt(parts[4]), presence = opt(parts[5]), time_leaf = opt(parts[6]), problems = problems }
end

-- Message `dec` at place `key` (`at`, its ref in the analysis), with its
-- analysis facts `facts` (`at` and `facts` nil with the analysis off),
-- links `l` (or nil) and the kind of an unanswered request's report (or
-- nil): keeps the nodes it ticks, as stats::count ticks them.
function M.message(st, key, at, dec, facts, l, unanswered)
  local rec = {}
  local code = dec.header and dec.header.msg_type
  local m = code and S.messages[code]
  rec.section = m and m.section or S.other
  rec.leaf = (m and m.leaf) or (code and fill(S.unknown_type, code)) or S.malformed
  local problems = {}
  for _, r in ipairs(dec.reports) do problems[r.kind] = true end
  local result
  if m then
    result = top_value(dec, m.result, "uint")
    if result then rec.result = S.results[tonumber(result)] or fill(S.unknown_result, result) end
    local b = top_value(dec, m.flag, "bool")
    if b ~= nil then rec.flag = S.flag[b] end
    local p = top_value(dec, m.presence, "uint")
    if p and not m.awaits then rec.presence = S.statuses[tonumber(p)] or fill(S.unknown_status, p) end
    -- A request's presence counts at the answer that accepts it (a
    -- refused login changes nothing): the first answer with a result
    -- (the plugin's links::answered).
    if p and m.awaits and at and not st.answered[at] then st.presence[at] = p end
  end
  if l then
    for _, r in ipairs(l.reports) do problems[r[1]] = true end
    local req = l.response_to and l.response_to.to
    if req and result and not st.answered[req] then
      local p = st.presence[req]
      st.presence[req], st.answered[req] = nil, true
      if p and tonumber(result) == S.success then st.accepted[at] = p end
    end
    local p = st.accepted[at]
    if p then rec.presence = S.statuses[tonumber(p)] or fill(S.unknown_status, p) end
    -- The response time of the exchange this message completes (the
    -- tracker's rule, analysis::Tracker::answer): an answer, not a later
    -- part of it; of a multi-part answer its end, or its first part alone
    -- when that refuses the request (a refused login is RES1 alone).
    local roles = facts.roles
    local e = req and (roles.response or roles.ending)
    if e then
      local ex = R.exchanges[e]
      local completes
      if ex["end"] then
        if code == ex.responses[1] and facts.result ~= nil and facts.result ~= S.success then
          st.refused[req] = true
          completes = true
        else
          completes = code == ex["end"] and not st.refused[req]
        end
      else
        completes = not (facts.seq_num and facts.seq_num > 1)
      end
      if completes then
        local rm = S.messages[ex.request]
        rec.time_leaf, rec.ms = rm and rm.leaf or fill(S.unknown_type, ex.request), l.response_to.ns / 1e6
      end
    end
    -- A file offer's response time, at its first answer.
    if l.offer_ns then
      local offer = R.transfer.stages[1]
      local rm = S.messages[offer]
      rec.time_leaf, rec.ms = rm and rm.leaf or fill(S.unknown_type, offer), l.offer_ns / 1e6
    end
  end
  if unanswered then problems[unanswered] = true end
  local list = {}
  for kind in pairs(problems) do list[#list + 1] = SUMMARY[kind] end
  table.sort(list)
  rec.problems = list
  st.recs[key], st.ms[key] = pack(rec), rec.ms
end

-- ------------------------------------------------------------ the tree

-- A node: its name, count, children by name, and for a value node the
-- sum, minimum and maximum of its values.
local function node(name) return { name = name, count = 0, kids = {} } end
local function tick(parent, name)
  local n = parent.kids[name]
  if not n then n = node(name); parent.kids[name] = n end
  n.count = n.count + 1
  return n
end

-- The tree of every message kept, counted as stats::count counts one.
local function tree(st)
  local top = {}
  for i, name in ipairs(TOP) do top[i] = node(name) end
  local msgs, results, presence, times, problems = top[1], top[2], top[3], top[4], top[5]
  local seen = {}
  for key, packed in pairs(st.recs) do
    local rec = seen[packed]
    if not rec then rec = unpack_rec(packed); seen[packed] = rec end
    msgs.count = msgs.count + 1
    tick(tick(msgs, rec.section), rec.leaf)
    if rec.result then
      results.count = results.count + 1
      tick(results, rec.result)
    end
    if rec.flag then
      results.count = results.count + 1
      tick(results, rec.flag)
    end
    if rec.presence then
      presence.count = presence.count + 1
      tick(presence, rec.presence)
    end
    if rec.time_leaf then
      times.count = times.count + 1
      local n = tick(times, rec.time_leaf)
      local v = st.ms[key]
      n.sum = (n.sum or 0) + v
      if not n.min or v < n.min then n.min = v end
      if not n.max or v > n.max then n.max = v end
    end
    for _, p in ipairs(rec.problems) do
      problems.count = problems.count + 1
      tick(problems, p)
    end
  end
  return top
end

-- Byte order, as Wireshark sorts the nodes by name (strcmp): Lua's `<`
-- follows the locale.
local function before(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- The tree as text: a line per node, children indented by one space and
-- sorted by name, the top-level nodes in the plugin's order; the counts,
-- the average, minimum and maximum of a value node (milliseconds) and
-- each node's share of its parent, in the plugin's text's formats.
function M.text(st)
  local rows, width = {}, #S.columns[1]
  local function walk(n, depth, parent)
    local name = string.rep(" ", depth) .. n.name
    if #name > width then width = #name end
    local avg, min, max, pct = "", "", "", "100%"
    if n.sum then
      avg, min, max = string.format("%.2f", n.sum / n.count), string.format("%f", n.min), string.format("%f", n.max)
    end
    if parent then pct = parent.count > 0 and string.format("%.2f%%", n.count * 100 / parent.count) or "" end
    rows[#rows + 1] = { name, tostring(n.count), avg, min, max, pct }
    local kids = {}
    for _, k in pairs(n.kids) do kids[#kids + 1] = k end
    table.sort(kids, function(a, b) return before(a.name, b.name) end)
    for _, k in ipairs(kids) do walk(k, depth + 1, n) end
  end
  for _, n in ipairs(tree(st)) do walk(n, 0, nil) end
  width = width + 2
  local function line(cells)
    local out = { cells[1] .. string.rep(" ", width - #cells[1]) }
    for i = 2, #cells do out[i] = cells[i] .. string.rep(" ", 14 - #cells[i]) end
    return (table.concat(out):gsub("%s+$", ""))
  end
  local rule = string.rep("-", width + 14 * (#S.columns - 1))
  local out = { "", string.rep("=", #rule), S.menu .. ":", line(S.columns), rule }
  for _, r in ipairs(rows) do out[#out + 1] = line(r) end
  out[#out + 1] = rule
  out[#out + 1] = ""
  return table.concat(out, "\n")
end

return M
