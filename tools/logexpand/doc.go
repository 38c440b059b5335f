// Package logexpand is the logic of log-expand, which prints JSON log lines
// as indented, readable blocks for a person at a terminal, typically after
// grep has picked the lines:
//
//	grep req-1234 api.log | log-expand
//
// Each JSON line (ours, oslo.log's JSON formatter's, zap's, zerolog's,
// slog's…) becomes a block with its keys sorted at every level, nested
// objects indented, and what is packed inside values unpacked: a string
// that holds JSON is expanded under a (json) tag, a Python dict repr under a
// (python) tag, a multi-line string (a stack trace) is printed as real lines
// in a "|" block. Lines that are not JSON pass through unchanged, followed
// by the JSON objects and Python dicts found in them (oslo.log's
// "body: {…}" and "{'server': {'name': u'vm1'}}"), expanded and indented.
// grep's prefix ("api.log:12:") heads each block.
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
// With [Options.Flatten] each value becomes one "path = value" line that
// grep can pick again, and [Unflatten] (--unflatten) turns such lines back
// into JSON: see flatten.go for the format.
//
// Credentials that a writer left in clear — values under keys such as
// auth_token, password or X-Auth-Token, as auditlog's redaction defines
// them — print as "[REDACTED]" unless [Options.ShowSecrets], in expanded
// records, in flattened ones, in Python dicts, and in the text of lines and
// strings where such a dict or object was found.
//
// Speed: lines are parsed by a hand-written scanner into a reused arena of
// nodes that point into the line, and rendered into one reused buffer, so a
// line costs no allocation.
package logexpand
