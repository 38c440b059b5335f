package input

// maxPrefix bounds the bytes [SplitPrefix] looks at before giving up, so a
// long text line costs little; no real file name and line number is longer.
const maxPrefix = 4096

// SplitPrefix separates grep's prefix from the JSON after it, so a tool can
// format the object and print the prefix unchanged before it. It is
// exported for tests and fuzzing; prefix+rest is always line.
//
// A prefix is what grep -H, -n, -Hn or -b and the context options -A/-B/-C
// put before a line: "api.log:", "12:", "api.log:12:", "api.log-12-",
// "api.log-". Because only JSON matters here, a prefix is recognised only
// when the byte after it is '{'; it is at most 4096 bytes, ends with ':' or
// '-', and holds no whitespace, quote or '{'. The last rule keeps a text
// line such as
//
//	2015-10-29 10:00:00.123 INFO nova [req-1] body: {"a": 1}
//
// whole. A line that starts with '{' has no prefix.
func SplitPrefix(line []byte) (prefix, rest []byte) {
	n := min(len(line), maxPrefix+1)
	for i, c := range line[:n] {
		switch prefixClass[c] {
		case classOK:
			continue
		case classBrace:
			if i > 0 && (line[i-1] == ':' || line[i-1] == '-') {
				return line[:i:i], line[i:]
			}
		}
		return nil, line
	}
	return nil, line
}

// Byte classes for [SplitPrefix], in a table so the scan of a prefix costs
// one load and compare per byte.
const (
	classOK    = iota // may be part of a prefix
	classBrace        // '{', where the JSON starts
	classStop         // whitespace or a quote: this is not a prefix
)

var prefixClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\v\f\r\"'`") {
		t[c] = classStop
	}
	t['{'] = classBrace
	return t
}()
