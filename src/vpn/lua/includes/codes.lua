-- Outcome codes of the VPN scripts, mirrored one for one by VpnScriptCode in
-- src/vpn/script-codes.ts: a code means one thing in every script.
local OK = 0
-- register, asked to treat it so: exactly this membership is stored already, nothing changed.
local UNCHANGED = 1
local GROUP_NOT_FOUND = -1
local SHORT_NUMBER_LENGTH = -2
local ALREADY_MEMBER = -3
local SHORT_NUMBER_TAKEN = -4
local GROUP_FULL = -5
local BELONGS_ELSEWHERE = -6
local MEMBER_NOT_FOUND = -7
-- The number's lock is held: a fee of the number is being charged.
local BUSY = -8
-- The caller's lock expired or another request took it: nothing was written.
local LOCK_LOST = -9
local EXTENSION_LENGTH_LOCKED = -10
local MAX_MEMBERS_BELOW_COUNT = -11
