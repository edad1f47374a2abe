#!/bin/sh
# Writes sokuhod.yaml(5) to standard output from the configuration table of docs/operations.md
# (section "Configuration reference"), so the manual page never drifts from the documentation.
# Usage: config-manpage.sh docs/operations.md VERSION DATE
set -eu
doc=$1 version=$2 date=$3
cat <<HEAD
.TH SOKUHOD.YAML 5 "$date" "sokuho $version" "File Formats"
.SH NAME
sokuhod.yaml \- configuration file of sokuhod, the Sokuho incident report daemon
.SH SYNOPSIS
.I /etc/sokuho/sokuhod.yaml
.SH DESCRIPTION
.B sokuhod
reads its configuration from the YAML file given with
.BR \-\-config .
Relative paths are relative to the directory of the file. Unknown keys and bad values are
refused at start with
.IR file:line:column:\ key:\ reason .
Check a file with
.BR "sokuhod \-\-config /etc/sokuho/sokuhod.yaml \-\-check\-config" ;
.B SIGHUP
(\fBsystemctl reload sokuhod\fR) re-reads it.
.SH KEYS
Each key is given with its default.
HEAD
awk '
function roff(s) {
    gsub(/\\/, "\\e", s)
    while (match(s, /\[[^]]*\]\([^)]*\)/)) {
        inner = substr(s, RSTART + 1, RLENGTH - 1); sub(/\].*/, "", inner)
        s = substr(s, 1, RSTART - 1) inner substr(s, RSTART + RLENGTH)
    }
    gsub(/`/, "", s)
    gsub(/\*\*/, "", s)
    gsub(/-/, "\\-", s)
    sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s)
    if (substr(s, 1, 1) == "." || substr(s, 1, 1) == "\x27") s = "\\&" s
    return s
}
/^## Configuration reference/ { on = 1; next }
on && /^## / { exit }
on && /^\| `/ {
    n = split($0, f, /\|/)
    key = roff(f[2]); def = roff(f[3]); meaning = roff(f[4])
    printf ".TP\n.B %s\n(default: %s) %s\n", key, def, meaning
}
' "$doc"
cat <<TAIL
.SH FILES
.TP
.I /etc/sokuho/sokuhod.yaml
the configuration (a conffile: local edits survive upgrades)
.TP
.I /etc/sokuho/playbooks/
the playbooks per incident kind
.TP
.I /var/lib/sokuho/sokuho.db
the case database (never deleted by the package, not even on purge)
.SH SEE ALSO
.BR sokuhod (8),
.BR sokuho (1),
.IR /usr/share/doc/sokuho/README.Debian ,
.I /usr/share/doc/sokuho/docs/operations.md.gz
TAIL
