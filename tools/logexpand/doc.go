// Package logexpand is the logic of log-expand, which prints JSON log lines
// as indented, readable blocks for a person at a terminal, typically after
// grep has picked the lines:
//
//	grep req-1234 api.log | log-expand
//
// Each JSON line (ours, oslo.log's JSON formatter's, zap's, zerolog's,
// slog's…) becomes a block with its keys sorted at every level (byte-wise,
// as jq -S; duplicate keys keep their order), nested objects indented, and
// what is packed inside values unpacked:
//
//   - a string that holds JSON as a whole (a request body, a context) is
//     expanded under a (json) tag, and one that holds a Python repr (a dict
//     or list: u'x', b'x' and r'x' strings, True/False/None, tuples, sets,
//     10L, inf) under a (python) tag — only when the whole string parses,
//     so nothing ambiguous is guessed at;
//   - a string that spans lines (a stack trace, an SQL statement) prints as
//     real lines in a "|" block;
//   - a one-line string that contains JSON objects or Python dicts among
//     other text ("Action: 'create', body: {…}") prints as it is, followed
//     by each of them under a "> body (json):" line;
//   - short arrays of plain scalars stay on one line: ["admin", "member"].
//
// Lines that are not JSON pass through unchanged, followed by the JSON
// objects and Python dicts found in them, expanded and indented, the way
// oslo.log text lines carry them. grep's prefix ("api.log:12:") heads each
// block, and its "--" separators pass through:
//
//	api.log:12: {
//	  context:
//	    request_id: "req-1"
//	  exception:
//	    stacktrace: |
//	      goroutine 1 [running]:
//	      main.main()
//	  rpc:
//	    body: (json)
//	      server:
//	        name: "vm1"
//	  user:
//	    roles: ["admin", "member"]
//	}
//
// Strings print in double quotes with JSON's escapes, so that no value can
// act on a terminal or pass for another line: control characters (C0, DEL,
// C1), U+2028 and U+2029 are escaped, and bytes that are not UTF-8 print as
// \xNN. Text lines pass through byte for byte, unless the output is a
// terminal ([Options.EscapeControl]).
//
// [Options.Depth] shows deeper values as compact JSON on one line;
// [Options.Keys] keeps only some dotted paths (through arrays, and into
// strings that hold JSON); [Options.MinLevel] keeps only lines at a level
// or above. With [Options.Flatten] each value becomes one "path = value"
// line that grep can pick again, and [Unflatten] (--unflatten) turns such
// lines back into JSON: see flatten.go for the format and for what happens
// to strings that hold JSON (the round trip is exact).
//
// Credentials that a writer left in clear — values under keys such as
// auth_token, password or X-Auth-Token, as auditlog's redaction defines
// them — print as "[REDACTED]" unless [Options.ShowSecrets]: in records,
// flattened or not, in Python dicts, and in the text of lines and strings,
// where the values of JSON objects and dicts found in them, and of
// "name: value" and "name=value" pairs with such a name (curl's
// -H "X-Auth-Token: …", a query string's token=…), are masked in place.
// null and "" are shown: they hide nothing. Free-text masking is a
// heuristic; a credential in a shape it does not know stays visible.
//
// Speed: a line whose keys are already sorted (ours always are) is
// rendered in one pass as it is parsed (stream.go); any other line is
// parsed by a hand-written scanner into a reused arena of nodes that point
// into the line, and rendered from it. Strings are scanned eight bytes at a
// time. Output goes into one reused buffer, written in 256 KiB blocks or
// when the input goes idle. A line costs no allocation.
package logexpand
