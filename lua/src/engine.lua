-- XMMEP decoding core: pure Lua (5.2, 5.3, 5.4), no Wireshark API.
--
-- Receives DATA (generated from the Rust message table) as its chunk
-- argument and returns a table of functions. Its twin is the Rust decoder,
-- crates/xmmep-core/src/codec/decode.rs, which it mirrors step by step:
-- given the bytes of one message (header and body, possibly truncated) it
-- returns the same items, in pre-order, and the same reports, in the same
-- order and with the same texts.
-- crates/xmmep-lua-tests/tests/against_rust.rs keeps the two equal (every
-- message type, the specification's examples, mutated and random bytes,
-- both character sets, under Lua 5.2 and 5.4); a change to one is a change
-- to the other.
--
-- Nothing here names a message, field, value string or report text; all of
-- them come from DATA. Report kinds are named as the Rust ReportKind is.
--
-- Conventions (differences from the Rust types, for exactness on Lua 5.2):
-- * offsets and lengths are 0-based byte offsets from the header's first
--   byte, like the Rust `Item`/`Report`;
-- * the items are columns, not a table each (this is the hot loop of the
--   dissector): item i is f[i] (the Lua index of its filter field, Rust
--   FieldId + 1), depth[i], off[i] (offset), len[i], kind[i], v[i] (nil
--   for none), for i = 1..n; a report's `item` is such an i (Rust index +
--   1), or nil; for a "text" item, printable[i] says whether it is all
--   printable ASCII (32..126), found by the run that walks it: such a
--   text reads the same in every charset, and the Wireshark glue then
--   lets Wireshark read it from the packet (no Lua string, no check);
--   printable[i] of other kinds means nothing (no Rust twin);
-- * integer values (kinds "uint", "int", "time") are canonical decimal
--   STRINGS ("-12", "0", "9223372036854775807"), never numbers: Lua 5.2 has
--   only doubles, which cannot hold every 64-bit Long. Range checks compare
--   such strings digit by digit. Counts and indexes are small numbers.
-- * item kinds: "none" (struct), "text", "uint", "int", "bool" (v = true or
--   false), "time", "ipv4" (v = "a.b.c.d"), "count", "index", "invalid".
-- * the result of M.decode (its columns, header and reports list) is reused
--   by the next M.decode: a caller uses it before decoding again, or copies
--   what it keeps (glue.lua and analysis.lua do not keep it).

local DATA = ...

local byte, sub, find, format, concat = string.byte, string.sub, string.find, string.format, table.concat
local tostring, tonumber = tostring, tonumber

local M = { data = DATA }

local HEADER_LEN = DATA.header_len
local FIELDS, MESSAGES, T = DATA.fields, DATA.messages, DATA.texts
local FIELD_SEP = string.char(DATA.sep.field)
local MEMBER_SEP = string.char(DATA.sep.member)
local ELEMENT_SEP = string.char(DATA.sep.element)
local KEY_SEP = string.char(DATA.sep.key)
-- Searches for "the first byte of a class" are written as an anchored run
-- of the other bytes ("^[^...]*", its end + 1 is the byte sought): Lua
-- matches an unanchored class by trying every start position, re-reading
-- the class each time, which costs about three times as much a byte.
local NO_DELIMS = "^[^" .. FIELD_SEP .. "-" .. KEY_SEP .. "]*"
local NO_ALT_STOP = "^[^" .. MEMBER_SEP .. ELEMENT_SEP .. "]*"
local ASCII_RUN = "^[^\128-\255]*"
-- Printable ASCII: no delimiter (they are control bytes) and no byte
-- above 126.
local PRINTABLE_RUN = "^[\32-\126]*"
local MEMBER_BYTE = DATA.sep.member
local DIGIT0, DIGIT9, MINUS, SPACE, DOT = 48, 57, 45, 32, 46

-- Enums: values by canonical decimal string.
local ENUMS = {}
for key, e in pairs(DATA.enums) do
  local by_value = {}
  for _, v in ipairs(e.values) do by_value[tostring(v.value)] = v end
  ENUMS[key] = { name = e.name, by_value = by_value }
end
M.enums = ENUMS

-- Report classes by Rust kind name.
local CLASS = {}
for i, c in ipairs(DATA.reports) do CLASS[c.kind] = c; c.index = i end
M.classes = CLASS

-- Fills each {} of a template with the next argument (like reports::fill):
-- the template is split first, so braces inside arguments stay as they are.
-- The templates are DATA's, a few dozen: each is split once (PIECES), and
-- one or two arguments are joined with one concatenation, no table.
local PIECES = {}
local function pieces(t)
  local p, pos = {}, 1
  while true do
    local a, b = find(t, "{}", pos, true)
    if not a then p[#p + 1] = sub(t, pos); break end
    p[#p + 1] = sub(t, pos, a - 1)
    pos = b + 1
  end
  PIECES[t] = p
  return p
end
local function fill(t, a1, a2, ...)
  local p = PIECES[t] or pieces(t)
  local np = #p
  if np == 2 then
    return p[1] .. (a1 ~= nil and tostring(a1) or "") .. p[2]
  elseif np == 3 then
    return p[1] .. (a1 ~= nil and tostring(a1) or "") .. p[2] .. (a2 ~= nil and tostring(a2) or "") .. p[3]
  elseif np == 1 then
    return p[1]
  end
  local args, out = { a1, a2, ... }, { p[1] }
  for n = 1, np - 1 do
    if args[n] ~= nil then out[#out + 1] = tostring(args[n]) end
    out[#out + 1] = p[n + 1]
  end
  return concat(out)
end
-- reports::counted: "1 field", "3 fields".
local function counted(n, one, many)
  if n == 1 then return one end
  return fill(many, n)
end
M.fill = fill

-- Bytes with control and non-ASCII bytes as \xNN (decode::escape).
local function escape(s)
  return (s:gsub("[^\32-\126]", function(c) return format("\\x%02x", byte(c)) end))
end
M.escape = escape

-- Digit-wise comparison of canonical decimal strings ("-12", "0", "345").
local function cmp_mag(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  for i = 1, #a do
    local x, y = byte(a, i), byte(b, i)
    if x ~= y then return x < y and -1 or 1 end
  end
  return 0
end
local function cmp_dec(a, b)
  local na, nb = byte(a, 1) == MINUS, byte(b, 1) == MINUS
  if na ~= nb then return na and -1 or 1 end
  if na then return -cmp_mag(sub(a, 2), sub(b, 2)) end
  return cmp_mag(a, b)
end
M.cmp_dec = cmp_dec

local I64_LIMIT = "9223372036854775808" -- 2^63, the magnitude of i64::MIN

-- decode::parse_num: "empty", "bad", "toobig", or "value" and the canonical
-- decimal string of an i64.
local function parse_num(b)
  if b == "" then return "empty" end
  local neg = byte(b, 1) == MINUS
  local digits = neg and sub(b, 2) or b
  if digits == "" or find(digits, "[^0-9]") then return "bad" end
  local mag = (digits:gsub("^0+", ""))
  if mag == "" then return "value", "0" end
  local c = cmp_mag(mag, I64_LIMIT)
  if c > 0 or (c == 0 and not neg) then return "toobig" end
  return "value", neg and ("-" .. mag) or mag
end
M.parse_num = parse_num

-- decode::parse_ipv4: strict dotted quad, returned as "a.b.c.d". One
-- match for the shape; the text itself unless a part has a leading zero.
local QUAD = "^([0-9][0-9]?[0-9]?)%.([0-9][0-9]?[0-9]?)%.([0-9][0-9]?[0-9]?)%.([0-9][0-9]?[0-9]?)$"
local function parse_ipv4(b)
  local _, _, p1, p2, p3, p4 = find(b, QUAD)
  if not p1 then return nil end
  local a, c, d, e = tonumber(p1), tonumber(p2), tonumber(p3), tonumber(p4)
  if a > 255 or c > 255 or d > 255 or e > 255 then return nil end
  if find(b, "^0[0-9]") or find(b, "%.0[0-9]") then return format("%d.%d.%d.%d", a, c, d, e) end
  return b
end
M.parse_ipv4 = parse_ipv4

-- text::Charset::count_chars.
local function count_chars(charset, b)
  -- ASCII is one character a byte in both charsets.
  if not find(b, "[\128-\255]") then return #b end
  local n = 0
  if charset == "gb18030" then
    local i, len = 1, #b
    while i <= len do
      local c = byte(b, i)
      if c >= 0x81 and c <= 0xFE and i < len then
        local d = byte(b, i + 1)
        if d >= DIGIT0 and d <= DIGIT9 and i + 3 <= len then i = i + 4 else i = i + 2 end
      else
        i = i + 1
      end
      n = n + 1
    end
  else
    -- Every byte but the continuation bytes starts a character.
    local _, cont = string.gsub(b, "[\128-\191]", "")
    n = #b - cont
  end
  return n
end
M.count_chars = count_chars

-- Charset::is_utf8, as Rust's str::from_utf8 judges: ASCII, or C2-DF /
-- E0-EF / F0-F4 and 1 / 2 / 3 bytes 80-BF, where the second byte after
-- E0 is A0-BF (no overlong form), after ED 80-9F (no surrogate), after F0
-- 90-BF and after F4 80-8F (nothing past U+10FFFF).
local function is_utf8(b)
  local i, len = 1, #b
  while i <= len do
    local c = byte(b, i)
    local more, lo, hi = 0, 0x80, 0xBF
    if c < 0x80 then more = 0
    elseif c >= 0xC2 and c <= 0xDF then more = 1
    elseif c >= 0xE0 and c <= 0xEF then
      more = 2
      if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
    elseif c >= 0xF0 and c <= 0xF4 then
      more = 3
      if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
    else return false end
    if i + more > len then return false end
    if more > 0 then
      local d = byte(b, i + 1)
      if d < lo or d > hi then return false end
      for k = i + 2, i + more do
        d = byte(b, k)
        if d < 0x80 or d > 0xBF then return false end
      end
    end
    i = i + 1 + more
  end
  return true
end

-- Charset::gb18030_shaped: ASCII; 81-FE and 40-7E or 80-FE; or 81-FE,
-- 30-39, 81-FE, 30-39.
local function gb18030_shaped(b)
  local i, len = 1, #b
  while i <= len do
    local c = byte(b, i)
    if c >= 0x80 then
      local d = byte(b, i + 1)
      if c == 0x80 or c == 0xFF or not d then return false end
      if d >= DIGIT0 and d <= DIGIT9 then
        local x, y = byte(b, i + 2, i + 3)
        if not y or x < 0x81 or x > 0xFE or y < DIGIT0 or y > DIGIT9 then return false end
        i = i + 4
      elseif (d >= 0x40 and d <= 0x7E) or (d >= 0x80 and d <= 0xFE) then
        i = i + 2
      else
        return false
      end
    else
      i = i + 1
    end
  end
  return true
end
M.is_utf8, M.gb18030_shaped = is_utf8, gb18030_shaped

-- header::parse_cell over 4 bytes a, b, c, d: spaces (32), then at least
-- one digit (48..57), nothing else. Byte arithmetic, unrolled, on the bytes
-- the caller read with one string.byte (an integer on 5.3+, as tonumber
-- gave). Literal numbers: see "Comparisons" below.
local function parse_cell(a, b, c, d)
  if d < 48 or d > 57 then return nil end
  local n = d - 48
  if c >= 48 and c <= 57 then
    n = n + 10 * (c - 48)
    if b >= 48 and b <= 57 then
      n = n + 100 * (b - 48)
      if a >= 48 and a <= 57 then return n + 1000 * (a - 48) end
      if a == 32 then return n end
      return nil
    end
    if b == 32 and a == 32 then return n end
    return nil
  end
  if c == 32 and b == 32 and a == 32 then return n end
  return nil
end

-- The header at 1-based position pos of s: body_len, msg_type, or nil.
-- Two values, no table: the decoder and the framing run it per message.
-- The usual cells (a space, then 2 or 3 digits: "  53", " 101") are read
-- in line; any other by parse_cell.
local function header_at(s, pos)
  if #s - pos + 1 < HEADER_LEN then return nil end
  local a1, a2, a3, a4, b1, b2, b3, b4 = byte(s, pos, pos + 7)
  local bl, mt
  if a1 == 32 and a4 >= 48 and a4 <= 57 and a3 >= 48 and a3 <= 57
    and (a2 == 32 or a2 >= 48 and a2 <= 57) then
    bl = (a3 - 48) * 10 + (a4 - 48)
    if a2 ~= 32 then bl = bl + (a2 - 48) * 100 end
  else
    bl = parse_cell(a1, a2, a3, a4)
    if not bl then return nil end
  end
  if b1 == 32 and b4 >= 48 and b4 <= 57 and b3 >= 48 and b3 <= 57
    and b2 >= 48 and b2 <= 57 then
    mt = (b2 - 48) * 100 + (b3 - 48) * 10 + (b4 - 48)
  else
    mt = parse_cell(b1, b2, b3, b4)
    if not mt then return nil end
  end
  return bl, mt
end

-- header::parse_header: { body_len, msg_type } or nil.
local function parse_header(s)
  local bl, mt = header_at(s, 1)
  if bl then return { body_len = bl, msg_type = mt } end
  return nil
end
M.parse_header = parse_header


-- ------------------------------------------------------------------ decoder

-- Comparisons. Lua 5.4 compiles `x == y` between two values, or with a
-- string (or nil) constant, to a call of luaV_equalobj; only `x == 5` with
-- a literal small integer, and <, <=, are done in line. So the hot paths
-- compare with literal numbers (Lua 5.2 has no <const> locals), and test
-- "b == e" of two numbers known to satisfy b <= e as b >= e.
--
-- Small integers for the node kinds (nd.kc: 1 scalar, 2 struct, 3 strlist,
-- 4 structlist, 5 dict) and scalar primitives (sc.pc: 1 String with no
-- rule, 0 String with a rule (length, password, address), 2 Boolean, 3 a
-- number), stored in the nodes once, with the member and node counts
-- (st.nm, m.nn).
local KIND_CODE = { scalar = 1, struct = 2, strlist = 3, structlist = 4, dict = 5 }

-- " tag=" of each field shown in Info (false for most).
local INFO_PREFIX = {}
for i, f in ipairs(FIELDS) do INFO_PREFIX[i] = f.info and (" " .. f.info .. "=") or false end
local function prep_scalar(sc)
  if sc.prim == "String" then
    sc.pc = (sc.chars or sc.password or sc.addr) and 0 or 1
  else
    sc.pc = sc.prim == "Boolean" and 2 or 3
  end
  -- A number's values by decimal string when it is an enumeration.
  sc.by_value = sc.enum and ENUMS[sc.enum].by_value or false
end
-- st.tagged: whether a member is shown in Info (when the struct is a field
-- of the message, see INFO_ITEMS).
local function prep_struct(st)
  st.nm = #st.members
  st.tagged = false
  for _, m in ipairs(st.members) do
    prep_scalar(m)
    if INFO_PREFIX[m.f] then st.tagged = true end
  end
end
for _, m in pairs(MESSAGES) do
  m.nn = #m.nodes
  for _, nd in ipairs(m.nodes) do
    local k = nd.k
    nd.kc = KIND_CODE[k]
    -- nd.kt: nd.kc, plus 8 when the field's own item (depth 0) has an
    -- Info tag (one field read for both in message()).
    nd.kt = nd.kc + (INFO_PREFIX[k == "strlist" and nd.holder or nd.f] and 8 or 0)
    if k == "scalar" then prep_scalar(nd)
    elseif k == "struct" then prep_struct(nd.s)
    elseif k == "strlist" then
      prep_scalar(nd.elem)
      if nd.alt then prep_struct(nd.alt.s) end
    elseif k == "structlist" then prep_struct(nd.elem.s)
    else prep_scalar(nd.key); prep_scalar(nd.value) end
  end
end

-- Decimal strings of small numbers (the header's, counts), made once each:
-- tostring of a number costs as much as decoding a field.
local DEC = setmetatable({}, { __index = function(t, x)
  local s = tostring(x)
  t[x] = s
  return s
end })


-- The message being decoded, its charset, and the result's columns and
-- reports: upvalues of the decoder's functions, set by M.decode (which is
-- not reentrant: nothing it calls calls back out). Plain functions, not
-- methods: this is the hot loop of the Lua dissector.
--
-- The columns, the reports list, the header and the result table are made
-- once and reused by every M.decode: a table costs more than decoding a
-- field (its creation and its collection). M.decode overwrites items
-- 1..n and clears the slots a longer earlier message left past n.
local MSG, CHARSET = "", "utf8"
local IF, ID, IO, IL, IK, IV, IN, REPORTS, RN = {}, {}, {}, {}, {}, {}, 0, {}, 0
local IP = {}
-- How many items the previous decode left in the columns.
local LAST_N = 0
-- Whether items 1 and 2 (the header's) hold their constant columns: they
-- are the same in every decode with a header, so only their values are
-- written (finish() clears them after a bad header).
local HEAD_SET = false
-- The items Info may show, in order, as the decode goes: the fields of the
-- message that have an Info tag, and the tagged members of a struct that
-- is a field (codec::info). info_text then looks at these only, not at
-- every item. Valid when INFO_FAST (no generic field is tagged: extra and
-- raw fields, the header's) and INFO_DEC is the decode given to info_text.
local INFO_ITEMS, NI = {}, 0
local INFO_FAST = not (INFO_PREFIX[DATA.generic.body_len] or INFO_PREFIX[DATA.generic.msg_type]
  or INFO_PREFIX[DATA.generic.extra_field] or INFO_PREFIX[DATA.generic.raw_field])

local function push(f, depth, offset, len, kind, v)
  local n = IN + 1
  IN = n
  -- v may be nil: that also clears what an earlier decode left there.
  IF[n], ID[n], IO[n], IL[n], IK[n] = f, depth, offset, len, kind
  -- Not looked at (extra and raw texts are not checked): false.
  IP[n] = false
  -- Writing nil over nil is the slow path of a table write: skip it.
  if v then IV[n] = v elseif IV[n] ~= v then IV[n] = v end
  return n
end

local function report(kind, offset, len, item, text)
  RN = RN + 1
  REPORTS[RN] = { kind = kind, class = CLASS[kind].abbrev, offset = offset, len = len, item = item, text = text }
end

-- Reports the first delimiter inside the range [s, e) of MSG of item
-- `item` (field index f), if any: a field ends at a separator, itself a
-- delimiter, so the search stops there.
local function misplaced_delimiter(s, e, item, f)
  local msg = MSG
  local _, r = find(msg, NO_DELIMS, s + 1)
  if r < e then
    local p = r + 1
    report("MisplacedDelimiter", p - 1, 1, item, fill(T.misplaced_delimiter, T.delimiters[byte(msg, p)], FIELDS[f].label))
  end
end

-- decode::charset_hint: a text that is not UTF-8 but reads as GB18030,
-- read with the UTF-8 preference; once per message.
local function charset_hint(s, e, item, f)
  local p = find(MSG, "[\128-\255]", s + 1)
  if not p or p > e then return end -- a delimiter, not a high byte, ended the run
  local b = sub(MSG, s + 1, e)
  if is_utf8(b) or not gb18030_shaped(b) then return end
  for r = 1, RN do
    if REPORTS[r].kind == "CharsetHint" then return end
  end
  report("CharsetHint", s, e - s, item, fill(T.charset_hint, FIELDS[f].label, DATA.proto.filter .. "." .. DATA.prefs.charset.name))
end

-- The bounds of a scalar as numbers, for the fast path of canonical
-- numbers of at most 15 digits (exact in a double): a bound of more digits
-- lies beyond any of them.
local function num_bound(b)
  local neg = byte(b, 1) == MINUS
  if #b - (neg and 1 or 0) <= 15 then return tonumber(b) end
  return neg and -math.huge or math.huge
end

-- Returns the item's index and, for a number, its canonical decimal string.
-- s, e: the 0-based range [s, e) of MSG, i.e. the 1-based bytes s+1..e.
-- Every range ends at a separator or at the end of MSG.
-- (push() is inline here: every scalar comes here. A scalar pushes no other
-- item before its own, so its index is known first.)
local function scalar(sc, s, e, depth)
  local msg = MSG
  local len = e - s
  local item = IN + 1
  IN = item
  local pc = sc.pc
  if pc <= 1 then -- String: text, most fields
    IF[item], ID[item], IO[item], IL[item], IK[item] = sc.f, depth, s, len, "text"
    if IV[item] ~= nil then IV[item] = nil end
    -- One run over the field's printable ASCII bytes: it stops at the
    -- separator that ends the field (or the end of MSG), unless the field
    -- holds a delimiter, another control byte or a non-ASCII byte; only
    -- then are delimiters and the charset looked at on their own.
    local _, q = find(msg, PRINTABLE_RUN, s + 1)
    local ascii = q >= e
    IP[item] = ascii
    if not ascii then
      misplaced_delimiter(s, e, item, sc.f)
      if CHARSET == "utf8" then charset_hint(s, e, item, sc.f) end
    end
    if pc == 1 then return item end -- no rule
    local bytes
    local chars = sc.chars
    if chars then
      local min, max = chars[1], chars[2]
      -- ASCII is one character a byte in both charsets: no substring then.
      local n
      local p
      if not ascii then
        local _, r = find(msg, ASCII_RUN, s + 1)
        p = r + 1
      end
      if p and p <= e then
        bytes = sub(msg, s + 1, e)
        n = count_chars(CHARSET, bytes)
      else
        n = len
      end
      if n < min or n > max then
        local rule = min == max and fill(T.rule_exact, min) or fill(T.rule_range, min, max)
        report("LengthRule", s, len, item, fill(T.length_rule, FIELDS[sc.f].label, counted(n, T.one_character, T.characters), rule))
      end
    end
    if sc.password then
      report("CleartextPassword", s, len, item, fill(T.cleartext_password, FIELDS[sc.f].label))
    end
    if sc.addr then
      local ip = parse_ipv4(bytes or sub(msg, s + 1, e))
      if ip then push(sc.addr, depth + 1, s, len, "ipv4", ip) end
    end
    return item
  end
  local kind, v, pkind, ptext, number, bytes
  -- Whether the range is known to hold no delimiter (all digits), which
  -- spares the search for a misplaced one.
  local clean = false
  if pc == 2 then -- Boolean
    local c = len == 1 and byte(msg, e)
    if c == 49 then kind, v, number, clean = "bool", true, "1", true
    elseif c == 48 then kind, v, number, clean = "bool", false, "0", true
    else
      bytes = sub(msg, s + 1, e)
      kind, pkind, ptext = "invalid", "BadBoolean", fill(T.bad_boolean, FIELDS[sc.f].label, escape(bytes))
    end
  else
    -- The common case first: a canonical number ("0", or digits without a
    -- leading zero) of at most 15 digits, compared as a double. The
    -- anchored find reads the digits in place (a separator stops it).
    -- The capture is the value: no sub() after the find.
    local q
    if len > 0 and len <= 15 then
      local _
      _, q, bytes = find(msg, "^([1-9][0-9]*)", s + 1)
      -- One byte that is not 1-9: "0" is the other canonical number.
      if len == 1 and not q and byte(msg, e) == 48 then q, bytes = e, "0" end
    end
    -- q is nil or at most e: the byte after a range is a separator.
    if q and q >= e then
      clean = true
      -- fit[len]: every canonical number of len digits is within the
      -- bounds, so the value need not be converted (the usual case).
      local fit = sc.fit
      if not fit then
        local lo, hi = num_bound(sc.lo), num_bound(sc.hi)
        sc.lo_n, sc.hi_n = lo, hi
        fit = {}
        for l = 1, 15 do
          fit[l] = lo <= (l == 1 and 0 or 10 ^ (l - 1)) and hi >= 10 ^ l - 1
        end
        sc.fit = fit
      end
      if fit[len] then
        kind, v, number = sc.vkind, bytes, bytes
      else
        local x = tonumber(bytes)
        if x < sc.lo_n or x > sc.hi_n then
          kind, pkind, ptext = "invalid", "OutOfRange", fill(T.out_of_range, FIELDS[sc.f].label, bytes, sc.lo, sc.hi)
        else
          kind, v, number = sc.vkind, bytes, bytes
        end
      end
    else
      bytes = sub(msg, s + 1, e)
      local r, val = parse_num(bytes)
      local abbrev = FIELDS[sc.f].label
      if r == "empty" then
        kind, pkind, ptext = "invalid", "EmptyNumber", fill(T.empty_number, abbrev)
      elseif r == "bad" then
        kind, pkind, ptext = "invalid", "NotANumber", fill(T.not_a_number, abbrev, escape(bytes))
      elseif r == "toobig" then
        kind, pkind, ptext = "invalid", "OutOfRange", fill(T.out_of_range, abbrev, escape(bytes), sc.lo, sc.hi)
      elseif cmp_dec(val, sc.lo) < 0 or cmp_dec(val, sc.hi) > 0 then
        kind, pkind, ptext = "invalid", "OutOfRange", fill(T.out_of_range, abbrev, val, sc.lo, sc.hi)
      else
        kind, v, number = sc.vkind, val, val
      end
    end
    if v then
      local by_value = sc.by_value
      if by_value and not by_value[v] then
        pkind, ptext = "UnknownEnum", fill(T.unknown_enum, FIELDS[sc.f].label, v)
      end
    end
  end
  IF[item], ID[item], IO[item], IL[item], IK[item] = sc.f, depth, s, len, kind
  -- Writing nil over nil is the slow path of a table write on 5.4: skip it.
  if v then IV[item] = v elseif IV[item] ~= v then IV[item] = v end
  if not clean then misplaced_delimiter(s, e, item, sc.f) end
  if pkind then report(pkind, s, len, item, ptext) end
  return item, number
end

local EXTRA_FIELD, RAW_FIELD = DATA.generic.extra_field, DATA.generic.raw_field

-- The loops below walk the ranges between separators in place (no table
-- of ranges): a range [a, b) starts after a separator (or at the start),
-- ends before the next one within [s, e) or at e; the last one ends at e.

local function structure(st, f, s, e, depth)
  -- push(), inline.
  local item = IN + 1
  IN = item
  IF[item], ID[item], IO[item], IL[item], IK[item] = f, depth, s, e - s, "none"
  if IV[item] ~= nil then IV[item] = nil end
  local msg = MSG
  local members = st.members
  local nm = st.nm
  local extra_at = nil
  local tagged = depth == 0 and st.tagged
  local count, a = 0, s
  while true do
    local p = find(msg, MEMBER_SEP, a + 1, true)
    local b = e
    if p and p <= e then b = p - 1 end
    count = count + 1
    local m = members[count]
    if m then
      if tagged and INFO_PREFIX[m.f] then
        NI = NI + 1
        INFO_ITEMS[NI] = IN + 1
      end
      scalar(m, a, b, depth + 1)
    else
      extra_at = extra_at or a
      push(EXTRA_FIELD, depth + 1, a, b - a, "text")
    end
    if b >= e then break end
    a = p
  end
  if extra_at then
    report("ExtraFields", extra_at, e - extra_at, item,
      fill(T.extra_members, counted(count - nm, T.one_field, T.fields), nm, st.name))
  end
  if count < nm then
    local names = {}
    for i = count + 1, nm do names[#names + 1] = st.member_names[i] end
    report("MissingFields", e, 0, item, fill(T.missing_members, st.name, counted(#names, T.one_field, T.fields), concat(names, ", ")))
  end
  return item
end

-- Returns the item's index, a scalar's number, a list's element count.
local function node(nd, s, e, depth)
  local k = nd.kc
  if k == 1 then -- scalar
    return scalar(nd, s, e, depth)
  elseif k == 2 then -- struct
    return structure(nd.s, nd.f, s, e, depth)
  end
  local msg = MSG
  local item, n
  if k == 3 then -- strlist
    item, n = push(nd.holder, depth, s, e - s, "count", 0), 0
    if e > s then
      local alt, elem = nd.alt, nd.elem
      local a = s
      while true do
        local p = find(msg, ELEMENT_SEP, a + 1, true)
        local b = e
        if p and p <= e then b = p - 1 end
        n = n + 1
        -- A member separator before the element's end makes it a struct
        -- (the search stops at the next element).
        local _, q
        if alt then _, q = find(msg, NO_ALT_STOP, a + 1); q = q + 1 end
        if q and q <= b and byte(msg, q) == MEMBER_BYTE then
          structure(alt.s, alt.f, a, b, depth + 1)
        else
          scalar(elem, a, b, depth + 1)
        end
        if b >= e then break end
        a = p
      end
    end
  elseif k == 4 then -- structlist
    item, n = push(nd.f, depth, s, e - s, "count", 0), 0
    if e > s then
      local st, f = nd.elem.s, nd.elem.f
      local a = s
      while true do
        local p = find(msg, ELEMENT_SEP, a + 1, true)
        local b = e
        if p and p <= e then b = p - 1 end
        n = n + 1
        structure(st, f, a, b, depth + 1)
        if b >= e then break end
        a = p
      end
    end
  else -- "dict"
    item, n = push(nd.f, depth, s, e - s, "count", 0), 0
    if e > s then
      local a = s
      while true do
        local p = find(msg, ELEMENT_SEP, a + 1, true)
        local b = e
        if p and p <= e then b = p - 1 end
        n = n + 1
        local pair_item = push(nd.pair, depth + 1, a, b - a, "index", n)
        local kp = find(msg, KEY_SEP, a + 1, true)
        if kp and kp <= b then
          scalar(nd.key, a, kp - 1, depth + 2)
          scalar(nd.value, kp, b, depth + 2)
        else
          scalar(nd.key, a, b, depth + 2)
          report("MissingFields", b, 0, pair_item, fill(T.pair_without_value, n, FIELDS[nd.f].label))
        end
        if b >= e then break end
        a = p
      end
    end
  end
  IV[item] = n
  return item, nil, n
end

-- The item of each top field of the message being decoded, for the count
-- rules at the end of message(): kept only for the messages that have such
-- rules, and read only for the fields present. Reused across messages.
local F_ITEM = {}

-- What node() returned for a top field, from its item: a scalar's number
-- (a Boolean's as "1"/"0"; nil when invalid), a list's element count.
local NUMBER_KIND = { uint = true, int = true, time = true }
local function field_number(it)
  local k = IK[it]
  if k == "bool" then return IV[it] and "1" or "0" end
  if NUMBER_KIND[k] then return IV[it] end
  return nil
end
local function field_elements(it)
  if IK[it] == "count" then return IV[it] end
  return nil
end

-- decode::placeholders: a refusal's placeholders (Tail::EmptyOnFailure).
-- When every value from item `start` on is empty or "0" (a struct aside)
-- and none has a report, only the fields' own items (depth 0) stay.
local function placeholders(start)
  local msg = MSG
  for i = start, IN do
    local l = IL[i]
    if IK[i] ~= "none" and l ~= 0 and not (l == 1 and byte(msg, IO[i] + 1) == 48) then return end
  end
  for r = 1, RN do
    local it = REPORTS[r].item
    if it and it >= start then return end
  end
  local kept, moved = start, {}
  for i = start, IN do
    if ID[i] == 0 then
      IF[kept], ID[kept], IO[kept], IL[kept], IK[kept], IV[kept] = IF[i], ID[i], IO[i], IL[i], IK[i], IV[i]
      IP[kept] = IP[i]
      moved[i] = kept
      kept = kept + 1
    end
  end
  for i = kept, IN do IV[i] = nil end
  IN = kept - 1
  local ni = 0
  for x = 1, NI do
    local i = INFO_ITEMS[x]
    local to = i < start and i or moved[i]
    if to then ni = ni + 1; INFO_ITEMS[ni] = to end
  end
  NI = ni
end

local function message(m)
  local msg = MSG
  local e = #msg
  local nodes = m.nodes
  local nn = m.nn
  local counts = m.counts
  local f_item = F_ITEM
  local empty_from, empty_at = m.empty_on_failure, nil
  -- The first field's number: success ("0") asks for every field.
  local nf, extra_report, first_num = 0, nil, nil
  if e > HEADER_LEN then
    local a = HEADER_LEN
    while true do
      local p = find(msg, FIELD_SEP, a + 1, true)
      local b = e
      if p and p <= e then b = p - 1 end
      nf = nf + 1
      local nd = nodes[nf]
      if nf == empty_from then empty_at = IN + 1 end
      if nd then
        local kt = nd.kt
        if kt > 8 then -- tagged for Info
          NI = NI + 1
          INFO_ITEMS[NI] = IN + 1
          kt = kt - 8
        end
        local it, num
        if kt == 1 then -- scalar
          it, num = scalar(nd, a, b, 0)
        else
          it, num = node(nd, a, b, 0)
        end
        if nf == 1 then first_num = num end
        if counts then f_item[nf] = it end
      else
        if nf == nn + 1 then
          -- The count of fields is known only at the end: the text is
          -- filled in then (its place among the reports is kept).
          report("ExtraFields", a, e - a, nil, false)
          extra_report = RN
        end
        push(EXTRA_FIELD, 0, a, b - a, "text")
      end
      if b >= e then break end
      a = p
    end
    if extra_report then
      REPORTS[extra_report].text = fill(T.extra_fields, counted(nf - nn, T.one_field, T.fields), nn, m.name)
    end
  end
  local present = nf < nn and nf or nn
  local success = first_num == "0"
  local required = success and nn or m.required_on_failure
  if present < required then
    local names = {}
    for i = present + 1, required do names[#names + 1] = m.field_names[i] end
    report("MissingFields", e, 0, nil, fill(T.missing_fields, m.name, counted(#names, T.one_field, T.fields), concat(names, ", ")))
  end
  if counts then
    for ci = 1, #counts do
      local c = counts[ci]
      local i, t = c[1], c[2]
      local num = i <= present and field_number(f_item[i]) or nil
      local el = t <= present and field_elements(f_item[t]) or nil
      if num and el and num ~= DEC[el] then
        local it = f_item[i]
        report("CountMismatch", IO[it], IL[it], it,
          fill(T.count_mismatch, m.field_names[i], num, m.field_names[t], counted(el, T.one_element, T.elements)))
      end
    end
  end
  if empty_at and not success then placeholders(empty_at) end
end

local function unknown(code)
  local msg = MSG
  local e = #msg
  local nf = 0
  if e > HEADER_LEN then
    local a = HEADER_LEN
    while true do
      local p = find(msg, FIELD_SEP, a + 1, true)
      local b = e
      if p and p <= e then b = p - 1 end
      nf = nf + 1
      push(RAW_FIELD, 0, a, b - a, "text")
      if b >= e then break end
      a = p
    end
  end
  local t = (code >= DATA.min_type and code <= DATA.max_type) and T.undefined_type or T.not_xmmep_type
  report("UnknownType", HEADER_LEN, e - HEADER_LEN, nil, fill(t, code, counted(nf, T.one_field, T.fields)))
end

-- decode::coalesce: one report per class per message, the first, with a
-- text that adds how many more of its class there are and where the next
-- ones start.
local function coalesce(reports)
  if #reports < 2 then return reports end
  local kept, first, more = {}, {}, {}
  for _, r in ipairs(reports) do
    local at = first[r.kind]
    if not at then
      kept[#kept + 1] = r
      first[r.kind] = #kept
    else
      more[at] = more[at] or {}
      local m = more[at]
      m[#m + 1] = r.offset
    end
  end
  for at, offsets in pairs(more) do
    local positions = {}
    for i = 1, math.min(#offsets, T.repeated_positions) do positions[i] = tostring(offsets[i]) end
    if #offsets > T.repeated_positions then positions[#positions + 1] = "..." end
    kept[at].text = fill(T.repeated, kept[at].text, #offsets, concat(positions, ", "))
  end
  return kept
end

-- The reused result and header (see the note above `push`).
local HDR = { body_len = 0, msg_type = 0 }
local OUT = { f = IF, depth = ID, off = IO, len = IL, kind = IK, v = IV, printable = IP, n = 0, available = 0, reports = REPORTS, header = HDR }
local OUT_CHANGED = true

-- Clears the column slots past IN that an earlier decode filled.
local function finish()
  local n = IN
  for i = n + 1, LAST_N do
    IF[i], ID[i], IO[i], IL[i], IK[i], IV[i] = nil, nil, nil, nil, nil, nil
  end
  if n < 2 then HEAD_SET = false end
  LAST_N = n
  OUT.n = n
end

-- Decodes the message at the start of `msg` (a Lua string; bytes past the
-- message are ignored, a short body is reported as truncated). `charset` is
-- "utf8" (default) or "gb18030". Returns { header = {body_len, msg_type} or
-- nil, available = bytes decoded, n = the number of items, their columns
-- f, depth, off, len, kind, v (see the conventions above), reports = {...} }.
--
-- The returned table, its columns, header and reports list are REUSED: they
-- are valid only until the next M.decode call (M.heuristic decodes too).
-- A caller that keeps anything across calls must copy it.
local G = DATA.generic
local BODY_LEN_FIELD, MSG_TYPE_FIELD = G.body_len, G.msg_type
local MIN_TYPE, MAX_TYPE, MAX_MESSAGE_LEN = DATA.min_type, DATA.max_type, DATA.max_message_len
function M.decode(msg, charset)
  -- A decode that raised left IN items, maybe past LAST_N.
  if IN > LAST_N then LAST_N = IN end
  if RN > 0 then
    for i = 1, RN do REPORTS[i] = nil end
    RN = 0
  end
  NI = 0
  local out = OUT
  -- out.reports and out.header change only after coalesce() and a bad
  -- header: a flag spares writing them every time.
  if OUT_CHANGED then
    out.reports, out.header, OUT_CHANGED = REPORTS, HDR, false
  end
  local total = #msg
  local bl, code = header_at(msg, 1)
  if not bl then
    IN = 0
    out.header, OUT_CHANGED = nil, true
    out.available = total < HEADER_LEN and total or HEADER_LEN
    report("BadHeader", 0, out.available, nil, fill(T.bad_header, escape(sub(msg, 1, out.available))))
    finish()
    return out
  end
  HDR.body_len, HDR.msg_type = bl, code
  local msg_len = HEADER_LEN + bl
  local avail = total < msg_len and total or msg_len
  out.available = avail
  MSG = avail < total and sub(msg, 1, avail) or msg
  CHARSET = charset or "utf8"
  -- The header's two items (push(), inline).
  if not HEAD_SET then
    IF[1], ID[1], IO[1], IL[1], IK[1] = BODY_LEN_FIELD, 0, 0, 4, "uint"
    IF[2], ID[2], IO[2], IL[2], IK[2] = MSG_TYPE_FIELD, 0, 4, 4, "uint"
    HEAD_SET = true
  end
  IV[1], IV[2] = DEC[bl], DEC[code]
  IN = 2
  if code < MIN_TYPE or code > MAX_TYPE then
    report("OutOfRange", 4, 4, 2, fill(T.type_out_of_range, code))
  end
  if msg_len > MAX_MESSAGE_LEN then
    report("Oversize", 0, avail, nil, fill(T.oversize, msg_len))
  end
  local m = MESSAGES[code]
  if m then message(m) else unknown(code) end
  if avail < msg_len then
    report("Truncated", avail, 0, nil, fill(T.truncated, avail - HEADER_LEN, bl))
  end
  finish()
  if RN > 1 then out.reports, OUT_CHANGED = coalesce(REPORTS), true end
  MSG = ""
  return out
end

-- The worst severity among the reports ("error", "warning", "note") or nil.
local RANK = { note = 1, warning = 2, error = 3 }
function M.worst(dec)
  local worst
  for _, r in ipairs(dec.reports) do
    local s = CLASS[r.kind].severity
    if not worst or RANK[s] > RANK[worst] then worst = s end
  end
  return worst
end

-- Framing (header::frame): "need_header", "bad_header", or "message" and
-- the message length, whether `buf` from 1-based `pos` holds all of it,
-- and its type code.
function M.frame(buf, pos)
  pos = pos or 1
  if #buf - pos + 1 < HEADER_LEN then return "need_header" end
  local bl, code = header_at(buf, pos)
  if not bl then return "bad_header" end
  local len = HEADER_LEN + bl
  return "message", len, #buf - pos + 1 >= len, code
end

-- The heuristic of docs/presentation.md (codec::heuristic): `udp` asks for
-- every message of the datagram to frame exactly with a defined type.
function M.heuristic(buf, udp, charset)
  local what, len, complete, code = M.frame(buf, 1)
  if what ~= "message" or not MESSAGES[code] then return false end
  if complete and M.worst(M.decode(sub(buf, 1, len), charset)) == "error" then return false end
  if not udp then return true end
  local at = len
  while at < #buf do
    local w, l, c, cc = M.frame(buf, at + 1)
    if w ~= "message" or not c or not MESSAGES[cc] then return false end
    at = at + l
  end
  return at == #buf
end

local INFO = DATA.info
local PAIR_SEP = DATA.analysis_texts.pair_sep

-- codec::info::scalar_text: item i's value as Info shows it (nil for none).
local INFO_KIND = { text = 1, invalid = 1, uint = 2, int = 2, time = 3, bool = 4 }
local function info_value(dec, i, text_of)
  local k = INFO_KIND[dec.kind[i]]
  if k == 1 then
    return text_of(dec.off[i], dec.len[i])
  end
  local v = dec.v[i]
  if k == 2 then
    local en = FIELDS[dec.f[i]].enum
    local e = en and ENUMS[en].by_value[v]
    return e and e.name or v
  elseif k == 3 then
    return v
  elseif k == 4 then
    local names = FIELDS[dec.f[i]].bool_names
    if names then return v and names[1] or names[2] end
    return v and INFO.bool_true or INFO.bool_false
  end
end


-- The pieces of an Info text, reused by every call: one concat at the end.
local BUF = {}

-- codec::info::problem_marks: " [Truncated] [Out of range]", each short
-- name of the classes of the message's warnings and errors once, in the
-- classes' order.
local function problem_marks(reports)
  local has = {}
  for _, r in ipairs(reports) do
    local c = CLASS[r.kind]
    if c.severity ~= "note" then has[c.index] = true end
  end
  local out, seen = "", {}
  for i, c in ipairs(DATA.reports) do
    if has[i] and not seen[c.short] then
      seen[c.short] = true
      out = out .. fill(INFO.problem_mark, c.short)
    end
  end
  return out
end

-- codec::info::info_text. `text_of(offset, len)` gives the shown text of a
-- Text or Invalid value (Wireshark converts it with the charset preference).
-- Tagged fields of the message, and tagged members of a struct that is a
-- field of the message; a tagged dictionary shows its `key:value` pairs.
function M.info_text(dec, text_of)
  local h = dec.header
  if not h then return INFO.malformed_header .. problem_marks(dec.reports) end
  local code = h.msg_type
  local m = MESSAGES[code]
  local buf = BUF
  buf[1] = m and m.name or fill(INFO.unknown_type, code)
  local nb = 1
  local fast = INFO_FAST and dec == OUT and dec.n == IN
  local F, D, K, n
  if fast then F, D, K, n = IF, ID, IK, IN else F, D, K, n = dec.f, dec.depth, dec.kind, dec.n end
  local prefixes = INFO_PREFIX
  -- The items to look at: those M.decode noted (INFO_ITEMS) when dec is
  -- its latest result, else every item. Few items are tagged: the loop
  -- looks at the tag first, and only for a tagged item at depth 1 whether
  -- its field (the nearest item of depth 0 before it, in pre-order) is a
  -- struct.
  local last = fast and NI or n
  for x = 1, last do
    local i = fast and INFO_ITEMS[x] or x
    local prefix = prefixes[F[i]]
    local depth = prefix and D[i]
    if depth == 1 then
      local j = i - 1
      while D[j] ~= 0 do j = j - 1 end
      if K[j] ~= "none" then depth = nil end
    elseif depth ~= 0 then
      depth = nil
    end
    if depth then
      local k = K[i]
      if k == "count" and depth == 0 then
        -- The pairs, "," between them, each its shown key and value
        -- with PAIR_SEP between them.
        nb = nb + 1
        buf[nb] = prefix
        local first_pair, j = true, i + 1
        while j <= n and D[j] >= 1 do
          if D[j] == 1 then
            if not first_pair then nb = nb + 1; buf[nb] = "," end
            first_pair = false
            local first_part, k = true, j + 1
            while k <= n and D[k] >= 2 do
              if D[k] == 2 then
                local part = info_value(dec, k, text_of)
                if part ~= nil then
                  if not first_part then nb = nb + 1; buf[nb] = PAIR_SEP end
                  first_part = false
                  nb = nb + 1
                  buf[nb] = part
                end
              end
              k = k + 1
            end
          end
          j = j + 1
        end
      else
        local shown
        if k == "text" then
          shown = text_of(dec.off[i], dec.len[i])
        else
          shown = info_value(dec, i, text_of)
        end
        if shown then
          buf[nb + 1], buf[nb + 2] = prefix, shown
          nb = nb + 2
        end
      end
    end
  end
  if dec.reports[1] then
    nb = nb + 1
    buf[nb] = problem_marks(dec.reports)
  end
  -- One concatenation instruction for the usual lengths (table.concat
  -- costs a call per piece).
  if nb == 1 then return buf[1] end
  if nb == 3 then return buf[1] .. buf[2] .. buf[3] end
  if nb == 5 then return buf[1] .. buf[2] .. buf[3] .. buf[4] .. buf[5] end
  return concat(buf, "", 1, nb)
end

-- presentation::date_text: seconds since 1970-01-01 UTC as "YYYY-MM-DD"
-- (days to a civil date, proleptic Gregorian); nil outside years 1..9999.
-- `secs` is the decimal string of the value.
function M.date_text(secs)
  local floor = math.floor
  local z = floor(tonumber(secs) / 86400) + 719468
  local era = floor(z / 146097)
  local doe = z - era * 146097
  local yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100))
  local mp = floor((5 * doy + 2) / 153)
  local d = doy - floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  if y < 1 or y > 9999 then return nil end
  return format("%04d-%02d-%02d", y, m, d)
end

-- The text of a list's element count ("1 element", "3 elements").
function M.elements_text(n)
  local L = DATA.labels
  if n == 1 then return L.elements_one end
  return fill(L.elements_many, n)
end

return M
