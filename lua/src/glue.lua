-- XMMEP Wireshark glue: registers the protocol, fields, expert infos,
-- preferences, ports and heuristics, and shows what the core decodes as
-- docs/presentation.md says. Runs only inside Wireshark (global `Proto`).
-- Receives DATA and the core as chunk arguments. Nothing here names a
-- message, field, value string or report text: they all come from DATA.

local DATA, core = ...
local P = DATA.proto

-- The binary plugin registers the same protocol; two registrations of one
-- name would fail. If it is there (its fields are listed, or the name is
-- taken), step aside with one line instead of a Lua error.
-- The line goes to Wireshark's log at level "info", below the default
-- ("message"), so nothing is printed unless the user asks for that level:
-- the Lua API of 4.0 has no log call, so the script honours Wireshark's own
-- setting, WIRESHARK_LOG_LEVEL, and writes to stderr as the log does.
local function step_aside(why)
  local level = string.lower(os.getenv("WIRESHARK_LOG_LEVEL") or "")
  if level == "info" or level == "debug" or level == "noisy" then
    io.stderr:write(P.filter .. ".lua: " .. P.short .. " is already registered (" .. why .. "); the Lua dissector steps aside\n")
  end
end
-- The plugin registers a dissector of the protocol's filter name: one
-- lookup (a scan of Field.list(), every field of Wireshark, cost as much
-- as the rest of the script's start). A missing name gives nil (4.0) or an
-- error.
local found, plugin = pcall(Dissector.get, P.filter)
if found and plugin then
  step_aside("dissector " .. P.filter .. ", the binary plugin")
  return
end
local ok, proto = pcall(Proto, P.filter, P.name)
if not ok then
  step_aside(tostring(proto))
  return
end
local HEADER_LEN = DATA.header_len

-- ------------------------------------------------------------ fields

local function value_string(enum_key)
  if not enum_key then return nil end
  local vs = {}
  for _, v in ipairs(DATA.enums[enum_key].values) do vs[v.value] = v.name end
  return vs
end

local function msg_type_names()
  local vs = {}
  for code, m in pairs(DATA.messages) do vs[code] = m.name end
  return vs
end

local UINT = { [8] = ProtoField.uint8, [16] = ProtoField.uint16, [32] = ProtoField.uint32, [64] = ProtoField.uint64 }
local INT = { [8] = ProtoField.int8, [16] = ProtoField.int16, [32] = ProtoField.int32, [64] = ProtoField.int64 }

-- pf[i] is the ProtoField of DATA.fields[i] (nil for Label subtrees).
local pf = {}
for i, f in ipairs(DATA.fields) do
  local d = f.display
  if d == "text" then
    pf[i] = ProtoField.string(f.abbrev, f.label, base.NONE, f.desc)
  elseif f.unit then
    -- A number with a unit (table::Unit): "19 bytes".
    pf[i] = (d == "uint" and UINT or INT)[f.bits](f.abbrev, f.label, base.UNIT_STRING, f.unit, nil, f.desc)
  elseif d == "uint" then
    local vs = (i == DATA.generic.msg_type) and msg_type_names() or value_string(f.enum)
    pf[i] = UINT[f.bits](f.abbrev, f.label, base.DEC, vs, nil, f.desc)
  elseif d == "int" then
    pf[i] = INT[f.bits](f.abbrev, f.label, base.DEC, value_string(f.enum), nil, f.desc)
  elseif d == "bool" then
    pf[i] = ProtoField.bool(f.abbrev, f.label, base.NONE, f.bool_names, nil, f.desc)
  elseif d == "time" then
    pf[i] = ProtoField.absolute_time(f.abbrev, f.label, base.UTC, f.desc)
  elseif d == "ipv4" then
    pf[i] = ProtoField.ipv4(f.abbrev, f.label, f.desc)
  elseif d == "container" then
    pf[i] = ProtoField.none(f.abbrev, f.label, f.desc)
  end
  if pf[i] then proto.fields[#proto.fields + 1] = pf[i] end
end

-- The analysis fields (presentation::ANALYSIS_FIELDS), by key, after the
-- table's fields, as the plugin registers them.
local FRAMETYPE = { request = frametype.REQUEST, response = frametype.RESPONSE, other = frametype.NONE }
local AF = {}
for _, a in ipairs(DATA.analysis_fields) do
  local d, p = a.display, nil
  if d == "framenum" then p = ProtoField.framenum(a.abbrev, a.label, base.NONE, FRAMETYPE[a.link], nil, a.desc)
  elseif d == "reltime" then p = ProtoField.relative_time(a.abbrev, a.label, a.desc)
  elseif d == "text" then p = ProtoField.string(a.abbrev, a.label, base.NONE, a.desc)
  elseif d == "uint" then p = UINT[a.bits](a.abbrev, a.label, base.DEC, nil, nil, a.desc)
  elseif d == "int" and a.unit then p = INT[a.bits](a.abbrev, a.label, base.UNIT_STRING, a.unit, nil, a.desc)
  elseif d == "int" then p = INT[a.bits](a.abbrev, a.label, base.DEC, nil, nil, a.desc)
  elseif d == "bool" then p = ProtoField.bool(a.abbrev, a.label, base.NONE, nil, nil, a.desc)
  else p = ProtoField.none(a.abbrev, a.label, a.desc) end
  AF[a.key] = p
  proto.fields[#proto.fields + 1] = p
end
-- xmmep.raw, registered last, as the plugin does.
local PF_RAW = ProtoField.bytes(DATA.raw_field.abbrev, DATA.raw_field.label, base.NONE, DATA.raw_field.desc)
proto.fields[#proto.fields + 1] = PF_RAW

-- ------------------------------------------------------------ expert infos

local SEVERITY = { error = expert.severity.ERROR, warning = expert.severity.WARN, note = expert.severity.NOTE }
local GROUP = { malformed = expert.group.MALFORMED, protocol = expert.group.PROTOCOL, security = expert.group.SECURITY, sequence = expert.group.SEQUENCE }
local ei = {}
for _, c in ipairs(DATA.reports) do
  ei[c.kind] = ProtoExpert.new(P.filter .. "." .. c.abbrev, c.summary, GROUP[c.group], SEVERITY[c.severity])
  proto.experts[#proto.experts + 1] = ei[c.kind]
end

-- ------------------------------------------------------------ preferences

local L = DATA.labels
local charset_enum = {}
-- Each choice: its name (as the plugin's), its description, its value.
for i, c in ipairs(DATA.charsets) do charset_enum[i] = { c.key, c.name, i } end
local PREFS = DATA.prefs
proto.prefs[PREFS.charset.name] = Pref.enum(PREFS.charset.title, 1, PREFS.charset.desc, charset_enum, false)
proto.prefs[PREFS.desegment.name] = Pref.bool(PREFS.desegment.title, true, PREFS.desegment.desc)
proto.prefs[PREFS.analyze.name] = Pref.bool(PREFS.analyze.title, true, PREFS.analyze.desc)
proto.prefs[PREFS.raw.name] = Pref.bool(PREFS.raw.title, false, PREFS.raw.desc)
for _, p in ipairs({ PREFS.tcp_ports, PREFS.udp_ports }) do
  proto.prefs[p.name] = Pref.range(p.title, "", p.desc, 65535)
end

local ENC = { utf8 = ENC_UTF_8, gb18030 = ENC_GB18030 }
local function charset()
  local c = DATA.charsets[proto.prefs[PREFS.charset.name]] or DATA.charsets[1]
  return c.key, ENC[c.key]
end
-- The preferences as the dissection reads them, read when they change and
-- when a capture is (re)dissected (proto.init), not per packet.
local pref_key, pref_enc, pref_desegment, pref_analyze, pref_raw = "utf8", ENC_UTF_8, true, true, false
local function read_prefs()
  pref_key, pref_enc = charset()
  pref_desegment = proto.prefs[PREFS.desegment.name]
  pref_analyze = proto.prefs[PREFS.analyze.name]
  pref_raw = proto.prefs[PREFS.raw.name]
end

-- Hot-path locals: API functions and tables looked up once, not per field.
local byte, sub, find, concat = string.byte, string.sub, string.find, table.concat
local FIELDS, MESSAGES, GENERIC = DATA.fields, DATA.messages, DATA.generic
local fill, elements_text, ENUMS = core.fill, core.elements_text, core.enums

-- ------------------------------------------------------------ text in the charset

-- Valid UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
local function valid_utf8(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    if c < 0x80 then
      i = i + 1
    else
      local len
      if c >= 0xC2 and c <= 0xDF then len = 2
      elseif c >= 0xE0 and c <= 0xEF then len = 3
      elseif c >= 0xF0 and c <= 0xF4 then len = 4
      else return false end
      if i + len - 1 > n then return false end
      local c2 = s:byte(i + 1)
      if (c == 0xE0 and c2 < 0xA0) or (c == 0xED and c2 > 0x9F) or (c == 0xF0 and c2 < 0x90) or (c == 0xF4 and c2 > 0x8F) then
        return false
      end
      for k = i + 1, i + len - 1 do
        local cc = s:byte(k)
        if cc < 0x80 or cc > 0xBF then return false end
      end
      i = i + len
    end
  end
  return true
end

-- The text of `bytes` (at `at` in `tvb`) as Wireshark converts it with the
-- charset preference (for the Info column and labels). ASCII, and valid
-- UTF-8 under UTF-8, convert to themselves. Otherwise Wireshark converts,
-- piece by piece between NUL bytes (its C strings end at NUL: shown as
-- U+2400, as the plugin does):
-- * from 4.4, TvbRange:string(enc) on the packet's own bytes returns the
--   whole conversion, and adds nothing to the packet's data sources;
-- * before, it returns only as many bytes of the result as the input had,
--   so the piece is converted with stringz() on a small tvb of its bytes and
--   a NUL, which shows in the GUI's bytes pane as one more tab: the only way
--   found on 4.0 (FieldInfo values from TreeItem:add_packet_field are nil).
local WHOLE_STRING_ENC
do
  local major, minor = string.match(get_version(), "^(%d+)%.(%d+)")
  major, minor = tonumber(major), tonumber(minor)
  WHOLE_STRING_ENC = major > 4 or (major == 4 and minor >= 4)
end
-- Whole-string tests, anchored: Lua tries an unanchored class ("[^...]")
-- at every position, reading the class again each time, several times
-- the cost of one anchored run.
local ASCII, PRINTABLE = "^[^\128-\255]*$", "^[\32-\126]*$"
local function no_nul(s)
  if not find(s, "\0", 1, true) then return s end
  return (s:gsub("\0", "\226\144\128"))
end

local function shown_text(bytes, key, enc, tvb, at)
  if find(bytes, ASCII) or (key == "utf8" and valid_utf8(bytes)) then return no_nul(bytes) end
  local out, pos = {}, 1
  while pos <= #bytes + 1 do
    local nul = bytes:find("\0", pos, true) or (#bytes + 1)
    local piece = bytes:sub(pos, nul - 1)
    if piece ~= "" then
      if WHOLE_STRING_ENC then
        piece = tvb(at + pos - 1, #piece):string(enc)
      else
        piece = ByteArray.new(piece .. "\0", true):tvb(P.short .. " text"):range(0):stringz(enc)
      end
    end
    out[#out + 1] = piece
    pos = nul + 1
  end
  return no_nul(table.concat(out, "\0"))
end

-- ------------------------------------------------------------ showing one message

-- The charset of the packet being dissected (read once per packet, not per
-- field) and the bytes of the message being shown (its texts are cut from
-- them, not fetched again through the tvb).
local cur_key, cur_enc, cur_bytes, cur_tvb, cur_offset = "utf8", ENC_UTF_8, "", nil, 0
local function text_of(o, l)
  return shown_text(sub(cur_bytes, o + 1, o + l), cur_key, cur_enc, cur_tvb, cur_offset + o)
end

-- Per field: 64 bits wide, a text-only label (never a field anyone
-- filters on).
local WIDE, LABEL = {}, {}
for i, f in ipairs(FIELDS) do WIDE[i], LABEL[i] = f.bits == 64, f.display == "label" end
local BAD_VALUE = pf[GENERIC.bad_value]

-- ------------------------------------------------------------ the API on the hot path

-- Methods of TreeItem and Tvb, taken once from the first ones seen: a call
-- through the object (item:add) looks the name up in its class each time.
local t_add, t_apf, t_expert, t_gen, t_hidden, t_append, t_set_text, t_referenced, tvb_range, tvb_len, tvb_raw
-- Items made since the collector last stepped (see show_message's end),
-- counted only while the script paces the collector (the analysis on):
-- t_add and t_apf are then the counting forms, else the methods themselves.
local made = 0
local plain_add, plain_apf, counted_add, counted_apf
local function bind_api(tree, tvb)
  local add, apf = tree.add, tree.add_packet_field
  plain_add, plain_apf = add, apf
  counted_add = function(...) made = made + 1; return add(...) end
  counted_apf = function(...) made = made + 1; return apf(...) end
  t_expert = tree.add_proto_expert_info
  t_gen, t_hidden, t_append, t_set_text = tree.set_generated, tree.set_hidden, tree.append_text, tree.set_text
  t_referenced, tvb_range, tvb_len, tvb_raw = tree.referenced, tvb.range, tvb.len, tvb.raw
end

-- What the dissection of the current packet wants, found once per call of
-- the dissector. `cur_visible`: the tree is shown whole (-V, PDML, the
-- GUI's details). When it is not (-T fields from 4.4, a display filter,
-- the GUI's first pass), Wireshark keeps only the fields someone asked for
-- and throws every other item away, so those are not made: `want(p)` asks
-- Wireshark once per field and packet. `cur_cols`: the packet has columns
-- (not with -T fields or -V alone, where Column's text reads "(info)"):
-- the Info text is made only then.
local cur_tree, cur_visible, cur_cols = nil, true, true
local wanted, wanted_at, stamp = {}, {}, 0
local function want(p)
  if cur_visible then return true end
  if wanted_at[p] == stamp then return wanted[p] end
  local w = t_referenced(cur_tree, p)
  wanted[p], wanted_at[p] = w, stamp
  return w
end

-- The packet being dissected (set per call): its frame and pass (read
-- only for the analysis: each is a call into Wireshark; the statistics
-- read the frame themselves), the conversation's key and time (each read
-- when first asked: a frame carries several messages).
local cur_pinfo, cur_frame, cur_visited, cur_conv, cur_rel_ts = nil, 0, false, nil, nil

local function begin_packet(tvb, pinfo, tree)
  if not plain_add then bind_api(tree, tvb) end
  if pref_analyze then t_add, t_apf = counted_add, counted_apf else t_add, t_apf = plain_add, plain_apf end
  cur_key, cur_enc = pref_key, pref_enc
  cur_tree, cur_visible = tree, tree.visible
  stamp = stamp + 1
  cur_cols = tostring(pinfo.cols.info) ~= "(info)"
  cur_pinfo, cur_conv, cur_rel_ts = pinfo, nil, nil
  if pref_analyze then cur_frame, cur_visited = pinfo.number, pinfo.visited end
end

-- A text of printable ASCII is the same in every charset: it is given as
-- the value (add_packet_field converts and hands the value back to Lua,
-- which costs three times as much).
local function add_text(parent, p, range, o, l)
  local b = sub(cur_bytes, o + 1, o + l)
  if find(b, PRINTABLE) then return t_add(parent, p, range, b) end
  -- One value: add_packet_field also returns the value and the next offset.
  return (t_apf(parent, p, range, cur_enc))
end

-- The exact 64-bit value of a canonical decimal string (numbers are
-- doubles in 5.2): nine digits at a time, not one.
local function int64_of(digits, unsigned)
  local neg = byte(digits, 1) == 45
  local v = unsigned and UInt64(0) or Int64(0)
  local i = neg and 2 or 1
  while i <= #digits do
    local chunk = sub(digits, i, i + 8)
    local scale = 10 ^ #chunk
    if neg then v = v * scale - tonumber(chunk) else v = v * scale + tonumber(chunk) end
    i = i + 9
  end
  return v
end

-- The columns of the decoding being shown (core.decode's f, kind, len,
-- off, v and depth; set by show_message): upvalues, not a field of the decoding
-- looked up by name for each item.
local cF, cK, cL, cO, cV, cD, cP
local NSTime_new, Address_ip = NSTime.new, Address.ip

-- Item i of the decoding under `parent`, at `at` in the packet's tvb; the
-- parent itself when the item is not made (a label or a field nobody wants).
-- A text item's TvbRange is kept in `last_range`, for its hidden user
-- name (show_users).
local last_range
local function add_item(parent, i, at, visible)
  local fi, k, l = cF[i], cK[i], cL[i]
  if LABEL[fi] then
    if not visible then return parent end
    local text = FIELDS[fi].label
    if k == "count" then text = fill(L.counted, text, elements_text(cV[i]))
    elseif k == "index" then text = fill(L.indexed, text, cV[i]) end
    return t_add(parent, tvb_range(cur_tvb, at, l), text)
  end
  local p = k == "invalid" and BAD_VALUE or pf[fi]
  if not visible and not want(p) then return parent end
  local range = tvb_range(cur_tvb, at, l)
  if k == "text" then
    -- Printable ASCII (the decoder's run over the text says so) reads the
    -- same in every charset: Wireshark reads it from the packet
    -- (TreeItem:add without a value passes ENC_ASCII), and the script
    -- makes no string and no check.
    last_range = range
    if cP[i] then return t_add(parent, p, range) end
    return add_text(parent, p, range, cO[i], l)
  elseif k == "uint" or k == "int" then
    local v = cV[i]
    if WIDE[fi] then v = int64_of(v, k == "uint") else v = tonumber(v) end
    return t_add(parent, p, range, v)
  elseif k == "invalid" then
    local item = add_text(parent, p, range, cO[i], l)
    if visible then
      t_set_text(item, fill(L.invalid, FIELDS[fi].label, text_of(cO[i], l)))
    end
    return item
  elseif k == "bool" then
    return t_add(parent, p, range, cV[i])
  elseif k == "time" then
    local item = t_add(parent, p, range, NSTime_new(tonumber(cV[i]), 0))
    -- A day (presentation::date_text): the date alone in the label.
    if visible and FIELDS[fi].date then
      local d = core.date_text(cV[i])
      if d then t_set_text(item, FIELDS[fi].label .. fill(L.value_suffix, d)) end
    end
    return item
  elseif k == "ipv4" then
    local item = t_add(parent, p, range, Address_ip(cV[i]))
    t_gen(item)
    return item
  else -- container ("none" for a struct, "count" for a list or dictionary)
    local item = t_add(parent, p, range)
    if k == "count" and visible then t_append(item, fill(L.value_suffix, elements_text(cV[i]))) end
    return item
  end
end

-- The shown text of item i: the bytes themselves for printable ASCII.
local function item_text(i)
  local o, l = cO[i], cL[i]
  if cP[i] and cK[i] == "text" then return sub(cur_bytes, o + 1, o + l) end
  return text_of(o, l)
end

-- The label of container `item` (item i, of kind `k` and at `depth`, of n)
-- in a shown tree.
local function label_container(item, i, k, depth, n)
  local D, K, O = cD, cK, cO
  -- A struct is labelled by its first member when that is text
  -- ("Buddy: alice"), so a long list reads without expanding it.
  local first = i + 1
  local has_first = first <= n and D[first] == depth + 1
  if k == "none" then
    if not has_first then
      -- A refusal's placeholders (engine: empty_on_failure).
      t_append(item, fill(L.value_suffix, L.not_sent))
    elseif K[first] == "text" then
      t_append(item, fill(L.value_suffix, item_text(first)))
    end
  elseif has_first then
    -- A dictionary element is labelled by its key and value
    -- ("Condition: SEARCH_COND_NAME = alice"): the key's label, its
    -- enumeration name or else its text, then the value's text.
    local kf = FIELDS[cF[first]]
    local name
    if (K[first] == "uint" or K[first] == "int") and kf.enum then
      local e = ENUMS[kf.enum].by_value[cV[first]]
      name = e and e.name
    end
    local label = fill(L.pair_key, kf.label, name or item_text(first))
    local value = i + 2
    if value <= n and D[value] == depth + 1 then
      label = fill(L.pair_value, label, item_text(value))
    end
    t_set_text(item, label)
  end
end

-- ------------------------------------------------------------ links between messages

-- The analysis state of the capture: made anew when a capture is opened or
-- dissected again; fed on the first pass only, read on every pass.
local analysis = core.analysis
local next_ref, messages_in, observe = analysis.next_ref, analysis.messages_in, analysis.observe
local user_mark, note_user, noted_users = analysis.user_mark, analysis.note_user, analysis.noted_users
local tracker, ordinals = analysis.new_tracker(), analysis.new_ordinals()
function proto.init()
  tracker, ordinals = analysis.new_tracker(), analysis.new_ordinals()
  read_prefs()
end
local AT = DATA.analysis_texts

-- The conversation: transport and both endpoints, in either order; made
-- once per packet.
local function conversation()
  if not cur_conv then
    local pinfo = cur_pinfo
    local a = tostring(pinfo.src) .. "/" .. pinfo.src_port
    local b = tostring(pinfo.dst) .. "/" .. pinfo.dst_port
    if b < a then a, b = b, a end
    cur_conv = pinfo.port_type .. " " .. a .. " " .. b
  end
  return cur_conv
end

local floor = math.floor
-- The collector's settings depend on the Lua version (see dissect below):
-- under Lua 5.2 a KB step per item made, under 5.4 a quarter KB.
local LUA52 = _VERSION == "Lua 5.2"
local GC_STEP_PER_ITEM = LUA52 and 1 or 0.25

local function frame_of(ref) return floor(ref / 65536) end

-- An interval in nanoseconds as NSTime, seconds and nanoseconds of one sign.
local function interval(ns)
  local secs = ns >= 0 and floor(ns / 1000000000) or -floor(-ns / 1000000000)
  return NSTime.new(secs, ns - secs * 1000000000)
end

-- A generated item of analysis field `key` with `value` under `parent`, at
-- `here` (a zero-length range at the message, made when first needed),
-- if someone wants it.
local here_at, here = -1, nil
local function gen(parent, key, value)
  local p = AF[key]
  if not want(p) then return nil end
  if not here then here = tvb_range(cur_tvb, here_at, 0) end
  local item
  if value == nil then item = t_add(parent, p, here) else item = t_add(parent, p, here, value) end
  t_gen(item)
  return item
end

local STAGE_FIELDS = { "transfer.offer_in", "transfer.offer_fwd_in", "transfer.answer_in", "transfer.answer_fwd_in" }

-- The message's user names as hidden `xmmep.user` items; the TvbRange of
-- the name's own item when it was made (`ranges`, by item, emptied here).
local user_ranges = {}
local function show_users(top, offset, facts)
  local users = facts.users
  local u = users[1]
  if u and want(AF.user) then
    local p, tvb, i, ranges = AF.user, cur_tvb, 1, user_ranges
    repeat
      local o, l, at = u[1], u[2], u[3]
      local range = ranges[at]
      if range then ranges[at] = nil else range = tvb_range(tvb, offset + o, l) end
      -- Printable ASCII: read by Wireshark, as in add_item.
      t_hidden(cP[at] and t_add(top, p, range) or add_text(top, p, range, o, l))
      i = i + 1
      u = users[i]
    until not u
  end
end

-- Names message `facts` and, on the first pass, feeds it to the tracker;
-- then shows its links under `top` (the plugin's links::show). The file
-- name and the logged-in user are kept as shown texts (facts converts
-- them while their message is in the packet).
local function show_links(top, offset, facts, at)
  local visited = cur_visited
  local c = conversation()
  if not visited then
    -- Seconds since the first frame: a double that holds nanoseconds
    -- exactly over any capture's span (absolute times would not), and is
    -- there in every pass (frame.time is not in tshark -2's first).
    if not cur_rel_ts then cur_rel_ts = cur_pinfo.rel_ts end
    observe(tracker, c, at, cur_rel_ts, 0, facts)
  end
  here_at, here = offset, nil
  local l = analysis.links(tracker, at)
  if l then
    if l.response_to then
      gen(top, "response_to", frame_of(l.response_to.to))
      gen(top, "time", interval(l.response_to.ns))
    end
    if l.response_in then gen(top, "response_in", frame_of(l.response_in)) end
    if l.end_in then gen(top, "response_end_in", frame_of(l.end_in)) end
    if l.forward_of then
      gen(top, "forward_of", frame_of(l.forward_of.to))
      gen(top, "forward_delay", interval(l.forward_of.ns))
    end
    if l.forward_count > 0 then
      gen(top, "forward_count", l.forward_count)
      for _, f in ipairs(l.forwards) do gen(top, "forwarded_in", frame_of(f)) end
    end
    local tr = l.transfer and analysis.transfer(tracker, l.transfer)
    if tr then
      local name = tr.file_name or ""
      local outcome = (tr.accepted == true and AT.accepted) or (tr.accepted == false and AT.declined) or AT.open
      -- The subtree holds its fields: made whenever the tree is shown or
      -- one of them is wanted.
      local item = gen(top, "transfer") or top
      if item ~= top and cur_visible then t_set_text(item, fill(AT.transfer_label, name, outcome)) end
      if tr.file_name then gen(item, "transfer.file_name", name) end
      if tr.file_size then gen(item, "transfer.file_size", Int64(tr.file_size)) end
      for s = 1, 4 do
        if tr.stages[s] then gen(item, STAGE_FIELDS[s], frame_of(tr.stages[s])) end
      end
      if tr.accepted ~= nil then gen(item, "transfer.accepted", tr.accepted) end
    end
    for _, r in ipairs(l.reports) do t_expert(top, ei[r[1]], r[2]) end
  end
  local user = analysis.session_user(tracker, c, at)
  if user then gen(top, "session_user", user) end
  show_users(top, offset, facts)
  -- Only a pass over the whole capture knows a request went unanswered.
  if visited then
    local kind, text = analysis.unanswered(tracker, at, facts.msg_type)
    if kind then t_expert(top, ei[kind], text) end
  end
end

-- Names the message (its place in the capture) and shows its chat first
-- under `top` (the plugin's links::show_chat); nil with the analysis off.
local function show_chat(top, offset, bytes, facts)
  if not pref_analyze then return nil end
  local frame, visited = cur_frame, cur_visited
  local at = next_ref(ordinals, frame, visited and messages_in(tracker, frame) or 0)
  -- The first pass numbers a new pair; later ones find it again.
  local n = analysis.chat(tracker, conversation(), at, bytes, facts, not visited)
  if n then
    here_at, here = offset, nil
    gen(top, "chat", n)
  end
  return at, n
end

-- ------------------------------------------------------------ the chats window

-- A text the Lua API can show where the plugin registers a window of its
-- own: `tshark -z SPEC.command` prints it, and the menu entry SPEC.menu (in
-- menu `group`) shows it in a window. `view.text()` gives the text of
-- what was gathered, `view.reset()` forgets it; `view.listening` counts
-- the listeners, and messages are gathered only while it is above 0 (one
-- check per message otherwise). When the last window closes, what was
-- gathered is not kept.
local function text_view(spec, group, view)
  view.listening = 0
  local function listen(show)
    view.listening = view.listening + 1
    local tap = Listener.new(nil, nil)
    function tap.reset() view.reset() end
    function tap.draw() show(view.text()) end
    return tap
  end
  register_stat_cmd_arg(spec.command, function()
    listen(function(text) io.write(text) end)
  end)
  if gui_enabled() then
    register_menu(spec.menu, function()
      local win = TextWindow.new(spec.menu)
      local tap = listen(function(text) win:set(text) end)
      win:set_atclose(function()
        tap:remove()
        view.listening = view.listening - 1
        if view.listening == 0 then view.reset() end
      end)
      retap_packets()
    end, group)
  end
  return view
end

-- Tools > XMMEP chats, and `tshark -z xmmep,chats`: the transcript of every
-- chat, the lines of the plugin's Follow > XMMEP Stream, which the Lua API
-- cannot register (docs/decisions.md 53). Lines are made only while a
-- window or command listens, one per message, kept by its place (the GUI
-- dissects a packet again each time it is shown).
local TRD = DATA.transcript
local chat_lines, chat_heads = {}, {}
local function chat_line(n, at, dec)
  local l = analysis.links(tracker, at)
  -- A relayed copy (its original is in the capture) adds no line.
  if l and l.forward_of then return end
  local tr = l and l.transfer and analysis.transfer(tracker, l.transfer)
  local ev = analysis.event(dec, text_of, tr and tr.file_name)
  if not ev then return end
  local lines = chat_lines[n]
  if not lines then
    lines = {}
    chat_lines[n] = lines
    chat_heads[n] = fill(ev.room and TRD.texts.room_heading or TRD.texts.heading, n, ev.from, ev.to)
  end
  lines[at] = analysis.line(ev, floor(cur_pinfo.abs_ts))
end

-- Every chat with a line, in the order of their numbers, each line in
-- capture order.
local function chats_text()
  local ns, out = {}, {}
  for n in pairs(chat_lines) do ns[#ns + 1] = n end
  table.sort(ns)
  for _, n in ipairs(ns) do
    local lines, ats = chat_lines[n], {}
    for at in pairs(lines) do ats[#ats + 1] = at end
    table.sort(ats)
    out[#out + 1] = chat_heads[n]
    for _, at in ipairs(ats) do out[#out + 1] = lines[at] end
    out[#out + 1] = "\n"
  end
  return table.concat(out)
end

local chats_view = text_view(TRD, MENU_TOOLS_UNSORTED, {
  text = chats_text,
  reset = function() chat_lines, chat_heads = {}, {} end,
})

-- ------------------------------------------------------------ the statistics window

-- Statistics > XMMEP, and `tshark -z xmmep,stats`: the counts of the
-- plugin's statistics tree as text (core.stats; docs/decisions.md 66), since
-- the Lua API cannot add a stats_tree. As for the chats, a message is
-- counted only while a window or the command listens (one check per
-- message otherwise), and kept by its place in the packet (frame, and
-- offset in the frame's bytes, or in the reassembled PDU's), so that the
-- GUI's dissecting a packet again replaces its count.
local STS, stats = DATA.stats, core.stats
local stats_state = stats.new()
local function stats_message(at, offset, dec, facts)
  local l = at and analysis.links(tracker, at)
  -- Only a pass over the whole capture knows a request went unanswered.
  local unanswered = at and cur_visited and analysis.unanswered(tracker, at, facts.msg_type) or nil
  local frame = pref_analyze and cur_frame or cur_pinfo.number
  local key = frame * 1048576 + cur_tvb:offset() + offset
  stats.message(stats_state, key, at, dec, facts, l, unanswered)
end

local stats_view = text_view(STS, MENU_STAT_UNSORTED, {
  text = function() return stats.text(stats_state) end,
  reset = function() stats_state = stats.new() end,
})

-- The top item's label per message code (made once).
local top_label = setmetatable({}, { __index = function(t, code)
  local m = MESSAGES[code]
  local v = fill(L.message, m and m.name or fill(DATA.info.unknown_type, code))
  t[code] = v
  return v
end })

-- Shows the message at `offset` of `tvb` (which holds `avail` bytes of it,
-- and `tvb_len` in all) and returns its Info text (nil without columns),
-- the decoding and its code.
local parents, tree_items = {}, {}
local function show_message(tvb, tree, offset, avail, tvb_len)
  local bytes = tvb_raw(tvb, offset, avail)
  local dec = core.decode(bytes, cur_key)
  cur_bytes, cur_tvb, cur_offset = bytes, tvb, offset
  local len = dec.available
  if len < 1 then len = 1 end
  -- Nothing after a bad header can be framed: the message is the rest.
  if not dec.header then len = avail end
  if offset + len > tvb_len then len = tvb_len - offset end
  local top = t_add(tree, proto, tvb_range(tvb, offset, len))
  if pref_raw then tree:add(PF_RAW, tvb_range(tvb, offset, len)):set_hidden() end
  local info = cur_cols and core.info_text(dec, text_of)
  local visible = cur_visible
  if visible then
    t_append(top, dec.header and top_label[dec.header.msg_type] or fill(L.message, DATA.info.malformed_header))
  end
  -- With the analysis off only the user names are wanted of the facts,
  -- and only where the hidden `xmmep.user` items are: they are noted as
  -- the items are shown (`mark`), not found in a pass of their own.
  local analyze = pref_analyze
  local facts, mark = nil, nil
  if analyze then
    facts = analysis.facts(bytes, dec, text_of)
  elseif dec.header and want(AF.user) then
    mark = user_mark
  end
  local at, chat = show_chat(top, offset, bytes, facts)
  local n, D, K, O, F = dec.n, dec.depth, dec.kind, dec.off, dec.f
  cF, cK, cL, cO, cV, cD, cP = F, K, dec.len, O, dec.v, D, dec.printable
  -- The items the reports name are kept only when there are reports.
  local reports = dec.reports
  local keep = reports[1] ~= nil
  parents[0] = top
  for i = 1, n do
    local depth = D[i]
    local parent = parents[depth] or top
    local item = add_item(parent, i, offset + O[i], visible)
    if mark then
      local x = mark[F[i]]
      if x then
        note_user(dec, i, x)
        -- A text item made: add_item kept its range.
        if item ~= parent and K[i] == "text" then user_ranges[i] = last_range end
      end
    end
    if visible then
      local k = K[i]
      if k == "none" or k == "index" then label_container(item, i, k, depth, n) end
    end
    if keep then tree_items[i] = item end
    parents[depth + 1] = item
  end
  -- Kept for the next message would be kept from the garbage collector.
  for d = 0, #parents do parents[d] = nil end
  if keep then
    for _, r in ipairs(reports) do
      local on = (r.item and tree_items[r.item]) or top
      t_expert(on, ei[r.kind], r.text)
    end
    for i = 1, n do tree_items[i] = nil end
  end
  if analyze then
    show_links(top, offset, facts, at)
  else
    if mark then show_users(top, offset, noted_users(dec)) end
    -- Ranges of items that were no user name (a room's, or a flag's).
    if next(user_ranges) then user_ranges = {} end
  end
  if chat and chats_view.listening > 0 then chat_line(chat, at, dec) end
  if stats_view.listening > 0 then stats_message(at, offset, dec, facts) end
  -- Each item holds Wireshark memory that is freed only when Lua collects
  -- the item, and Lua paces its collector by its own heap, where an item
  -- is small: a message of many items would leave that memory to pile up
  -- (2,000 messages of 5,000 bytes, -V, 4.4: 8.5 s and 190 MB without this
  -- step, 6.6 s and 179 MB with it). A step of GC_STEP_PER_ITEM KB per
  -- item (see dissect below).
  if made >= 4 and pref_analyze then
    collectgarbage("step", floor(made * GC_STEP_PER_ITEM))
    made = 0
  end
  return info, dec, dec.header and dec.header.msg_type or 0
end

-- One frame may carry several messages: the Info column lists them all
-- (analysis.frame_info). TCP may fence the column after an earlier message
-- of the frame, so it is rewritten whole: what was there before our first
-- message, then every message so far.
local frame_msgs, info_prefix = {}, ""
local function add_info(pinfo, code, text)
  if not text then return end
  local col = pinfo.cols.info
  if tostring(pinfo.cols.protocol) ~= P.short then
    pinfo.cols.protocol:set(P.short)
    col:set(text)
    local shown = tostring(col)
    info_prefix = (shown:sub(-#text) == text) and shown:sub(1, #shown - #text) or ""
    frame_msgs = { { code, text } }
  else
    frame_msgs[#frame_msgs + 1] = { code, text }
    col:clear_fence()
    col:set(info_prefix .. analysis.frame_info(frame_msgs))
  end
end

-- ------------------------------------------------------------ TCP

-- TCP's FIN flag of the current segment: Lua has no `struct tcpinfo`.
local f_tcp_fin = Field.new("tcp.flags.fin")

local function pdu_len(tvb, pinfo, offset)
  -- Without reassembly (xmmep.desegment off) a segment may end inside a
  -- header: the rest is shown as one message, whose header is then
  -- reported, as the plugin does.
  local rest = tvb_len(tvb) - offset
  if rest < HEADER_LEN then return rest end
  local what, len = core.frame(tvb_raw(tvb, offset, HEADER_LEN), 1)
  if what == "message" then
    -- The stream closes inside this message: show what came (a truncated
    -- body) rather than wait for bytes that will never arrive.
    if len > rest then
      local fin = f_tcp_fin()
      if fin and fin.value then return rest end
    end
    return len
  end
  return rest -- a bad header: the rest is shown as malformed
end

local function dissect_pdu(tvb, pinfo, tree)
  local len = tvb_len(tvb)
  local info, _, code = show_message(tvb, tree, 0, len, len)
  add_info(pinfo, code, info)
  return len
end

local function dissect_tcp(tvb, pinfo, tree)
  dissect_tcp_pdus(tvb, tree, HEADER_LEN, pdu_len, dissect_pdu, pref_desegment)
  return tvb:len()
end

-- ------------------------------------------------------------ UDP

local function dissect_udp(tvb, pinfo, tree)
  local total, offset = tvb:len(), 0
  while offset < total do
    local what, len = core.frame(tvb:raw(offset, math.min(HEADER_LEN, total - offset)), 1)
    local avail = total - offset
    if what == "message" and len < avail then avail = len end
    local info, dec, code = show_message(tvb, tree, offset, avail, total)
    add_info(pinfo, code, info)
    if not dec.header then break end
    offset = offset + avail
  end
  return total
end

-- The collector's pace while a packet is dissected. Each message leaves
-- some kilobytes of garbage (Wireshark's userdata, texts, tables): at the
-- default pace it is freed late, the heap grows and every allocation
-- misses the cache; at a step multiplier of 400 the collector keeps up,
-- for a quarter less own time on Wireshark 4.0 (Lua 5.2) and a tenth on
-- 4.4 (Lua 5.4), and less memory. A pause of 100 starts the next cycle
-- as soon as one ends, instead of once the heap has doubled: the
-- analysis's state is live for the whole capture, and by the default
-- pause as much garbage again would wait for each cycle (300,000
-- messages, 4.0, -T fields: 263 MB peak RSS without the pause and a KB
-- step per item, 232 MB with them). Lua 5.2 only (Wireshark 4.0 and
-- 4.2): under Lua 5.4 the same settings cost 1.6 times the instructions
-- of the script's own work (5,000 messages, 4.4, -T fields) for memory
-- that 5.4's collector keeps well below the API floor's anyway. Set for
-- the dissector's call only and put back after it, so that other Lua
-- scripts keep the pace they are used to (a Lua error in between leaves
-- the faster pace, nothing else).
--
-- With the analysis off nothing lives longer than its message: the live
-- heap stays the script's own tables, Lua's own pace keeps the garbage to
-- about that much, as for the API floor, and the faster pace would only
-- cost instructions (4.0, -T fields: 18.6k a message, 22% of a bare pass).
local GC_STEPMUL = 400
local GC_PAUSE = LUA52 and 100 or nil
local function dissect(udp, tvb, pinfo, tree)
  if not pref_analyze then
    begin_packet(tvb, pinfo, tree)
    if udp then return dissect_udp(tvb, pinfo, tree) end
    return dissect_tcp(tvb, pinfo, tree)
  end
  local pace = collectgarbage("setstepmul", GC_STEPMUL)
  local pause = GC_PAUSE and collectgarbage("setpause", GC_PAUSE)
  begin_packet(tvb, pinfo, tree)
  local n
  if udp then n = dissect_udp(tvb, pinfo, tree) else n = dissect_tcp(tvb, pinfo, tree) end
  collectgarbage("setstepmul", pace)
  if pause then collectgarbage("setpause", pause) end
  return n
end

function proto.dissector(tvb, pinfo, tree)
  return dissect(pinfo.port_type ~= 2, tvb, pinfo, tree) -- 2: PT_TCP
end

-- ------------------------------------------------------------ ports, Decode As, heuristics

local tcp_table, udp_table = DissectorTable.get("tcp.port"), DissectorTable.get("udp.port")
tcp_table:add_for_decode_as(proto)
udp_table:add_for_decode_as(proto)

local current = { tcp = "", udp = "" }
local function set_ports(tbl, old, new)
  if old ~= "" then tbl:remove(old, proto) end
  if new ~= "" then tbl:add(new, proto) end
end
function proto.prefs_changed()
  read_prefs()
  local t, u = tostring(proto.prefs[PREFS.tcp_ports.name]), tostring(proto.prefs[PREFS.udp_ports.name])
  if t ~= current.tcp then set_ports(tcp_table, current.tcp, t); current.tcp = t end
  if u ~= current.udp then set_ports(udp_table, current.udp, u); current.udp = u end
end

local function heuristic(udp)
  return function(tvb, pinfo, tree)
    if not core.heuristic(tvb:raw(), udp, pref_key) then return false end
    pinfo.conversation = proto
    dissect(udp, tvb, pinfo, tree)
    return true
  end
end
proto:register_heuristic("tcp", heuristic(false))
proto:register_heuristic("udp", heuristic(true))
