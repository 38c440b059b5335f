package logexpand

import (
	"bytes"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// How log-expand writes text. Its output goes to a terminal, so every
// control character is escaped, and a byte that is not UTF-8 shows as \xNN
// ([parseFlatString] reads that back); see [jsonscan.Terminal].

// appendQuoted appends s in double quotes, escaped as JSON escapes it, so
// that nothing in it can act on a terminal or forge a line: control
// characters (C0, DEL and C1), U+2028 and U+2029 become \u escapes. Bytes
// that are not UTF-8 become \xNN.
func appendQuoted(dst, s []byte) []byte { return jsonscan.Terminal.AppendQuoted(dst, s) }

// appendEscaped escapes s as appendQuoted does, without the quotes. When
// quoted is false, '"' and '\\' are copied and tabs are kept, for text shown
// in blocks.
func appendEscaped(dst, s []byte, quoted bool) []byte {
	if quoted {
		return jsonscan.Terminal.Append(dst, s)
	}
	return jsonscan.TerminalBlock.Append(dst, s)
}

// decodeJSON appends the text of the JSON string content s (already checked
// by jsontree.ScanString) to dst with its escapes resolved. A lone surrogate becomes
// U+FFFD.
func decodeJSON(dst, s []byte) []byte { return jsonscan.AppendUnescaped(dst, s) }

// decodeQuotes is decodeJSON for a string whose only escapes are \" and
// \\ (see plainQuoted): the text between them is found with
// bytes.IndexByte and copied in one go.
func decodeQuotes(dst, s []byte) []byte {
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 || i+1 >= len(s) {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, s[i+1])
		s = s[i+2:]
	}
}
