# The instructions a callgrind profile spends in what the binary plugin
# calls outside its own code, by kind: Wireshark's functions for items,
# expert infos and columns; tcp_dissect_pdus without the plugin's callbacks
# it makes; the exception guards around every epan call; the C library
# (allocations and copies of the plugin's Rust code). Prints the four
# inclusive counts on one line. Used by scripts/bench-tshark.sh.
function named(table, s,    id, rest) {
    # callgrind compresses names: "(id) name" the first time, "(id)" after.
    if (match(s, /^\([0-9]+\)/)) {
        id = substr(s, 2, RLENGTH - 2); rest = substr(s, RLENGTH + 2)
        if (rest != "") table[id] = rest
        return table[id]
    }
    return s
}
/^ob=/  { ob = named(objects, substr($0, 4)); cob = ""; next }
/^fn=/  { fn = named(functions, substr($0, 4)); cob = ""; next }
/^cob=/ { cob = named(objects, substr($0, 5)); next }
/^cfn=/ { cfn = named(functions, substr($0, 5)); next }
/^calls=/ { call = 1; next }
call {
    # The line after calls= holds the call's inclusive cost.
    call = 0; cost = $2; callee = (cob == "" ? ob : cob); cob = ""
    if (ob ~ /xmmep\.so/ && callee !~ /xmmep\.so/) {
        if (cfn ~ /^(_setjmp|except_setup_try|except_pop|except_free)$/) guard += cost
        else if (callee ~ /libc\.so/) libc += cost
        else if (cfn == "tcp_dissect_pdus") pdus += cost
        else epan += cost
    } else if (fn == "tcp_dissect_pdus" && callee ~ /xmmep\.so/) callbacks += cost
}
END { printf "%d %d %d %d\n", epan, pdus - callbacks, guard, libc }
