-- The least any Lua dissector must do to show XMMEP messages as
-- lua/xmmep.lua shows them, for scripts/bench-tshark.sh --floor: find the
-- messages (dissect_tcp_pdus over the 8-byte header), add the protocol item
-- and 8 items per message (the benchmark capture has 8.4 on average), each
-- with its TvbRange and a constant value: the message type, then 7 of a
-- field that stands for the others, made only when the tree is shown or
-- someone asked for it (TreeItem:referenced, asked once per packet), as
-- the script does. No decoding, no labels, no reports, no analysis, no
-- columns. Its own cost bounds from below what lua/xmmep.lua can reach
-- with the Wireshark Lua API: the calls, not the script, set it. Not a
-- dissector for use.
local proto = Proto("xmmep", "XMMEP (floor of the Lua API cost)")
local f_type = ProtoField.uint16("xmmep.msg_type", "Message type")
local f_user = ProtoField.string("xmmep.user_name", "User name")
local f_other = ProtoField.uint16("xmmep.floor_item", "Any other field")
proto.fields = { f_type, f_user, f_other }
local ITEMS = 8

local function pdu_len(tvb, pinfo, offset)
  local rest = tvb:len() - offset
  if rest < 8 then return rest end
  local len = tonumber(tvb:raw(offset, 4):match("%d+"))
  return len and len + 8 or rest
end

local add, range, referenced
local others = true
local function dissect_pdu(tvb, pinfo, tree)
  local top = add(tree, proto, range(tvb, 0, tvb:len()))
  add(top, f_type, range(tvb, 4, 4), 0)
  if others then
    for _ = 2, ITEMS do add(top, f_other, range(tvb, 4, 4), 0) end
  end
  return tvb:len()
end

function proto.dissector(tvb, pinfo, tree)
  if not add then add, range, referenced = tree.add, tvb.range, tree.referenced end
  others = tree.visible or referenced(tree, f_other)
  dissect_tcp_pdus(tvb, tree, 8, pdu_len, dissect_pdu, true)
  return tvb:len()
end
DissectorTable.get("tcp.port"):add(6620, proto)
