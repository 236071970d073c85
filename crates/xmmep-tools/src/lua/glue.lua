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
local prefix = P.filter .. "."
for _, name in ipairs(Field.list()) do
  if name == P.filter or name:sub(1, #prefix) == prefix then
    step_aside("field " .. name .. ", the binary plugin")
    return
  end
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
  elseif d == "int" then p = INT[a.bits](a.abbrev, a.label, base.DEC, nil, nil, a.desc)
  elseif d == "bool" then p = ProtoField.bool(a.abbrev, a.label, base.NONE, nil, nil, a.desc)
  else p = ProtoField.none(a.abbrev, a.label, a.desc) end
  AF[a.key] = p
  proto.fields[#proto.fields + 1] = p
end

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
local pref_key, pref_enc, pref_desegment = "utf8", ENC_UTF_8, true
local function read_prefs()
  pref_key, pref_enc = charset()
  pref_desegment = proto.prefs[PREFS.desegment.name]
end

-- Hot-path locals: API functions and tables looked up once, not per field.
local byte, sub, find, concat = string.byte, string.sub, string.find, table.concat
local FIELDS, MESSAGES, GENERIC = DATA.fields, DATA.messages, DATA.generic
local fill, elements_text = core.fill, core.elements_text

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
local function no_nul(s)
  if not find(s, "\0", 1, true) then return s end
  return (s:gsub("\0", "\226\144\128"))
end

local function shown_text(bytes, key, enc, tvb, at)
  if not find(bytes, "[\128-\255]") or (key == "utf8" and valid_utf8(bytes)) then return no_nul(bytes) end
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

-- Per field: 64 bits wide, a text-only label (never a field anyone
-- filters on).
local WIDE, LABEL = {}, {}
for i, f in ipairs(FIELDS) do WIDE[i], LABEL[i] = f.bits == 64, f.display == "label" end
local BAD_VALUE = pf[GENERIC.bad_value]

-- Item i of `dec` under `parent`, at `o` (its offset in `tvb`).
-- `visible`: the tree is shown (-V, the GUI's details). When it is not
-- (-T fields on 4.4, a filter, the GUI's first pass) Wireshark keeps only
-- the fields someone asked for: labels and texts would be thrown away, so
-- they are not made.
local function add_item(parent, dec, i, tvb, o, visible)
  local fi, k = dec.f[i], dec.kind[i]
  if k == "text" then
    return parent:add_packet_field(pf[fi], tvb(o, dec.len[i]), cur_enc)
  elseif k == "uint" or k == "int" then
    local v = dec.v[i]
    if WIDE[fi] then v = int64_of(v, k == "uint") else v = tonumber(v) end
    return parent:add(pf[fi], tvb(o, dec.len[i]), v)
  elseif k == "invalid" then
    local item = parent:add_packet_field(BAD_VALUE, tvb(o, dec.len[i]), cur_enc)
    if visible then
      item:set_text(fill(L.invalid, FIELDS[fi].label, text_of(dec.off[i], dec.len[i])))
    end
    return item
  elseif LABEL[fi] then
    if not visible then return parent end
    local text = FIELDS[fi].label
    if k == "count" then text = fill(L.counted, text, elements_text(dec.v[i]))
    elseif k == "index" then text = fill(L.indexed, text, dec.v[i]) end
    return parent:add(tvb(o, dec.len[i]), text)
  elseif k == "bool" then
    return parent:add(pf[fi], tvb(o, dec.len[i]), dec.v[i])
  elseif k == "time" then
    return parent:add(pf[fi], tvb(o, dec.len[i]), NSTime.new(tonumber(dec.v[i]), 0))
  elseif k == "ipv4" then
    local item = parent:add(pf[fi], tvb(o, dec.len[i]), Address.ip(dec.v[i]))
    item:set_generated()
    return item
  else -- container ("none" for a struct, "count" for a list or dictionary)
    local item = parent:add(pf[fi], tvb(o, dec.len[i]))
    if k == "count" and visible then item:append_text(fill(L.value_suffix, elements_text(dec.v[i]))) end
    return item
  end
end

-- ------------------------------------------------------------ links between messages

-- The analysis state of the capture: made anew when a capture is opened or
-- dissected again; fed on the first pass only, read on every pass.
local analysis = core.analysis
local tracker, ordinals = analysis.new_tracker(), analysis.new_ordinals()
function proto.init()
  tracker, ordinals = analysis.new_tracker(), analysis.new_ordinals()
  read_prefs()
end
local AT = DATA.analysis_texts

-- The conversation: transport and both endpoints, in either order.
local function conversation(pinfo)
  local a = tostring(pinfo.src) .. "/" .. tostring(pinfo.src_port)
  local b = tostring(pinfo.dst) .. "/" .. tostring(pinfo.dst_port)
  if b < a then a, b = b, a end
  return tostring(pinfo.port_type) .. " " .. a .. " " .. b
end

local function frame_of(ref) return math.floor(ref / 65536) end

-- An interval in nanoseconds as NSTime, seconds and nanoseconds of one sign.
local function interval(ns)
  local secs = ns >= 0 and math.floor(ns / 1000000000) or -math.floor(-ns / 1000000000)
  return NSTime.new(secs, ns - secs * 1000000000)
end

local function generated(item) item:set_generated(); return item end

-- Names message `facts` and, on the first pass, feeds it to the tracker;
-- then shows its links under `top` (the plugin's links::show). The file
-- name and the logged-in user are kept as shown texts (facts converts
-- them while their message is in the packet).
local function show_links(tvb, pinfo, top, offset, facts)
  local frame, visited = pinfo.number, pinfo.visited
  local at = analysis.next_ref(ordinals, frame, visited and analysis.messages_in(tracker, frame) or 0)
  local c = conversation(pinfo)
  if not visited then
    -- Seconds since the first frame: a double that holds nanoseconds
    -- exactly over any capture's span (absolute times would not), and is
    -- there in every pass (frame.time is not in tshark -2's first).
    analysis.observe(tracker, c, at, pinfo.rel_ts, 0, facts)
  end
  local here = tvb(offset, 0)
  local l = analysis.links(tracker, at)
  local reports = {}
  if l then
    if l.response_to then
      generated(top:add(AF.response_to, here, frame_of(l.response_to.to)))
      generated(top:add(AF.time, here, interval(l.response_to.ns)))
    end
    if l.response_in then generated(top:add(AF.response_in, here, frame_of(l.response_in))) end
    if l.end_in then generated(top:add(AF.response_end_in, here, frame_of(l.end_in))) end
    if l.forward_of then
      generated(top:add(AF.forward_of, here, frame_of(l.forward_of.to)))
      generated(top:add(AF.forward_delay, here, interval(l.forward_of.ns)))
    end
    if l.forward_count > 0 then
      generated(top:add(AF.forward_count, here, l.forward_count))
      for _, f in ipairs(l.forwards) do generated(top:add(AF.forwarded_in, here, frame_of(f))) end
    end
    local tr = l.transfer and analysis.transfer(tracker, l.transfer)
    if tr then
      local name = tr.file_name or ""
      local outcome = (tr.accepted == true and AT.accepted) or (tr.accepted == false and AT.declined) or AT.open
      local item = generated(top:add(AF.transfer, here))
      item:set_text(core.fill(AT.transfer_label, name, outcome))
      if tr.file_name then generated(item:add(AF["transfer.file_name"], here, name)) end
      if tr.file_size then generated(item:add(AF["transfer.file_size"], here, Int64(tr.file_size))) end
      local stage_fields = { "transfer.offer_in", "transfer.offer_fwd_in", "transfer.answer_in", "transfer.answer_fwd_in" }
      for s = 1, 4 do
        if tr.stages[s] then generated(item:add(AF[stage_fields[s]], here, frame_of(tr.stages[s]))) end
      end
      if tr.accepted ~= nil then generated(item:add(AF["transfer.accepted"], here, tr.accepted)) end
    end
    for _, r in ipairs(l.reports) do reports[#reports + 1] = r end
  end
  local user = analysis.session_user(tracker, c, at)
  if user then generated(top:add(AF.session_user, here, user)) end
  for _, u in ipairs(facts.users) do
    top:add_packet_field(AF.user, tvb(offset + u[1], u[2]), cur_enc):set_hidden()
  end
  -- Only a pass over the whole capture knows a request went unanswered.
  if visited then
    local kind, text = analysis.unanswered(tracker, at, facts.msg_type)
    if kind then reports[#reports + 1] = { kind, text } end
  end
  for _, r in ipairs(reports) do top:add_proto_expert_info(ei[r[1]], r[2]) end
end

-- The top item's label per message code (made once).
local top_label = setmetatable({}, { __index = function(t, code)
  local m = MESSAGES[code]
  local v = fill(L.message, m and m.name or fill(DATA.info.unknown_type, code))
  t[code] = v
  return v
end })

-- Shows the message at `offset` of `tvb` (which holds `avail` bytes of it)
-- and returns its Info text.
local function show_message(tvb, pinfo, tree, offset, avail)
  local bytes = tvb:raw(offset, avail)
  local dec = core.decode(bytes, cur_key)
  cur_bytes, cur_tvb, cur_offset = bytes, tvb, offset
  local len = dec.available
  if len < 1 then len = 1 end
  -- Nothing after a bad header can be framed: the message is the rest.
  if not dec.header then len = avail end
  local tvb_len = tvb:len()
  if offset + len > tvb_len then len = tvb_len - offset end
  local top = tree:add(proto, tvb(offset, len))
  local info = core.info_text(dec, text_of)
  local visible = tree.visible
  if visible then
    top:append_text(dec.header and top_label[dec.header.msg_type] or fill(L.message, DATA.info.malformed_header))
  end
  local n, D, K, O = dec.n, dec.depth, dec.kind, dec.off
  local tree_items = {}
  local parents = { [0] = top }
  for i = 1, n do
    local depth = D[i]
    local parent = parents[depth] or top
    local item = add_item(parent, dec, i, tvb, offset + O[i], visible)
    if visible then
      local k = K[i]
      -- A struct is labelled by its first member when that is text
      -- ("Buddy: alice"), so a long list reads without expanding it.
      local first = i + 1
      local has_first = first <= n and D[first] == depth + 1
      if k == "none" and has_first and K[first] == "text" then
        item:append_text(fill(L.value_suffix, text_of(O[first], dec.len[first])))
      end
      -- A dictionary element is labelled by its key and value
      -- ("Condition: SEARCH_COND_NAME = alice"): the key's label, its
      -- enumeration name or else its text, then the value's text.
      if k == "index" and has_first then
        local kf = FIELDS[dec.f[first]]
        local name
        if (K[first] == "uint" or K[first] == "int") and kf.enum then
          for _, v in ipairs(DATA.enums[kf.enum].values) do
            if v.value == tonumber(dec.v[first]) then name = v.name end
          end
        end
        local label = fill(L.pair_key, kf.label, name or text_of(O[first], dec.len[first]))
        local value = i + 2
        if value <= n and D[value] == depth + 1 then
          label = fill(L.pair_value, label, text_of(O[value], dec.len[value]))
        end
        item:set_text(label)
      end
    end
    tree_items[i] = item
    parents[depth + 1] = item
  end
  for _, r in ipairs(dec.reports) do
    local on = (r.item and tree_items[r.item]) or top
    on:add_proto_expert_info(ei[r.kind], r.text)
  end
  local facts = analysis.facts(bytes, dec, text_of)
  show_links(tvb, pinfo, top, offset, facts)
  return info, dec, facts.msg_type
end

-- One frame may carry several messages: the Info column lists them all
-- (analysis.frame_info). TCP may fence the column after an earlier message
-- of the frame, so it is rewritten whole: what was there before our first
-- message, then every message so far.
local frame_msgs, info_prefix = {}, ""
local function add_info(pinfo, code, text)
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
  local rest = tvb:len() - offset
  if rest < HEADER_LEN then return rest end
  local what, len = core.frame(tvb:raw(offset, HEADER_LEN), 1)
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
  local info, _, code = show_message(tvb, pinfo, tree, 0, tvb:len())
  add_info(pinfo, code, info)
  return tvb:len()
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
    local info, dec, code = show_message(tvb, pinfo, tree, offset, avail)
    add_info(pinfo, code, info)
    if not dec.header then break end
    offset = offset + avail
  end
  return total
end

function proto.dissector(tvb, pinfo, tree)
  cur_key, cur_enc = pref_key, pref_enc
  if pinfo.port_type == 2 then -- PT_TCP
    return dissect_tcp(tvb, pinfo, tree)
  end
  return dissect_udp(tvb, pinfo, tree)
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
    cur_key, cur_enc = pref_key, pref_enc
    if not core.heuristic(tvb:raw(), udp, cur_key) then return false end
    pinfo.conversation = proto
    if udp then dissect_udp(tvb, pinfo, tree) else dissect_tcp(tvb, pinfo, tree) end
    return true
  end
end
proto:register_heuristic("tcp", heuristic(false))
proto:register_heuristic("udp", heuristic(true))
